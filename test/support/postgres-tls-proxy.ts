/**
 * PostgreSQL with TLS required, for tests (issue #18): the machine's PostgreSQL runs without TLS, so this
 * proxy plays the part of a `hostssl`-only server in front of it. It answers the client's SSLRequest with
 * 'S', terminates TLS with a test certificate and forwards the plain protocol to the real server; a
 * client that does not ask for TLS is turned away, as `hostssl` would.
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { TestCertificates } from './certificates';

/** The SSLRequest message: length 8, then the magic code 80877103. */
const SSL_REQUEST_CODE = 80877103;

export interface PostgresTlsProxy {
  readonly port: number;
  /** Sessions that negotiated TLS, and connections turned away because they did not. */
  readonly stats: { tls: number; refusedPlaintext: number };
  close(): Promise<void>;
}

export async function startPostgresTlsProxy(options: {
  readonly upstream: { readonly host: string; readonly port: number };
  readonly certificates: TestCertificates;
}): Promise<PostgresTlsProxy> {
  const context = tls.createSecureContext({
    cert: readFileSync(options.certificates.certFile),
    key: readFileSync(options.certificates.keyFile),
  });
  const stats = { tls: 0, refusedPlaintext: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.once('readable', () => {
      const first = client.read(8) as Buffer | null;
      if (first === null || first.readInt32BE(0) !== 8 || first.readInt32BE(4) !== SSL_REQUEST_CODE) {
        stats.refusedPlaintext++;
        client.destroy();
        return;
      }
      client.write('S');
      const secure = new tls.TLSSocket(client, { isServer: true, secureContext: context });
      secure.on('error', () => client.destroy());
      secure.once('secure', () => {
        stats.tls++;
        const upstream = net.connect(options.upstream.port, options.upstream.host);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          secure.destroy();
        });
        upstream.on('error', () => secure.destroy());
        secure.on('close', () => upstream.destroy());
        secure.pipe(upstream).pipe(secure);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stats,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
