export const EVENT_STORE = Symbol('EVENT_STORE');
export const CART_SETTINGS = Symbol('CART_SETTINGS');

export interface CartSettings {
  /** PostgreSQL for both the event log and the views. */
  readonly databaseUrl: string;
  readonly schema: string;
  readonly projectionsDir: string;
}
