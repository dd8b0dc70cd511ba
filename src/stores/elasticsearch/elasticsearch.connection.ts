/**
 * How Prism configures and connects Elasticsearch (the `connection` section, ../store-connection.ts):
 * the PRISM_ES_* variables, one Client per process shared by the target, the search API and the health
 * probe, and the search API as a Nest module. Client options (auth, CA): elasticsearch-connection.ts.
 */
import type { Client } from '@elastic/elasticsearch';
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
import { createElasticsearchClient, type ElasticsearchConnection } from './elasticsearch-connection';
import { ElasticsearchTarget } from './elasticsearch.target';
import { registryOfProjections } from './query/search-view.registry';
import { describeSearchView } from './query/search.openapi';
import { SearchModule } from './query/search.module';
import { elasticsearchScratch } from './elasticsearch-scratch';

/**
 * How to reach Elasticsearch (or the app's own client, used and never closed by Prism) and when projected
 * documents become searchable.
 */
export type ElasticsearchSettings = (ElasticsearchConnection | { readonly client: Client }) & {
  readonly refresh: boolean | 'wait_for';
};

/** The elasticsearch entry of `PrismOptions.viewStores` (src/nest): the app's own Client, or a URL. */
export type ElasticsearchOptions = (ElasticsearchConnection | { readonly client: Client }) & {
  /** When projected documents become searchable (PRISM_ES_REFRESH). Default false. */
  readonly refresh?: boolean | 'wait_for';
};

const REFRESH = z.union([z.boolean(), z.literal('wait_for')]).default(false);

const OPTIONS = {
  client: z
    .object({
      client: z.custom<Client>((value) => hasMethods(value, ['search', 'bulk', 'ping', 'close']), {
        message: 'expected an Elasticsearch Client (`new Client(...)` from "@elastic/elasticsearch")',
      }),
      refresh: REFRESH,
    })
    .strict(),
  url: z
    .object({
      url: urlWithScheme(['http', 'https']),
      auth: z
        .union([
          z.object({ apiKey: z.string().min(1) }).strict(),
          z.object({ username: z.string().min(1), password: z.string().min(1) }).strict(),
        ])
        .optional(),
      caPem: z.string().min(1).optional(),
      caFingerprint: z.string().min(1).optional(),
      refresh: REFRESH,
    })
    .strict(),
};

const VARIABLES = {
  PRISM_ES_URL: {
    schema: urlWithScheme(['http', 'https']).optional(),
    hint: 'the Elasticsearch URL, e.g. PRISM_ES_URL=http://127.0.0.1:9200',
  },
  PRISM_ES_API_KEY: {
    schema: z.string().trim().min(1).optional(),
    hint: 'an Elasticsearch API key (the base64 "encoded" value the create-API-key call returns), sent as `Authorization: ApiKey ...`; or use PRISM_ES_USERNAME/PRISM_ES_PASSWORD',
    secret: true,
  },
  PRISM_ES_USERNAME: {
    schema: z.string().trim().min(1).optional(),
    hint: 'the Elasticsearch user for basic auth, with PRISM_ES_PASSWORD, e.g. PRISM_ES_USERNAME=prism',
  },
  PRISM_ES_PASSWORD: {
    schema: z.string().min(1).optional(),
    hint: 'the password of PRISM_ES_USERNAME',
    secret: true,
  },
  PRISM_ES_CA_FILE: {
    schema: z.string().trim().min(1).optional(),
    hint: 'a PEM file with the CA certificate that signed the Elasticsearch server certificate (https URLs), e.g. PRISM_ES_CA_FILE=/etc/prism/es-ca.pem',
  },
  PRISM_ES_CA_FINGERPRINT: {
    schema: z
      .string()
      .trim()
      .regex(
        /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
        'expected a SHA-256 fingerprint (64 hex digits, colons allowed)',
      )
      .optional(),
    hint: 'the SHA-256 fingerprint of the Elasticsearch CA certificate (as Elasticsearch prints it at first start), instead of PRISM_ES_CA_FILE',
  },
  PRISM_ES_REFRESH: {
    schema: z
      .enum(['false', 'true', 'wait_for'], { message: 'expected false, true or wait_for' })
      .default('false'),
    hint: 'when projected documents become searchable: false (default, within the index refresh interval, ~1 s; reads with ?after= refresh once), wait_for (each bulk waits for a refresh) or true (each bulk forces one: slow)',
  },
} as const;

