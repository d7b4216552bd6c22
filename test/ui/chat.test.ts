// The customer chat page in a real browser (playwright-core driving Debian's /usr/bin/chromium, as the admin
// test): the customer opens the line's page and writes; an operator answers over REST (im.message.add); the reply
// appears without a reload; a reload keeps the conversation (the cookie); the rate limit shows its message. Each
// screen is saved under test/artifacts/chat/ (git-ignored) for a human to look at.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import { addLine } from '../helpers/lines.js';
import { parseAnswer, startTestServer, type TestServer } from '../helpers/server.js';
import { createTestDatabase } from '../helpers/stores.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join('test', 'artifacts', 'chat');
const WAIT_MS = 20_000;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

describe('customer chat page (Chromium)', () => {
  let t: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestServer();
    profile = mkdtempSync(join(tmpdir(), 'openlines-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 900, height: 760 },
    });
    context.setDefaultTimeout(WAIT_MS);
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('chat page: the customer writes, the operator replies over REST, the reply appears live and survives a reload', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    const line = await addLine(t, { LINE_NAME: 'Online Store', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: 1 }] });
    const url = (await t.call('openlines.livechat.get', { CONFIG_ID: line })).body.result.URL as string;
    assert.equal(url, `${t.url}/contact_center/${line}/`);

    // The admin page lists the line with its chat link.
    await page.goto(`${t.url}/admin/`);
    await page.locator('#credential').fill(t.hook);
    await page.locator('#sign-in').click();
    const link = page.locator(`#lines tr[data-id="${line}"] a.chat-link`);
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `/contact_center/${line}/`);
    await page.evaluate('sessionStorage.clear()');

    await page.goto(url);
    await page.locator('#line-name', { hasText: 'Online Store' }).waitFor();
    await page.locator('#status', { hasText: 'Online' }).waitFor();
    await shot(page, '01-empty');

    // The customer writes (Enter sends).
    await page.locator('#text').fill('Hello! Where is my order #1042?');
    await page.locator('#text').press('Enter');
    await page.locator('.chat-message.from-customer', { hasText: 'order #1042' }).waitFor();
    assert.equal(await page.locator('#text').inputValue(), '');
    await shot(page, '02-customer-wrote');

    // The operator finds the session and replies over REST.
    const sessions = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions;
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].source, 'livechat');
    const reply = await t.call('im.message.add', {
      DIALOG_ID: `chat${sessions[0].chatId}`,
      MESSAGE: 'Hi! It left our warehouse today.',
    });
    assert.equal(reply.status, 200, reply.text);

    // Without a reload: the stream brings it.
    const answer = page.locator('.chat-message.from-operator', { hasText: 'It left our warehouse today.' });
    await answer.waitFor();
    assert.match(await answer.locator('.chat-author').innerText(), /\S/);
    await shot(page, '03-operator-replied');

    // A reload keeps the conversation: the cookie names the same visitor.
    await page.reload();
    await page.locator('.chat-message.from-operator', { hasText: 'warehouse' }).waitFor();
    assert.equal(await page.locator('.chat-message.from-customer').count(), 1);
    const cookies = await context.cookies(url);
    assert.ok(cookies.some((c) => c.name === 'openlines_visitor' && c.httpOnly));

    // The customer replies again; the rate limit answers with its message in the page.
    for (let i = 0; i < 9; i++) {
      await page.locator('#text').fill(`Thanks ${i}`);
      await page.locator('#send').click();
      await page.locator('.chat-message.from-customer', { hasText: `Thanks ${i}` }).waitFor();
    }
    await page.locator('#text').fill('One more');
    await page.locator('#send').click();
    await page.locator('#chat-error', { hasText: 'Too many messages' }).waitFor();
    await shot(page, '04-rate-limited');
    // The refused POST is the console's "Failed to load resource" (429): expected, the page shows why.
    assert.deepEqual(
      pageErrors.filter((e) => !/status of 429/.test(e)),
      [],
    );
  });

  it('chat page: survives a server restart — the stream reconnects and the next reply arrives without a reload', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-restart-'));
    const database = await createTestDatabase('sqlite', dataDir);
    const settings = {
      ...loadSettings({}, { data: dataDir, database: database.url }),
      port: 0,
      httpsPort: -1,
      ratePlan: 'off' as const,
      logLevel: 'silent' as const,
    };
    const start = (port: number) => startServer({ ...settings, port }, { logger: pino({ level: 'silent' }) });
    let server: RunningServer = await start(0);
    const restartProfile = mkdtempSync(join(tmpdir(), 'openlines-chromium-'));
    const restartContext = await chromium.launchPersistentContext(restartProfile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 900, height: 760 },
    });
    restartContext.setDefaultTimeout(WAIT_MS);
    try {
      const port = Number(new URL(server.httpUrl).port);
      const hook = `${server.httpUrl}/rest/1/${server.firstWebhook!.code}/`;
      const call = async (method: string, params: Record<string, unknown>) =>
        parseAnswer(
          await fetch(`${hook}${method}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(params),
          }),
        );
      const line = (
        await call('imopenlines.config.add', {
          PARAMS: { LINE_NAME: 'Restart', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: 1 }] },
        })
      ).body.result as number;
      const tab = restartContext.pages()[0] ?? (await restartContext.newPage());
      const pageErrors: string[] = [];
      tab.on('pageerror', (error) => pageErrors.push(error.message));
      await tab.goto(`${server.httpUrl}/contact_center/${line}/`);
      await tab.locator('#status', { hasText: 'Online' }).waitFor();
      await tab.locator('#text').fill('Before the restart');
      await tab.locator('#text').press('Enter');
      await tab.locator('.chat-message.from-customer', { hasText: 'Before the restart' }).waitFor();

      await server.close();
      await tab.locator('#status', { hasText: 'Reconnecting' }).waitFor();
      await shot(tab, '05-server-down');
      server = await start(port);
      await tab.locator('#status', { hasText: 'Online' }).waitFor();

      const chatId = (await call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions[0].chatId;
      assert.equal(
        (await call('im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'After the restart' })).status,
        200,
      );
      await tab.locator('.chat-message.from-operator', { hasText: 'After the restart' }).waitFor();
      assert.equal(await tab.locator('.chat-message.from-customer').count(), 1);
      await shot(tab, '06-after-restart');
      assert.deepEqual(pageErrors, []);
    } finally {
      await restartContext.close();
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(restartProfile, { recursive: true, force: true });
    }
  });
});
