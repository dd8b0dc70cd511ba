/**
 * One LISTEN connection per store, shared by all its subscriptions: each append's NOTIFY (sent inside the
 * append transaction, so delivered on commit) bumps the store's ChangeNotifier and wakes waiting
 * subscriptions at once. Losing the connection only costs latency: subscriptions fall back to their poll
 * interval, and the next subscription read reconnects.
 */
import { Client } from 'pg';
import type { ChangeNotifier } from '../change-notifier';

export class PostgresListener {
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly notifier: ChangeNotifier,
    private readonly connectionTimeoutMs: number,
  ) {}

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
      connectionString: this.url,
      connectionTimeoutMillis: this.connectionTimeoutMs,
    });
    client.on('notification', () => this.notifier.notify());
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Appends committed while nobody listened sent notifications nobody heard: let readers look once more.
    this.notifier.notify();
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
  }
}
