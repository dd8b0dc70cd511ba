/**
 * `npm run stores:up | stores:down | stores:status | stores:build`: the test stores by hand.
 * `up` waits until each store answers a real request and exits non-zero (with the log tail) if one does not.
 */
import { build, JAVA_STORES, runningPid, stop } from './java-store';
import { ALL_STORES, ensureStores } from './stores';
import { configuredUrl } from './store-endpoints';

async function main(command: string | undefined): Promise<number> {
  const log = (line: string) => console.log(`[stores] ${line}`);
  switch (command) {
    case 'build':
      for (const spec of Object.values(JAVA_STORES)) {
        log(`building ${spec.name} launcher`);
        build(spec);
      }
      return 0;
    case 'up': {
      const outcomes = await ensureStores(ALL_STORES, log);
      let failed = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'ready') {
          const how = outcome.startedHere ? `started in ${outcome.seconds.toFixed(1)}s` : 'already running';
          log(`${outcome.store} ready at ${outcome.url} (${how})`);
        } else {
          failed++;
          log(`${outcome.store} FAILED: ${outcome.reason}`);
        }
      }
      return failed === 0 ? 0 : 1;
    }
    case 'down':
      for (const spec of Object.values(JAVA_STORES)) {
        log(`${spec.name}: ${(await stop(spec)) ? 'stopped' : 'was not running'}`);
      }
      return 0;
    case 'status':
      for (const store of ALL_STORES) {
        const spec = store === 'postgres' ? undefined : JAVA_STORES[store];
        const pid = spec ? runningPid(spec) : undefined;
        log(`${store}: ${configuredUrl(store).url}${pid ? ` (local pid ${pid})` : ''}`);
      }
      return 0;
    default:
      console.error('usage: tsx test/stores/cli.ts build|up|down|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
