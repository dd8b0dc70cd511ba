/**
 * Turns off Nagle's algorithm (TCP_NODELAY) on the Neo4j JavaScript driver's sockets.
 *
 * Why: the driver (5.x) leaves Nagle on. It writes a Bolt message in 1,400-byte chunks, one socket write
 * each. With Nagle on, the kernel holds the last chunk until the server ACKs the ones before it. The server
 * delays that ACK (40 ms on Linux). So every statement whose parameters pass ~1.4 KB waited 40 ms before
 * Neo4j even saw it. Measured inside one transaction on the test server:
 *   - `UNWIND $rows` of 100 rows: 48 ms with Nagle, 5.5 ms without;
 *   - 1,000 rows: 51 ms against 16-22 ms.
 * A graph batch runs about ten such statements (graph-batch.ts), so the wait was most of a batch's time.
 * Neo4j's Java driver, the Python driver (since 5.27), Node's http client and `pg` all set TCP_NODELAY.
 *
 * The driver gives no socket option, so this wraps `net.connect` and `tls.connect` once per process. It
 * changes only the sockets the driver's Bolt channel opens: the caller is told apart by its stack (a
 * connect happens once per pooled connection, so the cost does not matter). Anything else that connects
 * is left exactly as it was. Where the driver is bundled under another path, nothing changes and the
 * driver keeps its default.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Where the driver's Node channel lives (neo4j-driver-bolt-connection/lib/channel/node/node-channel.js). */
const BOLT_CHANNEL = /neo4j-driver-bolt-connection[\\/]lib[\\/]channel[\\/]node[\\/]/;

let installed = false;

/** Idempotent: later calls do nothing. Connections opened before the first call keep Nagle on. */
export function disableNagleOnBoltSockets(): void {
  if (installed) return;
  installed = true;
  wrap(net, 'connect');
  wrap(tls, 'connect');
}

/** Whether a stack trace shows the driver's Bolt channel opening the socket. */
export function openedByBoltChannel(stack: string | undefined): boolean {
  return stack !== undefined && BOLT_CHANNEL.test(stack);
}

function wrap(module: typeof net | typeof tls, name: 'connect'): void {
  const original = module[name] as (...args: unknown[]) => net.Socket;
  const connect = function (this: unknown, ...args: unknown[]): net.Socket {
    const socket = original.apply(this, args);
    if (openedByBoltChannel(new Error().stack)) socket.setNoDelay(true);
    return socket;
  };
  // The driver reads `net.connect` / `tls.connect` at each call, so replacing the property is enough.
  (module as unknown as Record<string, unknown>)[name] = connect;
}
