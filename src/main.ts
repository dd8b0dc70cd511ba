/**
 * Starts Prism: reads and validates the environment, opens the event store, serves the API.
 *   npm start            (or: npx tsx src/main.ts)
 */
import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppContent } from './app.module';
import { exampleMarketplace } from './example-marketplace';
import { deferBodyErrors } from './http/deferred-body-error';
import { MAX_JSON_BODY, verifyJsonBody } from './http/json-body.limits';
import { setupOpenApi } from './commands/openapi';
import { type AppConfig, ConfigValidationError, describeEventStore, loadConfig } from './config/app-config';
import { announce, createLogger } from './observability/logging/create-logger';
import { resolveLogFormat } from './observability/logging/log-format';
import { installProcessSafetyNet } from './process-safety-net';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';
import { SHUTDOWN_GATE } from './lifecycle/lifecycle.module';
import type { ShutdownGate } from './lifecycle/shutdown-gate';

/**
 * The app exactly as `main` runs it, not yet listening; e2e tests and benchmarks use this too. Without
 * `aggregates` it serves the example marketplace (examples/marketplace), as `npm start` does.
 */
export async function createPrismApp(
  config: AppConfig,
  options: { logger?: false | LogLevel[] | LoggerService } & AppContent = {},
): Promise<INestApplication> {
  const content: AppContent = { aggregates: options.aggregates ?? exampleMarketplace() };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, content), {
    logger: options.logger ?? ['log', 'error', 'warn'],
    abortOnError: false,
    // Only JSON bodies are read: Nest's default also parses form posts, which let any web page post
    // commands cross-site in development mode (issue #12 item 10; AppModule answers 415 for them).
    bodyParser: false,
    // Graceful shutdown waits for the running requests before it closes the app; what is left open then
    // is keep-alive sockets, and a client that keeps polling (the console does) would otherwise keep
    // reusing one before it idles out, so app.close() would never finish.
    forceCloseConnections: true,
  });
  // Depth and charset are checked on the raw bytes, before anything recursive sees the body (item 6).
  app.useBodyParser('json', { limit: MAX_JSON_BODY, verify: verifyJsonBody });
  // Its errors are answered after the API key check, with the correlation id (deferred-body-error.ts).
  app.use(deferBodyErrors);
  // No enableShutdownHooks here: main installs the graceful shutdown (drain, finish, close, exit 0), and
  // tests close their apps themselves instead of each adding process signal listeners.
  setupOpenApi(app);
  return app;
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY);
  // Nest logs a failed start-up with the whole error and its cause chain before rethrowing it; main
  // prints the one line that matters (the error's message says what to fix), so that log is left out.
  const logger = createLogger(format, {
    logLevels: ['error', 'warn'],
    ignoreErrorContexts: ['ExceptionHandler'],
  });
  installProcessSafetyNet({
    error: (message) => {
      logger.error(message, undefined, 'Process');
    },
  });
  const app = await createPrismApp(config, { logger });
  installGracefulShutdown(app, app.get<ShutdownGate>(SHUTDOWN_GATE), {
    timeoutMs: config.http.shutdownTimeoutMs,
    log: {
      log: (message) => announce(format, `Shutdown: ${message}`),
      warn: (message) => {
        logger.warn(message, 'Shutdown');
      },
    },
  });
  await app.listen(config.http.port, config.http.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  announce(
    format,
    `Prism listening on ${url} (API docs ${url}/docs, metrics ${url}/metrics, health ${url}/health/ready), ` +
      `event store: ${describeEventStore(config.eventStore)}`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `Prism failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
