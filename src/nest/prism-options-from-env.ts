/**
 * The environment loader as one optional factory of the Nest module's options:
 *
 *   PrismModule.forRootAsync({ useFactory: () => prismOptionsFromEnv() })
 *
 * reads the PRISM_* variables the ready-made server reads (src/config, README "Operating Prism"), with
 * the same checks: a bad variable fails with ConfigValidationError naming it.
 */
import { type AppConfig, loadConfig } from '../config/app-config';
import { isReadOnlyLog } from '../eventstore/event-store.settings';
import type { PrismOptions } from './prism-options';

/** @throws ConfigValidationError listing every bad variable. */
export function prismOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PrismOptions {
  return prismOptionsOf(loadConfig(env));
}

/** The options of a config already loaded from the environment (the ready-made server, tests). */
export function prismOptionsOf(config: AppConfig): PrismOptions {
  return {
    // A table another tool writes is a log Prism only reads.
    ...(isReadOnlyLog(config.eventStore)
      ? { eventLog: config.eventStore }
      : { eventStore: config.eventStore }),
    viewStores: config.viewStores,
    projections: {
      folder: config.projectionsDir,
      ...(config.projections.eventCatalog !== undefined && { eventCatalog: config.projections.eventCatalog }),
    },
    runtime: {
      stallAfterMs: config.projections.stallAfterMs,
      sharedReader: config.projections.sharedReader,
    },
    queries: { readWaitMaxMs: config.queries.readWaitMaxMs },
    commands: { idempotencyLeaseMs: config.commands.idempotencyLeaseMs },
    auth: { apiKeys: config.auth.apiKeys, queryAuth: config.auth.queryAuth },
    ...(config.tracing !== undefined && { tracing: config.tracing }),
    role: config.node.role,
    node: {
      ...(config.node.id !== undefined && { id: config.node.id }),
      leaseTtlMs: config.node.leaseTtlMs,
    },
  };
}
