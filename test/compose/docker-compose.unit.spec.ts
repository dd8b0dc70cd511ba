/**
 * docker-compose.yml cannot be started on CI machines (no Docker engine), so this test keeps it honest:
 * every store is there with a healthcheck and a named volume, Prism runs as an `api` service and a
 * `worker` service with two replicas (issue #15; test/multiproc/ runs the same roles as processes), both
 * wait for the stores to be healthy, every variable given to Prism is one its config knows and the config
 * accepts the values, and the image versions match the ones the test harness pins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/app-config';
import { envVariables } from '../../src/config/env.schema';

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
}

const root = path.resolve(__dirname, '..', '..');
// merge: the Prism services share their environment through a YAML anchor (`<<: *prism-environment`).
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const stores = ['kurrentdb', 'postgres', 'elasticsearch', 'neo4j'];

describe('docker-compose.yml', () => {
  it.each(stores)('runs %s with a healthcheck and a named volume', (name) => {
    const service = compose.services[name]!;
    expect(service.image).toBeTruthy();
    expect(service.healthcheck?.test.length).toBeGreaterThan(0);
    const volume = service.volumes?.[0]?.split(':')[0];
    expect(volume && compose.volumes).toHaveProperty(volume!);
  });

  const prismServices = ['api', 'worker'];

  /** The environment as compose passes it with nothing set in the shell: ${NAME:-default} is the default. */
  function passed(service: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(compose.services[service]!.environment!).map(([name, value]) => [
        name,
        String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
  }

  it('runs Prism only as the api and worker roles', () => {
    const prism = Object.keys(compose.services).filter((name) => !stores.includes(name));
    expect(prism.sort()).toEqual(prismServices);
  });

  it.each(prismServices)(
    'builds %s from the repo and starts it only after every store is healthy',
    (name) => {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
      expect(Object.keys(service.depends_on ?? {}).sort()).toEqual([...stores].sort());
      for (const store of stores) expect(service.depends_on?.[store]?.condition).toBe('service_healthy');
    },
  );

  it('publishes the api on port 3000 and runs two worker replicas without a published port', () => {
    expect(compose.services.api!.ports).toEqual(['3000:3000']);
    expect(compose.services.api!.deploy?.replicas ?? 1).toBe(1);
    expect(compose.services.worker!.deploy?.replicas).toBe(2);
    // Replicas cannot share a host port.
    expect(compose.services.worker!.ports).toBeUndefined();
  });

  it('gives both roles the same stores and keys, differing only in their role and lease', () => {
    const { PRISM_ROLE: apiRole, ...api } = passed('api');
    const { PRISM_ROLE: workerRole, PRISM_LEASE_TTL_MS: leaseTtl, ...worker } = passed('worker');
    expect({ apiRole, workerRole }).toEqual({ apiRole: 'api', workerRole: 'worker' });
    expect(worker).toEqual(api);
    expect(Number(leaseTtl)).toBeGreaterThan(0);
    // Roles need a shared coordination store: PostgreSQL is configured, so the nodes coordinate there.
    expect(api.PRISM_PG_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
  });

  it.each(prismServices)(
    'gives %s only variables its config knows, with values the config accepts',
    (name) => {
      const environment = passed(name);
      const unknown = Object.keys(environment).filter((variable) => !(variable in envVariables()));
      expect(unknown).toEqual([]);
      const config = loadConfig(environment);
      expect(config.eventStore.kind).toBe('kurrentdb');
      expect(config.auth.apiKeys).toEqual([]);
      expect(
        loadConfig({ ...environment, PRISM_API_KEYS: 'admin:0123456789abcdef' }).auth.apiKeys,
      ).toHaveLength(1);
      expect(config.viewStores.elasticsearch).toMatchObject({ url: 'http://elasticsearch:9200' });
      expect(config.viewStores.neo4j).toMatchObject({ url: 'bolt://neo4j:7687' });
      // Each service runs in its role; the worker's lease is the one it sets.
      expect(config.node.role).toBe(name);
      expect(config.node.leaseTtlMs).toBe(Number(environment.PRISM_LEASE_TTL_MS ?? 6000));
    },
  );

  it('uses the Elasticsearch and Neo4j versions the test harness pins', () => {
    const esPom = fs.readFileSync(path.join(root, 'test/stores/elasticsearch/pom.xml'), 'utf8');
    const esVersion = /<elasticsearch\.version>([^<]+)</.exec(esPom)![1];
    expect(compose.services.elasticsearch!.image).toMatch(
      new RegExp(`:${esVersion!.replace(/\./g, '\\.')}$`),
    );
    const neo4jPom = fs.readFileSync(path.join(root, 'test/stores/neo4j/pom.xml'), 'utf8');
    const neo4jMinor = /<neo4j\.version>(\d+\.\d+)\./.exec(neo4jPom)![1];
    expect(compose.services.neo4j!.image).toBe(`neo4j:${neo4jMinor}-community`);
  });
});
