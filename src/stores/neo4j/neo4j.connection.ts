/**
 * How Prism configures and connects Neo4j (the `connection` section, ../store-connection.ts): the
 * PRISM_NEO4J_* variables, one Driver per process shared by the target, the graph query API and the
 * health probe, and the graph query API as a Nest module. Driver options (auth, TLS): neo4j-connection.ts.
 */
import path from 'node:path';
import type { Driver } from 'neo4j-driver';
import { z } from 'zod';
import {
  type ConfigProblem,
  type ParsedVariables,
  rawValue,
  readCertificateFile,
  urlWithScheme,
} from '../../config/env-variable';
import type { StoreConnection } from '../store-connection';
import { hasMethods, oneOf, parseStoreOption } from '../store-options';
import { createNeo4jDriver, type Neo4jConnection } from './neo4j-connection';
import { Neo4jTarget } from './neo4j.target';
import { GraphQueryModule } from './query/graph-query.module';
import { describeGraphView } from './query/graph-query.openapi';
import { graphViewRegistryOf } from './query/graph-view-registry';
import { neo4jScratch } from './neo4j-scratch';

/**
 * How to reach Neo4j (TLS comes from the URL scheme, `+s`, `+ssc`, or from a CA file), or the app's own
 * driver, used and never closed by Prism.
 */
export type Neo4jSettings = Neo4jOptions;

/** The neo4j entry of `PrismOptions.viewStores` (src/nest): the app's own Driver, or a URL. */
export type Neo4jOptions = Neo4jConnection | { readonly driver: Driver };

const NEO4J_SCHEMES = ['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc'];

const OPTIONS = {
  driver: z
    .object({
      driver: z.custom<Driver>((value) => hasMethods(value, ['session', 'getServerInfo', 'close']), {
        message: 'expected a Neo4j Driver (`neo4j.driver(...)` from "neo4j-driver")',
      }),
    })
    .strict(),
  url: z
    .object({
      url: urlWithScheme(NEO4J_SCHEMES),
      auth: z
        .object({ username: z.string().min(1), password: z.string().min(1) })
        .strict()
        .optional(),
      caFile: z
        .string()
        .min(1)
        .transform((file) => path.resolve(file))
        .optional(),
    })
    .strict(),
};

/**
 * How long the driver retries a transaction on transient errors (the target's writes and the graph
 * queries alike) before the error reaches the runner, which has its own backoff.
 */
const MAX_TRANSACTION_RETRY_MS = 5_000;

const VARIABLES = {
  PRISM_NEO4J_URL: {
    schema: urlWithScheme(NEO4J_SCHEMES).optional(),
    hint: 'the Neo4j Bolt URL, e.g. PRISM_NEO4J_URL=bolt://127.0.0.1:7687',
  },
  PRISM_NEO4J_USERNAME: {
    schema: z.string().trim().min(1).optional(),
    hint: 'the Neo4j user (default neo4j when PRISM_NEO4J_PASSWORD is set), e.g. PRISM_NEO4J_USERNAME=prism',
  },
  PRISM_NEO4J_PASSWORD: {
    schema: z.string().min(1).optional(),
    hint: 'the password of the Neo4j user; unset connects without authentication',
    secret: true,
  },
  PRISM_NEO4J_CA_FILE: {
    schema: z.string().trim().min(1).optional(),
    hint: 'a PEM file with the CA certificate of the Neo4j server; turns on TLS for a bolt:// or neo4j:// URL (bolt+s:// trusts the system CAs instead)',
  },
} as const;

type Neo4jEnv = ParsedVariables<typeof VARIABLES>;

/** Rules between the variables, checked on the raw values so they are reported with per-field errors. */
function crossFieldProblems(env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (
    rawValue(env, 'PRISM_NEO4J_USERNAME') !== undefined &&
    rawValue(env, 'PRISM_NEO4J_PASSWORD') === undefined
  )
    problems.push({
      variable: 'PRISM_NEO4J_PASSWORD',
      value: undefined,
      problem: 'required when PRISM_NEO4J_USERNAME is set',
    });
  // The driver takes encryption from the URL scheme or from its config, never both.
  if (
    rawValue(env, 'PRISM_NEO4J_CA_FILE') !== undefined &&
    /^[a-z]+\+s{1,2}c?:/i.test(rawValue(env, 'PRISM_NEO4J_URL')?.trim() ?? '')
  )
    problems.push({
      variable: 'PRISM_NEO4J_CA_FILE',
      value: undefined,
      problem:
        'use a bolt:// or neo4j:// URL with a CA file (a +s or +ssc URL already chooses how to trust the server)',
    });
  return problems;
}

function settingsOf(env: Neo4jEnv, url: string): Neo4jSettings {
  return {
    url,
    ...(env.PRISM_NEO4J_PASSWORD !== undefined && {
      auth: { username: env.PRISM_NEO4J_USERNAME ?? 'neo4j', password: env.PRISM_NEO4J_PASSWORD },
    }),
    ...(env.PRISM_NEO4J_CA_FILE !== undefined && { caFile: path.resolve(env.PRISM_NEO4J_CA_FILE) }),
  };
}

export const neo4jConnection: StoreConnection<Neo4jSettings, Driver> = {
  variables: VARIABLES,
  configure({ raw, parsed }) {
    const problems = crossFieldProblems(raw);
    // Read only to check it at start-up: the driver reads the file itself.
    readCertificateFile(raw, 'PRISM_NEO4J_CA_FILE', problems);
    const env = parsed as Neo4jEnv | undefined;
    if (env?.PRISM_NEO4J_URL === undefined || problems.length > 0) return { problems };
    return { settings: settingsOf(env, env.PRISM_NEO4J_URL), problems };
  },
  fromOptions(value) {
    const chosen = oneOf(value, ['driver', 'url'] as const);
    if ('problem' in chosen) return { problems: [chosen.problem] };
    return parseStoreOption<Neo4jSettings>(OPTIONS[chosen.key], value);
  },
  describe: () => 'Neo4j',
  missingHint: 'set PRISM_NEO4J_URL (or give viewStores.neo4j to PrismModule) to run them',
  open(settings) {
    // The app's own driver keeps the app's retry settings, and stays open: the app closes what it made.
    const given = 'driver' in settings ? settings.driver : undefined;
    const driver =
      given ??
      createNeo4jDriver(settings as Neo4jConnection, { maxTransactionRetryTime: MAX_TRANSACTION_RETRY_MS });
    return {
      client: driver,
      async connectTarget() {
        // The target borrows the driver (it does not close it): the graph query API and health use it too.
        const target = new Neo4jTarget(driver, {}, false);
        await target.initialize();
        return target;
      },
      async probe() {
        await driver.getServerInfo();
      },
      close: () => (given === undefined ? driver.close() : Promise.resolve()),
    };
  },
  scratch: neo4jScratch,
  query: {
    routeOrder: 0,
    describeView: describeGraphView,
    module: (host) =>
      GraphQueryModule.forRootAsync({
        imports: host.imports,
        inject: host.inject,
        useFactory: (...dependencies: never[]) => {
          const { client, projections } = host.useFactory(...dependencies);
          return { driver: client, ownsDriver: false, registry: graphViewRegistryOf(projections) };
        },
      }),
  },
};
