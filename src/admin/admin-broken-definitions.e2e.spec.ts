/**
 * Issue #12 item 2 (status part): a definition file skipped for its errors used to be a log line only,
 * while health said `"failed": []`. It is listed by the admin API (state `broken-definition`, with every
 * error), by GET /health/components and the metrics, and the valid definitions beside it run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import type { ComponentsReport } from '../observability/health/components';
import { parsePrometheusText, sampleValue } from '../observability/prometheus-text';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, useTestDatabase } from '../../test/support/stores';
import type { ProjectionStatusJson } from './admin.dto';

const ADMIN_KEY = 'admin-key-for-broken-definitions';

describeWithStores(['postgres'], 'broken definitions in status and health', (urls) => {
  const database = useTestDatabase(() => urls.postgres);
  let app: INestApplication;
  let projectionsDir: string;
  let brokenFile: string;
  const server = () => request(app.getHttpServer() as Parameters<typeof request>[0]);
  const admin = (url: string) =>
    server().get(`/admin/projections${url}`).set('Authorization', `Bearer ${ADMIN_KEY}`);

  beforeAll(async () => {
    projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-broken-'));
    fs.copyFileSync(
      path.join(__dirname, '../../projections/customer-directory.yaml'),
      path.join(projectionsDir, 'customer-directory.yaml'),
    );
    brokenFile = path.join(projectionsDir, 'broken.yaml');
    fs.writeFileSync(
      brokenFile,
      [
        'name: broken_view',
        'version: 1',
        'source:',
        '  events: [CustomerRegistered]',
        'target:',
        '  kind: postgres',
        '  table: broken_view',
        '  key: id',
        '  columns:',
        '    id: { type: text }',
        'handlers:',
        '  CustomerRegistered:',
        '    - upsert:',
        '        key: event.data.customerId',
        '        set:',
        '          nope: event.data.name',
        '',
      ].join('\n'),
    );
    const config = loadConfig({
      PRISM_PG_URL: database.url,
      PRISM_PROJECTIONS_DIR: projectionsDir,
      PRISM_API_KEYS: `admin:${ADMIN_KEY}`,
    });
    app = await createPrismApp(config, { logger: false });
    await app.init();
    await app.get(ProjectionsService).ready();
  });

  afterAll(async () => {
    await app?.close();
    if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
  });

  it('lists the skipped file with state broken-definition and its errors; the valid one runs', async () => {
    const { projections } = (await admin('').expect(200)).body as { projections: ProjectionStatusJson[] };
    const broken = projections.find((p) => p.state === 'broken-definition');
    expect(broken).toBeDefined();
    expect(broken!.file).toContain('broken.yaml');
    expect(broken!.errors!.length).toBeGreaterThan(0);
    expect(broken!.errors![0]).toMatch(/broken\.yaml:\d+:\d+/);
    expect(projections.find((p) => p.name === 'customer_directory')?.state).not.toBe('broken-definition');

    const one = (await admin(`/${encodeURIComponent(broken!.name)}`).expect(200))
      .body as ProjectionStatusJson;
    expect(one).toMatchObject({ state: 'broken-definition', file: broken!.file });

    const components = (await server().get('/health/components').expect(200)).body as ComponentsReport;
    expect(components.status).toBe('degraded');
    expect(components.projections.find((p) => p.state === 'broken-definition')).toMatchObject({
      status: 'down',
      file: broken!.file,
    });
    // A broken definition does not make the node unready: the other views and commands still serve.
    await server().get('/health/ready').expect(200);

    const samples = parsePrometheusText((await server().get('/metrics').expect(200)).text);
    expect(
      sampleValue(samples, 'prism_projection_state', {
        projection: broken!.name,
        state: 'broken-definition',
      }),
    ).toBe(1);
  });
});
