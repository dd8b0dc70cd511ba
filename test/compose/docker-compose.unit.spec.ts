/**
 * docker-compose.yml cannot be started on CI machines (no Docker engine), so this test keeps it honest:
 * every store is there with a healthcheck and a named volume, Prism waits for them to be healthy, every
 * variable given to Prism is one its config knows and the config accepts the values, and the image
 * versions match the ones the test harness pins.
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
  depends_on?: Record<string, { condition: string }>;
}

const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
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

  it('starts prism from the repo only after every store is healthy', () => {
    const prism = compose.services.prism!;
    expect(prism.build).toBe('.');
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
    for (const store of stores) expect(prism.depends_on?.[store]?.condition).toBe('service_healthy');
  });

  it('gives prism only variables its config knows, with values the config accepts', () => {
    const environment = compose.services.prism!.environment!;
    const unknown = Object.keys(environment).filter((name) => !(name in envVariables()));
    expect(unknown).toEqual([]);
    // As compose would pass them with nothing set in the shell: ${NAME:-default} becomes the default.
    const passed = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
    const config = loadConfig(passed);
    expect(config.eventStore.kind).toBe('kurrentdb');
    expect(config.auth.apiKeys).toEqual([]);
    expect(loadConfig({ ...passed, PRISM_API_KEYS: 'admin:0123456789abcdef' }).auth.apiKeys).toHaveLength(1);
    expect(config.viewStores.elasticsearch).toMatchObject({ url: 'http://elasticsearch:9200' });
    expect(config.viewStores.neo4j).toMatchObject({ url: 'bolt://neo4j:7687' });
  });

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