type ElasticsearchEnv = ParsedVariables<typeof VARIABLES>;

/** Rules between the variables, checked on the raw values so they are reported with per-field errors. */
function crossFieldProblems(env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const apiKey = rawValue(env, 'PRISM_ES_API_KEY');
  const user = rawValue(env, 'PRISM_ES_USERNAME');
  const password = rawValue(env, 'PRISM_ES_PASSWORD');
  if (apiKey !== undefined && user !== undefined)
    problems.push({
      variable: 'PRISM_ES_API_KEY',
      value: undefined,
      problem: 'set either PRISM_ES_API_KEY or PRISM_ES_USERNAME/PRISM_ES_PASSWORD, not both',
    });
  if ((user === undefined) !== (password === undefined))
    problems.push({
      variable: user === undefined ? 'PRISM_ES_USERNAME' : 'PRISM_ES_PASSWORD',
      value: undefined,
      problem: 'PRISM_ES_USERNAME and PRISM_ES_PASSWORD go together',
    });
  if (
    rawValue(env, 'PRISM_ES_CA_FILE') !== undefined &&
    rawValue(env, 'PRISM_ES_CA_FINGERPRINT') !== undefined
  )
    problems.push({
      variable: 'PRISM_ES_CA_FINGERPRINT',
      value: undefined,
      problem: 'set either PRISM_ES_CA_FILE or PRISM_ES_CA_FINGERPRINT, not both',
    });
  return problems;
}

function settingsOf(env: ElasticsearchEnv, url: string, caPem: string | undefined): ElasticsearchSettings {
  const auth =
    env.PRISM_ES_API_KEY !== undefined
      ? { apiKey: env.PRISM_ES_API_KEY }
      : env.PRISM_ES_USERNAME !== undefined && env.PRISM_ES_PASSWORD !== undefined
        ? { username: env.PRISM_ES_USERNAME, password: env.PRISM_ES_PASSWORD }
        : undefined;
  return {
    url,
    refresh: env.PRISM_ES_REFRESH === 'wait_for' ? 'wait_for' : env.PRISM_ES_REFRESH === 'true',
    ...(auth && { auth }),
    ...(caPem !== undefined && { caPem }),
    ...(env.PRISM_ES_CA_FINGERPRINT !== undefined && { caFingerprint: env.PRISM_ES_CA_FINGERPRINT }),
  };
}

export const elasticsearchConnection: StoreConnection<ElasticsearchSettings, Client> = {
  variables: VARIABLES,
  configure({ raw, parsed }) {
    const problems = crossFieldProblems(raw);
    const caPem = readCertificateFile(raw, 'PRISM_ES_CA_FILE', problems);
    const env = parsed as ElasticsearchEnv | undefined;
    if (env?.PRISM_ES_URL === undefined || problems.length > 0) return { problems };
    return { settings: settingsOf(env, env.PRISM_ES_URL, caPem), problems };
  },
  fromOptions(value) {
    const chosen = oneOf(value, ['client', 'url'] as const);
    if ('problem' in chosen) return { problems: [chosen.problem] };
    return parseStoreOption<ElasticsearchSettings>(OPTIONS[chosen.key], value);
  },
  describe: () => 'Elasticsearch',
  missingHint: 'set PRISM_ES_URL (or give viewStores.elasticsearch to PrismModule) to run them',
  open(settings) {
    const given = 'client' in settings ? settings.client : undefined;
    const client = given ?? createElasticsearchClient(settings as ElasticsearchConnection);
    return {
      client,
      async connectTarget() {
        // The target borrows the client (it does not close it): the search API and health use it too.
        const target = new ElasticsearchTarget(client, { refresh: settings.refresh });
        await target.initialize();
        return target;
      },
      async probe() {
        if (!(await client.ping())) throw new Error('Elasticsearch did not answer the ping');
      },
      // The app's own client stays open: the app closes what it made.
      close: () => (given === undefined ? client.close() : Promise.resolve()),
    };
  },
  scratch: elasticsearchScratch,
  query: {
    routeOrder: 0,
    describeView: describeSearchView,
    module: (host) =>
      SearchModule.register({
        imports: host.imports,
        inject: host.inject,
        client: (...dependencies: never[]) => host.useFactory(...dependencies).client,
        registry: (...dependencies: never[]) =>
          registryOfProjections(host.useFactory(...dependencies).projections),
        ownsClient: false,
      }),
  },
};
