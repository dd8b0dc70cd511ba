import { loadConfig } from '../../config/app-config';
import { EMBEDDED_VIEWS_FILE, type RelationalSettings } from './relational.connection';

const settingsOf = (env: Record<string, string>) =>
  loadConfig(env).viewStores.relational as RelationalSettings | undefined;

describe('relational view store settings from the environment', () => {
  it('always has a home: the embedded SQLite file in PRISM_DATA_DIR without PostgreSQL', () => {
    expect(settingsOf({ PRISM_DATA_DIR: '/tmp/prism' })).toEqual({
      kind: 'sqlite',
      file: `/tmp/prism/${EMBEDDED_VIEWS_FILE}`,
    });
  });

  it("uses the event store's PostgreSQL and schema when PRISM_PG_URL is set, whatever the event store", () => {
    expect(
      settingsOf({
        PRISM_EVENT_STORE: 'embedded',
        PRISM_PG_URL: 'postgresql://u@h/db',
        PRISM_PG_SCHEMA: 'views',
      }),
    ).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db', schema: 'views' });
  });
});
