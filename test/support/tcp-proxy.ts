/**
 * A loopback TCP proxy for "store down" tests: the app reaches a store through it, and `stop` refuses new
 * connections and cuts open ones, so "down" is a real refused connection, not a mocked error.
 * `stop({ reset: true })` cuts them with a TCP RST, as a crashed server or a dropped route does: the client
 * reads ECONNRESET (the error of issue #12 item 11) instead of an orderly end of stream. `pause` makes the
 * store hang instead (connections stay open, no byte moves either way) until `resume`: what a SIGSTOPped
 * store looks like to its clients, without stopping the store other tests share.
 */
import net from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through, or holds them (and, by backpressure, everything behind them) while paused. */
class Gate extends Transform {
  private held: (() => void)[] = [];

  constructor(private readonly holding: () => boolean) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.holding()) callback(null, chunk);
    else this.held.push(() => callback(null, chunk));
  }

  open(): void {
    for (const release of this.held.splice(0)) release();
  }
}

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly gates = new Set<Gate>();
  private paused = false;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on `port` (0: any free port) and returns the port. */
  async start(port = 0): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const toStore = new Gate(() => this.paused);
      const toClient = new Gate(() => this.paused);
      for (const gate of [toStore, toClient]) {
        this.gates.add(gate);
        gate.on('close', () => this.gates.delete(gate));
      }
      client.on('close', () => {
        toStore.destroy();
        toClient.destroy();
      });
      client.pipe(toStore).pipe(upstream).pipe(toClient).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  /** True while the proxy accepts connections. */
  get running(): boolean {
    return this.server !== undefined;
  }

  /** Connections open through the proxy now (both sides counted). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** The store hangs: open and new connections stay open but carry nothing until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const gate of this.gates) gate.open();
  }

  async stop(options: { reset?: boolean } = {}): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      if (options.reset === true) socket.resetAndDestroy();
      else socket.destroy();
    }
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `url` with its port replaced by the proxy's. */
export function viaProxy(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.port = String(port);
  return proxied.toString();
}
