// The operator's workplace and the customer chat in two browser contexts on one server (playwright-core driving
// Debian's /usr/bin/chromium, as the admin test): a wrong sign-in gets a clear message; the customer writes; the
// operator signs in, sees the offer arrive, answers, replies; the customer sees the reply without reloading and
// replies again; the operator sees it, finishes (the conversation moves to Finished) and opens its history. The
// workplace runs with its fallback poll set to ten minutes (`?poll=600000`): everything it shows arrives through
// the live stream (openlines.workplace.stream). Also: an `all`-mode line offers a conversation to two operators at
// once, and the workplace reconnects after a server restart. Screens go to test/artifacts/operator/ (git-ignored).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ManualClock } from '../../src/clock.js';
import { SESSION_STATUS } from '../../src/domain/dialogs/session.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import { findSession } from '../../src/store/dialogs-repository.js';
import { addLine } from '../helpers/lines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
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
const ARTIFACTS = join('test', 'artifacts', 'operator');
const WAIT_MS = 20_000;
/** The workplace's fallback poll, set long: what the tests see arrives through the stream. */
const NO_POLL = '?poll=600000';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

describe('operator workplace with the customer chat (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let profile: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestServer();
    profile = mkdtempSync(join(tmpdir(), 'openlines-chromium-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('workplace: wrong sign-in, offer arrives, answer, replies both ways live, finish', async () => {
    const errors: string[] = [];
    const olga = await t.server.directory.addUser({ name: 'Olga', online: true });
    const hook = await t.webhookFor(olga, ['imopenlines', 'im']);
    // 'strictly': the session is offered to Olga by name ('all' mode: the test below).
    const line = await addLine(t, {
      LINE_NAME: 'Shop help',
      QUEUE_TYPE: 'strictly',
      QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: olga }],
    });

    const customerContext = await browser.newContext({ viewport: { width: 800, height: 700 } });
    const operatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    customerContext.setDefaultTimeout(WAIT_MS);
    operatorContext.setDefaultTimeout(WAIT_MS);
    const customer = await customerContext.newPage();
    const operator = await operatorContext.newPage();
    for (const page of [customer, operator]) {
      page.on('pageerror', (error) => errors.push(error.message));
      // No console errors either (the wrong sign-in's 401 is the browser's network log, not the page's).
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().includes('401')) errors.push(message.text());
      });
    }

    // A wrong sign-in: a clear message, nothing kept.
    await operator.goto(`${t.url}/operator/${NO_POLL}`);
    await operator.locator('#credential').fill(`${t.url}/rest/${olga}/not-the-code/`);
    await operator.locator('#sign-in').click();
    await operator.locator('#sign-in-error', { hasText: 'Sign-in failed' }).waitFor();
    assert.match(await operator.locator('#sign-in-error').innerText(), /NO_AUTH_FOUND/);
    await shot(operator, '01-wrong-sign-in');

    await operator.locator('#credential').fill(hook);
    await operator.locator('#sign-in').click();
    await operator.locator('#presence', { hasText: 'Online' }).waitFor();
    await operator.locator('#live', { hasText: 'Live' }).waitFor();
    await shot(operator, '02-signed-in');

    // The customer writes; the offer appears in the operator's tab without a reload.
    await customer.goto(`${t.url}/contact_center/${line}/`);
    await customer.locator('#status', { hasText: 'Online' }).waitFor();
    await customer.locator('#text').fill('Hi, can I change my delivery address?');
    await customer.locator('#text').press('Enter');
    await customer.locator('.chat-message.from-customer').waitFor();
    const offer = operator.locator('#offered .session-item');
    await offer.waitFor();
    await shot(operator, '03-offer-arrived');

    // Open, answer, reply.
    await offer.click();
    await operator.locator('.op-message.from-customer', { hasText: 'delivery address' }).waitFor();
    await operator.locator('#answer').click();
    await operator.locator('#own .session-item').waitFor();
    await operator.locator('#reply-text').fill('Of course — what is the new address?');
    await operator.locator('#reply-send').click();
    await operator.locator('.op-message.from-operator', { hasText: 'new address' }).waitFor();
    await shot(operator, '04-answered-replied');

    // The customer sees it live and replies; the operator sees that.
    await customer.locator('.chat-message.from-operator', { hasText: 'new address' }).waitFor();
    await customer.locator('#text').fill('5 Elm Street, please.');
    await customer.locator('#send').click();
    await shot(customer, '05-customer-sees-reply');
    await operator.locator('.op-message.from-customer', { hasText: 'Elm Street' }).waitFor();

    // Pause and resume, then finish.
    await operator.locator('#presence').click();
    await operator.locator('#presence', { hasText: 'Paused' }).waitFor();
    assert.equal((await t.call('imopenlines.operator.pause.get', {}, { hook })).body.result, true);
    await operator.locator('#presence').click();
    await operator.locator('#presence', { hasText: 'Online' }).waitFor();
    await operator.locator('#finish').click();
    await operator.locator('#action-result', { hasText: 'Finish: done' }).waitFor();
    // Finished (status 50): out of "Your conversations", under Finished until the line closes it for good.
    await operator.locator('#finished .session-item', { hasText: 'finished' }).waitFor();
    await operator.locator('#own .muted', { hasText: 'None yet.' }).waitFor();
    await shot(operator, '06-finished');
    // Finished: waiting for the customer (status 50) until the line closes it for good.
    const sessions = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions;
    const session = await t.server.store.read((db) => findSession(db, sessions[0].id));
    assert.equal(session?.status, SESSION_STATUS.WAIT_CLIENT);

    // The customer rates the conversation; the operator sees the vote.
    await customer.locator('#like').click();
    await customer.locator('.chat-message.from-system', { hasText: 'Thank you!' }).waitFor();
    assert.equal(await customer.locator('#rate').isHidden(), true);
    await shot(customer, '07-customer-rated');
    await operator.locator('#finished .session-item', { hasText: 'liked' }).waitFor();
    await shot(operator, '08-operator-sees-vote');

    // The session's history (imopenlines.session.history.get), from the conversation.
    await operator.locator('#history').click();
    await operator.locator('#history-list .history-item', { hasText: 'delivery address' }).waitFor();
    await operator.locator('#history-list .history-item', { hasText: 'Elm Street' }).waitFor();
    assert.match(await operator.locator('#history-view h3').innerText(), /Session \d+ · history/);
    await shot(operator, '08b-session-history');
    await operator.locator('#history-close').click();
    assert.equal(await operator.locator('#history-view').isHidden(), true);

    // A second customer; Olga transfers the conversation to Ivan.
    const ivan = await t.server.directory.addUser({ name: 'Ivan', online: true });
    const secondContext = await browser.newContext({ viewport: { width: 800, height: 700 } });
    secondContext.setDefaultTimeout(WAIT_MS);
    const second = await secondContext.newPage();
    second.on('pageerror', (error) => errors.push(error.message));
    await second.goto(`${t.url}/contact_center/${line}/`);
    await second.locator('#status', { hasText: 'Online' }).waitFor();
    await second.locator('#text').fill('Do you ship abroad?');
    await second.locator('#text').press('Enter');
    // Another conversation is open: the new one is marked as having new messages until it is opened.
    const offered = operator.locator('#offered .session-item.unread', { hasText: '●' });
    await offered.waitFor();
    await offered.click();
    await operator.locator('#offered .session-item:not(.unread)').waitFor();
    await operator.locator('.op-message.from-customer', { hasText: 'ship abroad' }).waitFor();
    await operator.locator('#transfer-to').fill(String(ivan));
    await operator.locator('#transfer').click();
    await operator.locator('#action-result', { hasText: `Transferred to ${ivan}` }).waitFor();
    await shot(operator, '09-transferred');
    const all = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions;
    const moved = all.find((s: { chatId: number }) => s.chatId !== sessions[0].chatId);
    assert.equal(moved.operatorId, ivan);

    await secondContext.close();
    await customerContext.close();
    await operatorContext.close();
    assert.deepEqual(errors, []);
  });

  it('workplace on the test clock: unanswered for QUEUE_TIME, the offer moves to the next operator', async () => {
    const clock = new ManualClock(Date.now());
    const c = await startTestServer({ clock });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT_MS);
    try {
      const anna = await c.server.directory.addUser({ name: 'Anna', online: true });
      const boris = await c.server.directory.addUser({ name: 'Boris', online: true });
      const line = await addLine(c, {
        LINE_NAME: 'Queue',
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
        KPI_FIRST_ANSWER_TIME: 30,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [anna],
        QUEUE: [
          { ENTITY_TYPE: 'user', ENTITY_ID: anna },
          { ENTITY_TYPE: 'user', ENTITY_ID: boris },
        ],
      });
      const borisHook = await c.webhookFor(boris, ['imopenlines', 'im']);
      const annaHook = await c.webhookFor(anna, ['imopenlines', 'im']);
      const annaPlace = await context.newPage();
      await annaPlace.goto(`${c.url}/operator/${NO_POLL}`);
      await annaPlace.evaluate('sessionStorage.clear()');
      const workplace = await context.newPage();
      const errors: string[] = [];
      workplace.on('pageerror', (error) => errors.push(error.message));
      await workplace.goto(`${c.url}/operator/${NO_POLL}`);
      await workplace.locator('#credential').fill(borisHook);
      await workplace.locator('#sign-in').click();
      await workplace.locator('#presence', { hasText: 'Online' }).waitFor();

      const chat = await context.newPage();
      await chat.goto(`${c.url}/contact_center/${line}/`);
      await chat.locator('#status', { hasText: 'Online' }).waitFor();
      await chat.locator('#text').fill('Anyone?');
      await chat.locator('#text').press('Enter');
      await chat.locator('.chat-message.from-customer').waitFor();
      const first = (await c.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions[0];
      assert.equal(first.operatorId, anna);
      await workplace.locator('#offered .muted', { hasText: 'Nothing waiting.' }).waitFor();

      // Anna does not answer within QUEUE_TIME: the test clock moves, the offer goes to Boris.
      await clock.advance(61_000);
      await c.server.scheduler.runDue();
      const moved = (await c.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions[0];
      assert.equal(moved.operatorId, boris);
      await workplace.locator('#offered .session-item').waitFor();
      await shot(workplace, '10-redistributed-after-queue-time');

      // The first answer took over 30 s (KPI_FIRST_ANSWER_TIME): the alert to the users of KPI_FIRST_ANSWER_LIST
      // (Anna here) shows in her workplace.
      await annaPlace.locator('#credential').fill(annaHook);
      await annaPlace.locator('#sign-in').click();
      await annaPlace.locator('#alerts .alert-item').waitFor();
      assert.match(await annaPlace.locator('#alerts .alert-item').first().innerText(), /exceeded/);
      await shot(annaPlace, '11-kpi-alert');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await c.close();
    }
  });

  it('all mode: a new conversation is offered to two operators at once; one answers, it leaves the other', async () => {
    const errors: string[] = [];
    const vera = await t.server.directory.addUser({ name: 'Vera', online: true });
    const yuri = await t.server.directory.addUser({ name: 'Yuri', online: true });
    const line = await addLine(t, {
      LINE_NAME: 'Everyone',
      QUEUE_TYPE: 'all',
      WELCOME_MESSAGE: 'N',
      QUEUE: [
        { ENTITY_TYPE: 'user', ENTITY_ID: vera },
        { ENTITY_TYPE: 'user', ENTITY_ID: yuri },
      ],
    });
    const contexts = await Promise.all(
      [0, 1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 800 } })),
    );
    try {
      const places: Page[] = [];
      for (const [i, user] of [vera, yuri].entries()) {
        contexts[i]!.setDefaultTimeout(WAIT_MS);
        const page = await contexts[i]!.newPage();
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${t.url}/operator/${NO_POLL}`);
        await page.locator('#credential').fill(await t.webhookFor(user, ['imopenlines', 'im']));
        await page.locator('#sign-in').click();
        await page.locator('#live', { hasText: 'Live' }).waitFor();
        places.push(page);
      }
      contexts[2]!.setDefaultTimeout(WAIT_MS);
      const chat = await contexts[2]!.newPage();
      chat.on('pageerror', (error) => errors.push(error.message));
      await chat.goto(`${t.url}/contact_center/${line}/`);
      await chat.locator('#status', { hasText: 'Online' }).waitFor();
      await chat.locator('#text').fill('Whoever is free, please');
      await chat.locator('#text').press('Enter');
      const [veraPlace, yuriPlace] = places as [Page, Page];
      await veraPlace.locator('#offered .session-item').waitFor();
      await yuriPlace.locator('#offered .session-item').waitFor();
      await shot(veraPlace, '12-all-mode-offer-vera');
      await shot(yuriPlace, '13-all-mode-offer-yuri');

      // Yuri answers: his conversation; Vera's offer goes.
      await yuriPlace.locator('#offered .session-item').click();
      await yuriPlace.locator('#answer').click();
      await yuriPlace.locator('#own .session-item').waitFor();
      await veraPlace.locator('#offered .muted', { hasText: 'Nothing waiting.' }).waitFor();
      await shot(veraPlace, '14-all-mode-taken-by-another');
      assert.deepEqual(errors, []);
    } finally {
      for (const context of contexts) await context.close();
    }
  });

  it('fallback: with the stream off the page polls REST, and an all-mode offer still shows (v2.Session.list)', async () => {
    const errors: string[] = [];
    const pia = await t.server.directory.addUser({ name: 'Pia', online: true });
    const line = await addLine(t, {
      LINE_NAME: 'Polled',
      QUEUE_TYPE: 'all',
      WELCOME_MESSAGE: 'N',
      QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: pia }],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT_MS);
    try {
      const place = await context.newPage();
      place.on('pageerror', (error) => errors.push(error.message));
      await place.goto(`${t.url}/operator/?stream=0&poll=500`);
      await place.locator('#credential').fill(await t.webhookFor(pia, ['imopenlines', 'im']));
      await place.locator('#sign-in').click();
      await place.locator('#live', { hasText: 'Polling' }).waitFor();
      const sent = await t.request(`/contact_center/${line}/api/messages`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          cookie: 'openlines_visitor=00000000-0000-4000-8000-00000000f00d',
        },
        body: JSON.stringify({ text: 'Is anyone polling?' }),
      });
      assert.equal(sent.status, 200, sent.text);
      await place.locator('#offered .session-item').waitFor();
      await shot(place, '17-polling-fallback');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('restart: the workplace reconnects to the restarted server and the next offer arrives live', async () => {
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT_MS);
    try {
      const port = Number(new URL(server.httpUrl).port);
      const admin = `${server.httpUrl}/rest/1/${server.firstWebhook!.code}/`;
      const call = async (method: string, params: Record<string, unknown>) => {
        const answer = await fetch(`${admin}${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(params),
        });
        return (await answer.json()) as { result: unknown };
      };
      const zoe = await server.directory.addUser({ name: 'Zoe', online: true });
      const hook = await server.directory.createWebhook({
        userId: zoe,
        scopes: ['imopenlines', 'im'],
        strict: false,
        expiresAt: null,
      });
      const line = (
        await call('imopenlines.config.add', {
          PARAMS: { LINE_NAME: 'Restart', QUEUE_TYPE: 'strictly', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: zoe }] },
        })
      ).result as number;
      const errors: string[] = [];
      const place = await context.newPage();
      place.on('pageerror', (error) => errors.push(error.message));
      await place.goto(`${server.httpUrl}/operator/${NO_POLL}`);
      await place.locator('#credential').fill(`${server.httpUrl}/rest/${zoe}/${hook.code}/`);
      await place.locator('#sign-in').click();
      await place.locator('#live', { hasText: 'Live' }).waitFor();

      await server.close();
      await place.locator('#live:not([data-state="live"])').waitFor();
      await shot(place, '15-server-down');
      server = await start(port);
      await place.locator('#live', { hasText: 'Live' }).waitFor();

      // A customer writes after the restart: the offer reaches the open tab through the new server's stream.
      const sent = await fetch(`${server.httpUrl}/contact_center/${line}/api/messages`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          cookie: 'openlines_visitor=00000000-0000-4000-8000-00000000abcd',
        },
        body: JSON.stringify({ text: 'After the restart' }),
      });
      assert.equal(sent.status, 200);
      await place.locator('#offered .session-item').waitFor();
      await shot(place, '16-after-restart');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
