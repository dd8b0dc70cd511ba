/**
 * The projection console in a real browser (Debian's chromium through playwright-core) against the real
 * app on real PostgreSQL: the page and its security headers, a wrong key refused, logging in, a new
 * projection going live without a reload, pause and resume from the keyboard, a rebuild's progress, a
 * poison event (with markup in its payload, shown as text) replayed, verify, plan, a 409 and a server that
 * went away, each said in words. Screenshots go to test/artifacts/console/ (git-ignored).
 *
 * Projections: customer_directory (runs on PostgreSQL) and order_search (no Elasticsearch configured, so it
 * is failed: the 409 case).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config/app-config';
import { createPrismApp } from '../../src/main';
import { ProjectionsService } from '../../src/projection-host/projections.service';
import { describeWithStores, uniqueTestName, useTestDatabase } from '../support/stores';
import { describeWithBrowser, launchBrowser } from './console-browser';

const ADMIN_KEY = 'admin-key-for-console-e2e';
const NODE_ID = 'console-node-1';
const WRITER_KEY = 'writer-key-for-console-e2e';
const NAME = 'customer_directory';
/** A copy of customer_directory split into two segments (issue #15), each with its own lease. */
const SEGMENTED = 'customer_segments';
const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test/artifacts/console');
const DEFINITION_MARKUP = '# <img src=x onerror=window.xss=3><script>window.xss=4</script>';
/** Long enough for a loaded 2-core machine; every wait is on a condition, never a fixed sleep. */
const WAIT_MS = 30_000;

