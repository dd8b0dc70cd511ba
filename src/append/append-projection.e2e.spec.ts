/**
 * Events from anywhere, end to end: another service appends its own events through
 * `POST /streams/{streamId}/events` with its named API key, a projection (YAML in a folder of its own)
 * picks them up, and a query with the append's position as read-your-writes token sees them, including
 * who wrote each (`event.metadata.userId`, the key's name).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../config/app-config';
import { createPrismApp } from '../main';
import { ProjectionsService } from '../projection-host/projections.service';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../../test/support/stores';

const BILLING_KEY = 'billing-key-append-0123456789';
const SHIPPING_KEY = 'shipping-key-append-0123456789';

/** A view named per run, so runs beside other test files never share it. */
function definition(name: string): string {
  return `
name: ${name}
version: 1
source:
  events: [InvoiceIssued, InvoicePaid]
  streamPrefix: invoice-
target:
  kind: relational
  table: ${name}
  key: invoice_id
  columns:
    invoice_id: { type: text }
    amount: { type: bigint }
    status: { type: text }
    issued_by: { type: text }
    paid_by: { type: text, nullable: true }
handlers:
  InvoiceIssued:
    - upsert:
        key: event.data.invoiceId
        set:
          amount: event.data.amount
          status: '"issued"'
          issued_by: event.metadata.userId
  InvoicePaid:
    - update:
        key: event.data.invoiceId
        set:
          status: '"paid"'
          paid_by: event.metadata.userId
`;
}

describeWithStores(['postgres'], 'append route feeding a projection', (urls) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'prism-append-projection-'));
  const view = uniqueTestName('invoices');
  let app: INestApplication;
  // Declared before the database's hooks: after-hooks run in declaration order, so the app closes first.
  afterAll(async () => {
    await app?.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const database = useTestDatabase(() => urls.postgres);

  beforeAll(async () => {
    writeFileSync(path.join(directory, 'invoices.yaml'), definition(view));
    app = await createPrismApp(
      loadConfig({
        PRISM_PG_URL: database.url,
        PRISM_PROJECTIONS_DIR: directory,
        PRISM_DATA_DIR: directory,
        PRISM_API_KEYS: `writer:billing-service:${BILLING_KEY},writer:shipping:${SHIPPING_KEY}`,
      }),
      { logger: false },
    );
    await app.init();
    await app.get(ProjectionsService).ready();
  });

  const http = () => request(app.getHttpServer() as Parameters<typeof request>[0]);

  it('projects the appended events, with who wrote each, readable at the returned position', async () => {
    const issued = await http()
      .post('/streams/invoice-i1/events')
      .set('Authorization', `Bearer ${BILLING_KEY}`)
      .send({
        events: [
          { type: 'InvoiceIssued', data: { invoiceId: 'i1', amount: 4200 } },
          { type: 'InvoiceIssued', data: { invoiceId: 'i2', amount: 990 } },
        ],
        expectedRevision: 'no_stream',
      })
      .expect(201);
    const paid = await http()
      .post('/streams/invoice-i1/events')
      .set('X-API-Key', SHIPPING_KEY)
      .set('If-Match', `"${issued.body.revision}"`)
      .send({ events: [{ type: 'InvoicePaid', data: { invoiceId: 'i1' } }] })
      .expect(201);
    expect(BigInt(paid.body.position as string)).toBeGreaterThan(BigInt(issued.body.position as string));

    const i1 = await http()
      .get(`/views/${view}/i1`)
      .query({ after: paid.body.position as string, wait: '10000' })
      .expect(200);
    expect(i1.body).toEqual({
      invoice_id: 'i1',
      amount: 4200,
      status: 'paid',
      issued_by: 'billing-service',
      paid_by: 'shipping',
    });
    const i2 = await http()
      .get(`/views/${view}/i2`)
      .set('X-Prism-After', paid.headers['x-prism-position'] as string)
      .expect(200);
    expect(i2.body).toMatchObject({
      amount: 990,
      status: 'issued',
      issued_by: 'billing-service',
      paid_by: null,
    });
  });
});
