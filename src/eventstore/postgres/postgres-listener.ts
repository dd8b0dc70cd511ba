/**
 * One LISTEN connection per store, shared by all its subscriptions: each append's NOTIFY (sent inside the
 * append transaction, so delivered on commit) bumps the store's ChangeNotifier and wakes waiting
 * subscriptions at once. Losing the connection only costs latency: subscriptions fall back to their poll
 * interval, and the next subscription read reconnects. A dropped connection is recorded in the store's
 * ConnectionWatch (logged once per outage), never thrown (issue #12 item 11).
 */
import { Client } from 'pg';
import type { ConnectionWatch } from '../../core/connection-watch';
import type { ChangeNotifier } from '../change-notifier';

export interface PostgresListenerOptions {
  readonly url: string;
  readonly channel: string;
  readonly notifier: ChangeNotifier;
  readonly connectionTimeoutMs: number;
  readonly watch: ConnectionWatch;
}

export class PostgresListener {
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresListenerOptions) {}

  /** Makes sure the LISTEN connection is up; never throws (without it, polling still finds every event). */
  async ensure(): Promise<void> {
    if (this.client !== undefined || this.closed) return;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    await this.connecting.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectionTimeoutMs,
    });
    client.on('notification', () => this.options.notifier.notify());
    // Listening from the start: a client errors while connecting too, and an 'error' event nobody listens
    // to is an uncaught exception that ends the process.
    client.on('error', (error: Error) => {
      this.options.watch.lost(error);
      this.drop(client);
    });
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      this.options.watch.lost(error);
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.options.watch.reached();
    // Appends committed while nobody listened sent notifications nobody heard: let readers look once more.
    // This is also the wake-up after an outage: subscriptions waiting for a change read at once.
    this.options.notifier.notify();
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
  }
}