describeWithStores(['postgres'], 'projection console (browser)', (urls) => {
  describeWithBrowser('projection console (browser)', (executable) => {
    const database = useTestDatabase(() => urls.postgres);
    let app: INestApplication;
    let baseUrl: string;
    let projectionsDir: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    /** Page errors and Content-Security-Policy violations: none may happen. */
    const pageProblems: string[] = [];

    beforeAll(async () => {
      // The suite tests the bundle `npm run build` makes, built from the sources as they are now.
      execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      projectionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prism-console-'));
      for (const file of ['customer-directory.yaml', 'order-search.yaml'])
        fs.copyFileSync(path.join(ROOT, 'projections', file), path.join(projectionsDir, file));
      // Definitions are attacker-controlled too: markup in a comment must show as text.
      fs.appendFileSync(path.join(projectionsDir, 'customer-directory.yaml'), `${DEFINITION_MARKUP}\n`);
      const directory = fs.readFileSync(path.join(ROOT, 'projections', 'customer-directory.yaml'), 'utf8');
      // A definition with an error (a column it does not declare) is skipped at start and shown as such.
      fs.writeFileSync(
        path.join(projectionsDir, 'broken.yaml'),
        directory
          .replace(`name: ${NAME}`, 'name: broken_view')
          .replace(`table: ${NAME}`, 'table: broken_view')
          .replace('order_count: 1', 'order_cnt: 1'),
      );
      fs.writeFileSync(
        path.join(projectionsDir, 'customer-segments.yaml'),
        directory
          .replace(`name: ${NAME}`, `name: ${SEGMENTED}\nsegments: 2`)
          .replace(`table: ${NAME}`, `table: ${SEGMENTED}`),
      );
      const config = loadConfig({
        PRISM_PG_URL: database.url,
        PRISM_PROJECTIONS_DIR: projectionsDir,
        PRISM_API_KEYS: `admin:${ADMIN_KEY},writer:${WRITER_KEY}`,
        PRISM_NODE_ID: NODE_ID,
      });
      app = await createPrismApp(config, { logger: false });
      await app.listen(0, '127.0.0.1');
      baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      await app.get(ProjectionsService).ready();
      browser = await launchBrowser(executable);
      context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text()))
          pageProblems.push(`CSP: ${message.text()}`);
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      if (projectionsDir) fs.rmSync(projectionsDir, { recursive: true, force: true });
    });

    afterEach(async () => {
      const name =
        expect
          .getState()
          .currentTestName?.replace(/[^a-z0-9]+/gi, '-')
          .slice(0, 80) ?? 'test';
      await page
        ?.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
        .catch(() => undefined);
      expect(pageProblems.splice(0)).toEqual([]);
    });

    const id = (prefix: string) => uniqueTestName(prefix).replace(/_/g, '-');

    async function command(url: string, body: object): Promise<bigint> {
      const response = await fetch(`${baseUrl}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITER_KEY}` },
        body: JSON.stringify(body),
      });
      if (response.status >= 300)
        throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
      return BigInt(((await response.json()) as { position: string }).position);
    }

    const register = (customerId: string, name = 'Ada', email = `${customerId}@example.com`) =>
      command('/customers', { customerId, name, email, city: 'London' });

    async function adminCall(method: 'GET' | 'POST', url: string): Promise<Record<string, unknown>> {
      const response = await fetch(`${baseUrl}/admin/projections${url}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      return (await response.json()) as Record<string, unknown>;
    }

    /** The position as the console groups it (1 234 567). */
    const shown = (position: bigint) => position.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    const row = (name: string) => page.locator(`tr[data-projection="${name}"]`);

    async function logIn(key: string): Promise<void> {
      await page.goto(`${baseUrl}/console`);
      await inPage('sessionStorage.clear()');
      await page.reload();
      await page.locator('#admin-key').fill(key);
      await page.keyboard.press('Enter');
    }

    /** Evaluates an expression in the page (a string: the test's own types have no DOM). */
    const inPage = <T>(expression: string): Promise<T> => page.evaluate<T>(expression);

    /**
     * Waits until a page expression is true. (Not page.waitForFunction: it evaluates its string with eval,
     * which the console's Content-Security-Policy rightly refuses.)
     */
    async function until(expression: string): Promise<void> {
      const deadline = Date.now() + WAIT_MS;
      while (!(await inPage<boolean>(`Boolean(${expression})`))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${expression}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    /** Opens a console page with the admin key already given, so each test also runs on its own (-t). */
    async function openSignedIn(route: string): Promise<void> {
      await page.goto(`${baseUrl}/console`);
      await inPage(`sessionStorage.setItem('prism.console.adminKey', ${JSON.stringify(ADMIN_KEY)})`);
      await page.goto(`${baseUrl}/console#${route}`);
    }

    /** Presses Tab until the focused element is the button with this text (keyboard navigation). */
    async function tabTo(text: string): Promise<void> {
      for (let presses = 0; presses < 60; presses++) {
        await page.keyboard.press('Tab');
        const focused = await inPage<string>("document.activeElement?.textContent?.trim() ?? ''");
        if (focused === text) return;
      }
      throw new Error(`Tab never reached a "${text}" button`);
    }

    it('serves the page without a key, with a strict Content-Security-Policy; its data needs the admin key', async () => {
      const pageResponse = await fetch(`${baseUrl}/console`);
      expect(pageResponse.status).toBe(200);
      const csp = pageResponse.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(pageResponse.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await pageResponse.text();
      expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|https?:\/\//);
      expect((await fetch(`${baseUrl}/console/assets/main.js`)).headers.get('content-type')).toContain(
        'javascript',
      );
      expect((await fetch(`${baseUrl}/console/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
      expect((await fetch(`${baseUrl}/admin/console/overview`)).status).toBe(401);
    });

    it('refuses a wrong key in words and does not keep it', async () => {
      await logIn('not-the-admin-key');
      const alert = page.locator('[role="alert"]');
      await alert.waitFor({ timeout: WAIT_MS });
      expect(await alert.textContent()).toContain('The admin key was refused (401)');
      expect(await inPage<number>('sessionStorage.length')).toBe(0);
      expect(await page.locator('#admin-key').isVisible()).toBe(true);
      // Signed out, the header offers nothing that needs a key (its `hidden` once lost to a display rule).
      expect(await page.getByRole('button', { name: 'Forget the key' }).isVisible()).toBe(false);
      expect(await page.getByRole('link', { name: 'Plan' }).isVisible()).toBe(false);
    });

    it('logs in and shows a new projection going live, updated without a reload', async () => {
      await logIn(ADMIN_KEY);
      await row(NAME).locator('[data-state="live"]').waitFor({ timeout: WAIT_MS });
      await inPage('window.notReloaded = true');
      expect(await inPage<string>("sessionStorage.getItem('prism.console.adminKey')")).toBe(ADMIN_KEY);
      expect(page.url()).not.toContain(ADMIN_KEY);

      const position = await register(id('c'));
      // The checkpoint column (the 5th cell after the name) reaches the command's position.
      await until(
        `document.querySelector('tr[data-projection="${NAME}"] td:nth-child(5)')?.textContent === '${shown(position)}'`,
      );
      expect(await inPage<boolean>('window.notReloaded')).toBe(true);
      const cells = await row(NAME).locator('td').allTextContents();
      expect(cells[0]).toBe('postgres');
      // The Node column: this process holds the projection's lease (PostgreSQL coordination).
      expect(cells[cells.length - 2]).toBe(NODE_ID);
      expect(cells.slice(4, 6)).toEqual([shown(position), '0']); // head, behind
      // The failed projection is listed with its state, styled as a known bad state.
      expect(await row('order_search').locator('[data-state="failed"]').getAttribute('class')).toContain(
        'state-bad',
      );
      // The sparkline has its samples (the server samples every 5 s; the first at the first overview).
      await row(NAME)
        .locator('svg.sparkline polyline')
        .first()
        .waitFor({ state: 'attached', timeout: WAIT_MS });
      await page.screenshot({
        path: path.join(ARTIFACTS, 'overview.png'),
        clip: { x: 0, y: 0, width: 1180, height: 300 },
      });
    }, 90_000);

    it('shows which node runs each segment of a segmented projection', async () => {
      await openSignedIn('/');
      await row(SEGMENTED).locator('[data-state="live"]').waitFor({ timeout: WAIT_MS });
      // The Node column lists the nodes holding its segments' leases; the title says which segments.
      const owners = row(SEGMENTED).locator('.segment-owners');
      expect(await owners.textContent()).toBe(NODE_ID);
      expect(await owners.getAttribute('title')).toBe(`segments 0, 1: ${NODE_ID}`);

      await openSignedIn(`/p/${SEGMENTED}`);
      const segments = page.locator('table[aria-label="Segments"] tbody tr');
      await segments.first().waitFor({ timeout: WAIT_MS });
      await until(
        `document.querySelectorAll('table[aria-label="Segments"] [data-state="live"]').length === 2`,
      );
      const rows = await segments.allTextContents();
      expect(rows).toHaveLength(2);
      for (const [index, text] of rows.entries()) {
        expect(text.startsWith(String(index))).toBe(true);
        expect(text).toMatch(new RegExp(`${NODE_ID} \\(lease held for .+, epoch \\d+\\)`));
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'segments.png'), fullPage: true });
      // An unsegmented projection says who runs it in its facts instead.
      await openSignedIn(`/p/${NAME}`);
      await page.locator('dt', { hasText: 'Runs on' }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('dt:has-text("Runs on") + dd').textContent()).toContain(NODE_ID);
    }, 90_000);

    it('says which store a stalled projection waits for, since when, and its last error', async () => {
      // A stall needs a store that stops answering mid-run; the admin API's stall report is tested in
      // test/e2e/projection-outages.e2e.spec.ts; here the browser gets that report as the API writes it, on top of real answers.
      const since = new Date(Date.now() - 90_000).toISOString();
      const stalledUrl = `${baseUrl}/admin/projections/${NAME}`;
      await page.route(stalledUrl, async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as Record<string, unknown>;
        await route.fulfill({
          response,
          json: {
            ...body,
            state: 'stalled',
            stall: {
              store: 'view-store',
              kind: 'postgres',
              since,
              lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
            },
          },
        });
      });
      try {
        await openSignedIn(`/p/${NAME}`);
        const stall = page.locator('.message-warn', { hasText: 'Stalled since' });
        await stall.waitFor({ timeout: WAIT_MS });
        expect(await stall.textContent()).toContain('its view store (postgres) is not answering');
        expect(await stall.locator('pre').textContent()).toBe('connect ECONNREFUSED 127.0.0.1:5432');
        expect(await page.locator('h1 [data-state="stalled"]').count()).toBe(1);
      } finally {
        await page.unroute(stalledUrl);
      }
    }, 90_000);

    it('lists a definition skipped for its errors, and says on its page which errors, with file:line:col', async () => {
      await openSignedIn('/');
      await row('broken_view').locator('[data-state="broken-definition"]').waitFor({ timeout: WAIT_MS });
      await openSignedIn('/p/broken_view');
      const box = page.locator('.message-error', { hasText: 'has errors, so it was skipped at start' });
      await box.waitFor({ timeout: WAIT_MS });
      expect(await box.textContent()).toContain('broken.yaml');
      const errors = await box.locator('li code').allTextContents();
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.some((error) => /broken\.yaml:\d+:\d+/.test(error) && error.includes('order_cnt'))).toBe(
        true,
      );
    }, 90_000);

    it('draws text, badges and buttons with at least 4.5:1 contrast (WCAG AA)', async () => {
      await openSignedIn(`/p/${NAME}`);
      await page.locator('h1 [data-state]').waitFor({ timeout: WAIT_MS });
      // Each element's text colour against the first opaque background behind it.
      const ratios = await inPage<{ what: string; ratio: number }[]>(`(() => {
        const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => {
          const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
        };
        const background = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const elements = [...document.querySelectorAll('.state, button, a, h1, h2, dt, dd, p, .yaml code span')];
        return elements.filter((e) => e.offsetParent !== null).map((e) => {
          const a = lum(rgb(getComputedStyle(e).color).slice(0, 3));
          const b = lum(background(e));
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          return { what: e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 20), ratio };
        });
      })()`);
      expect(ratios.length).toBeGreaterThan(20);
      expect(ratios.filter((r) => r.ratio < 4.5)).toEqual([]);
    });

    it('pauses from the keyboard after a confirmation that says what happens, then resumes', async () => {
      await openSignedIn(`/p/${NAME}`);
      await page.locator('h1 [data-state]').waitFor({ timeout: WAIT_MS });
      await tabTo('Pause');
      await page.keyboard.press('Enter');
      const dialog = page.locator('dialog[open]');
      await dialog.waitFor({ timeout: WAIT_MS });
      expect(await dialog.textContent()).toContain('stops applying events');
      await page.keyboard.press('Tab'); // from Cancel (focused first) to the confirming button
      await page.keyboard.press('Enter');
      await page.locator('h1 [data-state="paused"]').waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.message-ok').textContent()).toContain('Paused');

      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('dialog[open]').getByRole('button', { name: 'Resume' }).click();
      await until(
        "!['paused', undefined, null].includes(document.querySelector('h1 [data-state]')?.getAttribute('data-state'))",
      );
    }, 90_000);

    it('starts a rebuild and shows its progress, then the new generation', async () => {
      // Paused, the new generation waits at 0, so its progress stays on screen until resumed.
      await adminCall('POST', `/${NAME}/pause`);
      await openSignedIn(`/p/${NAME}`);
      await page.getByRole('button', { name: 'Rebuild' }).click();
      const dialog = page.locator('dialog[open]');
      expect(await dialog.textContent()).toContain('built from the start of the log beside the live view');
      await dialog.getByRole('button', { name: 'Rebuild' }).click();
      await page.locator('.message-ok').filter({ hasText: 'Generation 2' }).waitFor({ timeout: WAIT_MS });
      const panel = page.locator('section[aria-labelledby="rebuild-title"]');
      await panel.getByText('Rebuild in progress: generation 2').waitFor({ timeout: WAIT_MS });
      expect(await panel.locator('progress').count()).toBe(1);
      expect(await panel.locator('.rebuild-percent').textContent()).toMatch(/^\d+\.\d%$/);
      expect(await panel.textContent()).toContain('ETA');
      await page.screenshot({ path: path.join(ARTIFACTS, 'rebuild.png'), fullPage: true });

      await adminCall('POST', `/${NAME}/resume`);
      await panel.waitFor({ state: 'hidden', timeout: WAIT_MS });
      await page
        .locator('section[aria-labelledby="generations-title"] tr', { hasText: 'g2' })
        .filter({ hasText: 'active' })
        .waitFor({ timeout: WAIT_MS });
    }, 90_000);

    it('verifies the view and shows the definition highlighted', async () => {
      await openSignedIn(`/p/${NAME}`);
      const yaml = page.locator('pre.yaml').first();
      await yaml.waitFor({ timeout: WAIT_MS });
      expect(await yaml.textContent()).toContain('name: customer_directory');
      expect(await yaml.locator('.yaml-key').first().textContent()).toBeTruthy();
      expect(await yaml.locator('.yaml-comment').count()).toBeGreaterThan(0);
      expect(await yaml.textContent()).toContain(DEFINITION_MARKUP);
      expect(await page.locator('pre.yaml img, pre.yaml script').count()).toBe(0);
      expect(await inPage<unknown>('window.xss')).toBeUndefined();
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByText('No differences').waitFor({ timeout: WAIT_MS });
    }, 90_000);

    it('shows a parked event with its payload as text, and replays it once its cause is fixed', async () => {
      const email = `${id('dup')}@example.com`;
      const first = id('c');
      const poison = id('c');
      await register(first, 'Ada', email);
      // Same email: the view's unique index refuses the row, so the event is parked. Its name is markup.
      const markup = '<img src=x onerror=window.xss=1><script>window.xss=2</script>';
      const parkedAt = await register(poison, markup, email);
      await openSignedIn(`/p/${NAME}/parked`);
      const article = page.locator(`article[data-position="${parkedAt}"]`);
      await article.waitFor({ timeout: WAIT_MS });
      expect(await article.locator('.reason').textContent()).toMatch(/unique|duplicate/i);
      await article.locator('summary').click();
      expect(await article.locator('.payload').textContent()).toContain(markup);
      expect(await page.locator('.payload img, .payload script').count()).toBe(0);
      expect(await inPage<unknown>('window.xss')).toBeUndefined();
      await page.screenshot({ path: path.join(ARTIFACTS, 'parked.png'), fullPage: true });

      const failedAgain = article.getByRole('button', { name: 'Replay' });
      await failedAgain.click();
      await page.getByText('failed again and stays parked').waitFor({ timeout: WAIT_MS });

      const generation = ((await adminCall('GET', `/${NAME}`)).live as { generation: number }).generation;
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`DELETE FROM prism.customer_directory__g${generation} WHERE customer_id = $1`, [
          first,
        ]);
      } finally {
        await client.end();
      }
      await page
        .locator(`article[data-position="${parkedAt}"]`)
        .getByRole('button', { name: 'Replay' })
        .click();
      await page.getByText(`Replayed the event at ${shown(parkedAt)}: applied`).waitFor({ timeout: WAIT_MS });
      await page.getByText('No parked events.').waitFor({ timeout: WAIT_MS });
    }, 90_000);

    it("plans a changed definition and shows plan's answer", async () => {
      await openSignedIn(`/plan/${NAME}`);
      const text = page.locator('#plan-definition');
      await until("document.querySelector('#plan-definition')?.value.includes('name:')");
      const changed = (await text.inputValue()).replace(
        /( +)city: \{ type: text, nullable: true \}\n/,
        '$&$1nickname: { type: text, nullable: true }\n',
      );
      expect(changed).toContain('nickname');
      await text.fill(changed);
      await page.getByRole('button', { name: 'Plan' }).click();
      const report = page.locator('.plan-report');
      await report.waitFor({ timeout: WAIT_MS });
      expect(await report.locator('.plan-action').textContent()).toBe('REBUILD');
      expect(await report.textContent()).toContain('+ column nickname');
      await page.screenshot({ path: path.join(ARTIFACTS, 'plan.png'), fullPage: true });

      await text.fill('name: [unclosed');
      await page.getByRole('button', { name: 'Plan' }).click();
      await page.getByText('The definition does not validate (422)').waitFor({ timeout: WAIT_MS });
    }, 90_000);

    it('says in words why an operation is refused (409 for a projection that is not running)', async () => {
      await openSignedIn(`/p/order_search`);
      await page.locator('h1 [data-state="failed"]').waitFor({ timeout: WAIT_MS });
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('dialog[open]').getByRole('button', { name: 'Pause' }).click();
      const alert = page.locator('[role="alert"]');
      await alert.waitFor({ timeout: WAIT_MS });
      expect(await alert.textContent()).toContain('Not possible right now (409)');
      expect(await alert.textContent()).toContain('failed');
    }, 90_000);

    it('says the server is not answering when it goes away, and keeps the page', async () => {
      await openSignedIn(`/`);
      await row(NAME).waitFor({ timeout: WAIT_MS });
      await app.close();
      await page
        .locator('.connection-error')
        .getByText('Prism is not answering')
        .waitFor({ timeout: WAIT_MS });
      expect(await row(NAME).isVisible()).toBe(true);
    }, 90_000);
  });
});
