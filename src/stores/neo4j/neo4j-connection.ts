/**
 * How Prism reaches Neo4j: one place builds the driver, so the target and the graph query API connect
 * the same way to a server with authentication and TLS on.
 *
 * TLS comes either from the URL scheme (`bolt+s://`, `neo4j+s://` trust the system CAs; `+ssc` accepts a
 * self-signed certificate) or from `caFile` with a plain `bolt://`/`neo4j://` URL; the driver refuses
 * both at once, and the config loader says so before the driver would.
 *
 * A lost or refused connection reaches callers only as a rejected promise (ServiceUnavailable,
 * SessionExpired), and the driver replaces broken connections in its pool itself; it emits no 'error'
 * event that could end the process (issue #12 item 11, checked by test/e2e/store-connection-reset.e2e.spec.ts).
 */
import neo4j, { type Config, type Driver } from 'neo4j-driver';
import { disableNagleOnBoltSockets } from './bolt-no-delay';

export interface Neo4jConnection {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  /** PEM file of the CA that signed the server certificate: turns TLS on and trusts only that CA. */
  readonly caFile?: string;
}

export function neo4jDriverConfig(connection: Neo4jConnection, config: Config = {}): Config {
  if (connection.caFile === undefined) return config;
  return {
    ...config,
    encrypted: 'ENCRYPTION_ON',
    trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES',
    trustedCertificates: [connection.caFile],
  };
}

export function createNeo4jDriver(connection: Neo4jConnection, config: Config = {}): Driver {
  disableNagleOnBoltSockets();
  const auth = connection.auth
    ? neo4j.auth.basic(connection.auth.username, connection.auth.password)
    : undefined;
  return neo4j.driver(connection.url, auth, neo4jDriverConfig(connection, config));
}
