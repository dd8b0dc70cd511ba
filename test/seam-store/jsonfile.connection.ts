/**
 * How Prism configures and connects the jsonfile store (the `connection` section,
 * src/stores/store-connection.ts): PRISM_JSONFILE_DIR names the directory; one JsonFileClient per process
 * is shared by the target, the query API and the health probe.
 */
import path from 'node:path';
import { z } from 'zod';
import type { StoreConnection } from '../../src/stores/store-connection';
import { JsonFileClient } from './jsonfile-client';
import { JsonFileTarget } from './jsonfile.target';
import { JsonFileQueryModule } from './query/jsonfile-query.module';

export interface JsonFileSettings {
  /** Absolute directory holding the registry and one file per generation. */
  readonly directory: string;
}

const VARIABLES = {
  PRISM_JSONFILE_DIR: {
    schema: z.string().trim().min(1).optional(),
    hint: 'the directory jsonfile views are kept in, e.g. PRISM_JSONFILE_DIR=./data/jsonfile (relative to PRISM_DATA_DIR)',
  },
} as const;

export const jsonFileConnection: StoreConnection<JsonFileSettings, JsonFileClient> = {
  variables: VARIABLES,
  configure({ parsed, dataDir }) {
    const directory = parsed?.PRISM_JSONFILE_DIR as string | undefined;
    if (directory === undefined) return { problems: [] };
    return { settings: { directory: path.resolve(dataDir, directory) }, problems: [] };
  },
  describe: (settings) => `JSON files in ${settings.directory}`,
  missingHint: 'set PRISM_JSONFILE_DIR to run them',
  open(settings) {
    const client = new JsonFileClient(settings.directory);
    return {
      client,
      async connectTarget() {
        const target = new JsonFileTarget(client);
        await target.initialize();
        return target;
      },
      probe: () => client.probe(),
      close: async () => undefined,
    };
  },
  query: { routeOrder: 0, module: (host) => JsonFileQueryModule.register(host) },
};
