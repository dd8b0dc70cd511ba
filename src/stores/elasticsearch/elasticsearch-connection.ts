/**
 * How Prism reaches Elasticsearch: one place builds the client options, so the target, the search API
 * and health connect the same way to a secured cluster (API key or basic auth; a private CA or its
 * fingerprint for https).
 *
 * A lost or refused connection reaches callers only as a rejected promise (ConnectionError), which the
 * target classifies as transient and the search API answers with 503; the client emits no 'error' event
 * that could end the process (issue #12 item 11, checked by test/e2e/store-connection-reset.e2e.spec.ts).
 */
import { Client, type ClientOptions } from '@elastic/elasticsearch';

export interface ElasticsearchConnection {
  readonly url: string;
  readonly auth?: { readonly apiKey: string } | { readonly username: string; readonly password: string };
  /** PEM text of the CA that signed the server certificate. */
  readonly caPem?: string;
  /** SHA-256 fingerprint of the CA certificate, the alternative Elasticsearch prints at first start. */
  readonly caFingerprint?: string;
}

export function elasticsearchClientOptions(connection: ElasticsearchConnection): ClientOptions {
  return {
    node: connection.url,
    ...(connection.auth && { auth: { ...connection.auth } }),
    ...(connection.caPem !== undefined && { tls: { ca: connection.caPem } }),
    ...(connection.caFingerprint !== undefined && { caFingerprint: connection.caFingerprint }),
  };
}

export function createElasticsearchClient(connection: ElasticsearchConnection): Client {
  return new Client(elasticsearchClientOptions(connection));
}
