/**
 * A client that keeps polling over one keep-alive socket (the console does, every second) must not keep
 * the app from closing: Node's server.close() only closes sockets idle at that instant, and a poll that
 * reuses its socket before the keep-alive timeout keeps it busy for ever. CI once hung here for 90 s.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';

describe('closing the app while a client keeps polling', () => {
  let dataDir: string;

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('closes although a keep-alive client polls faster than the keep-alive timeout', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'prism-close-'));
    const app: INestApplication = await createPrismApp(
      loadConfig({ PRISM_EVENT_STORE: 'embedded', PRISM_DATA_DIR: dataDir }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    const port = Number(new URL(await app.getUrl()).port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    let polling = true;
    let answered = 0;
    const pollOnce = () =>
      new Promise<void>((resolve) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/health/live', agent }, (response) => {
          sockets.add(response.socket);
          response.resume();
          response.on('end', () => {
            answered++;
            resolve();
          });
        });
        request.on('error', () => resolve());
      });
    const poller = (async () => {
      while (polling) {
        await pollOnce();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      while (answered < 5) await new Promise((resolve) => setTimeout(resolve, 50));
      // The polls share one socket: without that, the case below would not be the one that hung.
      expect(sockets.size).toBe(1);
      await app.close();
    } finally {
      polling = false;
      await poller;
      agent.destroy();
    }
  }, 30_000);
});
