/** One ShutdownGate per app (tests run several apps in one process), shared by main.ts, middleware and health. */
import { Global, Module } from '@nestjs/common';
import { ShutdownGate } from './shutdown-gate';

export const SHUTDOWN_GATE = Symbol('SHUTDOWN_GATE');

@Global()
@Module({
  providers: [{ provide: SHUTDOWN_GATE, useFactory: () => new ShutdownGate() }],
  exports: [SHUTDOWN_GATE],
})
export class LifecycleModule {}
