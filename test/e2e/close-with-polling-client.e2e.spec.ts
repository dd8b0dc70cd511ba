/**
 * Clients that keep polling (the console does, every second) must not keep the app from closing. Nest
 * closes the HTTP server last, after the modules (and their PostgreSQL pools) are gone, so a poll that
 * arrives in between can wait for ever on an ended pool (pg-pool leaves its waiters pending), and
 * server.close() waits for that request. CI once hung here for 90 s (the console suite's last case).
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../support/stores';

const ADMIN_KEY = 'admin-key-for-close-e2e';
const CLIENTS = 4;
const ROOT = path.resolve(__dirname, '../..');

describeWithStores(['postgres'], 'closing the app while clients keep polling', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let projectionsDir = '';

  afterAll(() => {
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  it('closes although keep-alive clients poll the admin API through the close', async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-close-'));
    fs.copyFileSync(
      path.join(ROOT, 'projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    const app: INestApplication = await createPrismApp(
      loadConfig({
        PRISM_PG_URL: database.url,
        PRISM_PROJECTIONS_DIR: projectionsDir,
        PRISM_API_KEYS: `admin:${ADMIN_KEY}`,
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    await app.get(ProjectionsService).ready();
    const port = Number(new URL(await app.getUrl()).port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    let polling = true;
    let answered = 0;
    const pollOnce = () =>
      new Promise<void>((resolve) => {
        const request = http.get(
          {
            host: '127.0.0.1',
            port,
            path: '/admin/console/overview',
            agent,
            headers: { 'X-API-Key': ADMIN_KEY },
          },
          (response) => {
            response.resume();
            response.on('end', () => {
              answered++;
              resolve();
            });
            response.on('error', () => resolve());
          },
        );
        request.on('error', () => resolve());
      });
    const pollers = Array.from({ length: CLIENTS }, async () => {
      while (polling) await pollOnce();
    });
    try {
      while (answered < 20) await new Promise((resolve) => setTimeout(resolve, 20));
      await app.close();
    } finally {
      polling = false;
      agent.destroy();
      await Promise.all(pollers);
    }
  }, 30_000);
});
