// openlines.workplace.stream (issue 19): the operator's workplace as server-sent events under /rest/, on every
// store. The same credentials and errors as any method (a wrong webhook, a missing scope, batch, a bad resume id,
// too many tabs); each operator sees only their own offers, sessions and messages — in `all` mode every queue
// operator gets the offer; a reconnect with the last event id gets what was missed; many tabs of one operator cost
// one read per wake, not one per tab.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import { addLine } from '../helpers/lines.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { isStream, openSse, type SseStream } from '../helpers/sse.js';
import { createTestDatabase } from '../helpers/stores.js';

const METHOD = 'openlines.workplace.stream';

function assertError(answer: SseStream | CallResult, status: number, error: string): void {
  assert.ok(!isStream(answer), 'an error, not a stream');
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.error, error, answer.text);
}

async function stream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const opened = await openSse(url, headers);
  assert.ok(isStream(opened), isStream(opened) ? '' : opened.text);
  return opened;
}

for (const store of STORES) {
  describe(`openlines.workplace.stream [${store}]`, () => {
    let t: TestServer;
    let anna: number;
    let boris: number;
    const hooks: Record<string, string> = {};
    let strict: number;
    let everyone: number;
    const open: SseStream[] = [];
    let visitors = 0;

    /** A new visitor writes on `line` through the chat page; their cookie, to write again. */
    async function customer(line: number, text: string, cookie = ''): Promise<string> {
      if (cookie === '') cookie = `openlines_visitor=00000000-0000-4000-8000-${String(++visitors).padStart(12, '0')}`;
      const sent = await t.request(`/contact_center/${line}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', cookie },
        body: JSON.stringify({ text }),
      });
      assert.equal(sent.status, 200, sent.text);
      return cookie;
    }
    async function tab(who: string, headers: Record<string, string> = {}): Promise<SseStream> {
      const s = await stream(`${hooks[who]}${METHOD}`, headers);
      open.push(s);
      return s;
    }

    before(async () => {
      // Keep-alive comments every 50 ms (15 s in production), so a test sees them.
      t = await startTestServer({ store, streamHeartbeatMs: 50 });
      anna = await t.server.directory.addUser({ name: 'Anna', online: true });
      boris = await t.server.directory.addUser({ name: 'Boris', online: true });
      hooks.anna = await t.webhookFor(anna, ['imopenlines', 'im']);
      hooks.boris = await t.webhookFor(boris, ['imopenlines', 'im']);
      hooks.annaIm = await t.webhookFor(anna, ['im']);
      const quiet = { WELCOME_MESSAGE: 'N', VOTE_MESSAGE: 'N' };
      strict = await addLine(t, {
        LINE_NAME: 'Strict',
        QUEUE_TYPE: 'strictly',
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: anna }],
        ...quiet,
      });
      everyone = await addLine(t, {
        LINE_NAME: 'Everyone',
        QUEUE_TYPE: 'all',
        QUEUE: [
          { ENTITY_TYPE: 'user', ENTITY_ID: anna },
          { ENTITY_TYPE: 'user', ENTITY_ID: boris },
        ],
        ...quiet,
      });
    });
    after(async () => {
      for (const s of open) s.close();
      await t.close();
    });

    it('errors: the envelope of any method — wrong webhook, missing scope, batch, a bad resume id', async () => {
      assertError(await openSse(`${t.url}/rest/${anna}/wrong-code/${METHOD}`), 401, 'NO_AUTH_FOUND');
      assertError(await openSse(`${hooks.annaIm}${METHOD}`), 403, 'insufficient_scope');
      assertError(await openSse(`${hooks.anna}${METHOD}?LAST_EVENT_ID=yesterday`), 400, 'WORKPLACE_EVENT_ID');
      assertError(await openSse(`${hooks.anna}${METHOD}`, { 'Last-Event-ID': '12' }), 400, 'WORKPLACE_EVENT_ID');
      const batch = await t.call('batch', { cmd: { s: METHOD } }, { hook: hooks.anna });
      assert.equal(batch.status, 200, batch.text);
      assert.equal(batch.body.result.result_error.s.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
      assertError(await openSse(`${t.url}/rest/${METHOD}?auth=not-a-token`), 401, 'NO_AUTH_FOUND');
    });

    it('HEAD: the headers of a stream, and the answer ends (no stream is held open)', async () => {
      const head = await fetch(`${hooks.anna}${METHOD}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(await head.text(), '');
    });

    it('opens with the retry hint and the state; an OAuth token works as auth=', async () => {
      const app = await t.server.oauth.createApp({ name: 'Desk', scopes: ['imopenlines', 'im'] });
      const token = (await t.server.oauth.issueToken(app.clientId, anna)).accessToken;
      const s = await stream(`${t.url}/rest/${METHOD}?auth=${token}`);
      open.push(s);
      assert.equal(s.status, 200);
      assert.match(s.contentType, /^text\/event-stream/);
      const state = await s.next('OnOpenlinesWorkplaceState');
      assert.ok(Array.isArray(state.data.SESSIONS));
      assert.match(state.id, /^\d+-\d+$/);
      assert.equal(s.retry, 2000);
      // Heartbeats: comments that keep the connection visibly alive while nothing happens.
      await waitFor(() => s.comments.includes('ping'));
      s.close();
    });

    it('filtered: a strictly-offered session reaches its operator only; in all mode every queue operator', async () => {
      const a = await tab('anna');
      const b = await tab('boris');
      await a.next('OnOpenlinesWorkplaceState');
      await b.next('OnOpenlinesWorkplaceState');
      await customer(strict, 'For Anna only');
      const offer = await a.next('OnOpenlinesSessionOffer');
      assert.equal(offer.data.SESSION.configId, strict);
      assert.equal(offer.data.SESSION.status, 'new');
      assert.equal(offer.data.WAIT_ANSWER, true);
      assert.equal(offer.data.VISIBLE, true);
      const chatId = offer.data.SESSION.chatId;
      const message = await a.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'For Anna only');
      assert.equal(message.data.CHAT_ID, chatId);

      await customer(everyone, 'For everyone');
      const toAnna = await a.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.configId === everyone);
      const toBoris = await b.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.configId === everyone);
      assert.equal(toAnna.data.SESSION.id, toBoris.data.SESSION.id);
      assert.equal(toBoris.data.SESSION.operatorId, 0);
      await b.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'For everyone');
      // Boris never saw Anna's strictly-offered chat.
      assert.ok(!b.events.some((e) => e.data.SESSION?.chatId === chatId || e.data.CHAT_ID === chatId));

      // Anna answers the all-mode session: Boris sees it leave his view.
      const answered = await t.call(
        'imopenlines.operator.answer',
        { CHAT_ID: toAnna.data.SESSION.chatId },
        { hook: hooks.anna },
      );
      assert.equal(answered.body.result, true, answered.text);
      const gone = await b.next(
        'OnOpenlinesSessionUpdate',
        (e) => e.data.SESSION.id === toBoris.data.SESSION.id && e.data.VISIBLE === false,
      );
      assert.equal(gone.data.SESSION.operatorId, anna);
      const mine = await a.next(
        'OnOpenlinesSessionUpdate',
        (e) => e.data.SESSION.id === toAnna.data.SESSION.id && e.data.WAIT_ANSWER === false,
      );
      assert.equal(mine.data.SESSION.status, 'answered');

      // v2.Session.list, the page's fallback read, shows Boris the sessions offered to him as well (all mode).
      await customer(everyone, 'Anyone there?');
      const offered = await b.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.id !== toBoris.data.SESSION.id);
      const listed = (await t.call('imopenlines.v2.Session.list', {}, { hook: hooks.boris })).body.result.sessions;
      assert.ok(listed.some((s: { id: number }) => s.id === offered.data.SESSION.id));
      a.close();
      b.close();
    });

    it('finish: the session stays visible in closing mode (CLOSING, status 50); spam closes one and it leaves', async () => {
      const a = await tab('anna');
      await a.next('OnOpenlinesWorkplaceState');
      await customer(strict, 'Please finish me');
      const offer = await a.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.configId === strict);
      const chatId = offer.data.SESSION.chatId;
      assert.equal(
        (await t.call('imopenlines.operator.answer', { CHAT_ID: chatId }, { hook: hooks.anna })).status,
        200,
      );
      const finished = await t.call('imopenlines.operator.finish', { CHAT_ID: chatId }, { hook: hooks.anna });
      assert.equal(finished.status, 200, finished.text);
      const closing = await a.next(
        'OnOpenlinesSessionUpdate',
        (e) => e.data.SESSION.chatId === chatId && e.data.CLOSING,
      );
      assert.equal(closing.data.STATUS, 50);
      assert.equal(closing.data.VISIBLE, true);
      // Another conversation marked as spam: closed for good, it leaves the view.
      await customer(strict, 'Buy cheap watches');
      const spam = await a.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.chatId !== chatId);
      const marked = await t.call(
        'imopenlines.operator.spam',
        { CHAT_ID: spam.data.SESSION.chatId },
        { hook: hooks.anna },
      );
      assert.equal(marked.status, 200, marked.text);
      const gone = await a.next(
        'OnOpenlinesSessionUpdate',
        (e) => e.data.SESSION.id === spam.data.SESSION.id && e.data.VISIBLE === false,
      );
      assert.equal(gone.data.SESSION.status, 'spam');
      a.close();
    });

    it('resume: a reconnect with the last event id gets the messages it missed, and no older ones', async () => {
      let a = await tab('anna');
      await a.next('OnOpenlinesWorkplaceState');
      const cookie = await customer(strict, 'First words');
      const offer = await a.next('OnOpenlinesSessionOffer', (e) => e.data.SESSION.configId === strict);
      const chatId = offer.data.SESSION.chatId;
      const seen = await a.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'First words');
      a.close();
      await customer(strict, 'While you were away', cookie);
      await customer(strict, 'Still here', cookie);
      a = await tab('anna', { 'Last-Event-ID': seen.id });
      const state = await a.next('OnOpenlinesWorkplaceState');
      assert.ok(state.data.SESSIONS.some((s: { SESSION: { chatId: number } }) => s.SESSION.chatId === chatId));
      await a.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'Still here');
      const texts = a.events
        .filter((e) => e.event === 'OnOpenlinesMessageAdd' && e.data.CHAT_ID === chatId)
        .map((e) => e.data.MESSAGE.text);
      assert.deepEqual(texts, ['While you were away', 'Still here']);
      // The same through the parameter (clients that cannot set headers).
      const again = await tab('anna');
      const fromParam = await stream(`${hooks.anna}${METHOD}?LAST_EVENT_ID=${seen.id}`);
      open.push(fromParam);
      await fromParam.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'Still here');
      // Without an id: the state only, nothing from before.
      await again.next('OnOpenlinesWorkplaceState');
      assert.ok(!again.events.some((e) => e.event === 'OnOpenlinesMessageAdd'));
      for (const s of [a, again, fromParam]) s.close();
    });

    it('load: tabs of two operators cost one read per wake, not one per tab or operator; too many tabs are refused', async () => {
      const hub = t.server.services.workplace;
      for (const s of open) s.close();
      await waitFor(() => hub.openTabs() === 0);
      const tabs = await Promise.all(Array.from({ length: 6 }, () => tab('anna')));
      const borisTabs = await Promise.all(Array.from({ length: 3 }, () => tab('boris')));
      await Promise.all([...tabs, ...borisTabs].map((s) => s.next('OnOpenlinesWorkplaceState')));
      await hub.settled();
      const before = hub.reads;
      await customer(everyone, 'Nine tabs');
      const seen = (s: SseStream) => s.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'Nine tabs');
      await Promise.all([...tabs, ...borisTabs].map(seen));
      await hub.settled();
      // Nine tabs of two operators: one read per wake (a customer's message is one commit, one wake; a second
      // round at most when a wake came during the first).
      assert.ok(hub.reads - before <= 2, `${hub.reads - before} reads`);
      for (const s of borisTabs) s.close();
      const more = await Promise.all(Array.from({ length: 14 }, () => tab('anna')));
      assert.equal(hub.openTabs(anna), 20);
      assertError(await openSse(`${hooks.anna}${METHOD}`), 429, 'WORKPLACE_STREAM_LIMIT');
      for (const s of [...tabs, ...more]) s.close();
      await waitFor(() => hub.openTabs() === 0);
    });
  });
}

describe('openlines.workplace.stream across two servers on one PostgreSQL', {
  skip: STORES.includes('postgres') ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  it("a tab on server A gets the offer of a customer who wrote to server B (A looks for B's commits)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-workplace-'));
    const database = await createTestDatabase('postgres', dataDir);
    const servers: RunningServer[] = [];
    const tabs: SseStream[] = [];
    try {
      for (const name of ['a', 'b']) {
        const settings = {
          ...loadSettings({}, { data: join(dataDir, name), database: database.url }),
          port: 0,
          httpsPort: -1,
          ratePlan: 'off' as const,
          logLevel: 'silent' as const,
        };
        servers.push(await startServer(settings, { logger: pino({ level: 'silent' }) }));
      }
      const [a, b] = servers as [RunningServer, RunningServer];
      const anna = await a.directory.addUser({ name: 'Anna', online: true });
      const hook = await a.directory.createWebhook({
        userId: anna,
        scopes: ['imopenlines'],
        strict: false,
        expiresAt: null,
      });
      const admin = `${a.httpUrl}/rest/1/${a.firstWebhook!.code}/`;
      const added = await fetch(`${admin}imopenlines.config.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          PARAMS: { LINE_NAME: 'Shared', QUEUE_TYPE: 'strictly', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: anna }] },
        }),
      });
      const line = ((await added.json()) as { result: number }).result;
      const tab = await stream(`${a.httpUrl}/rest/${anna}/${hook.code}/openlines.workplace.stream`);
      tabs.push(tab);
      await tab.next('OnOpenlinesWorkplaceState');
      const sent = await fetch(`${b.httpUrl}/contact_center/${line}/api/messages`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          cookie: 'openlines_visitor=00000000-0000-4000-8000-0000000000b1',
        },
        body: JSON.stringify({ text: 'Hello from server B' }),
      });
      assert.equal(sent.status, 200);
      const offer = await tab.next('OnOpenlinesSessionOffer');
      assert.equal(offer.data.SESSION.configId, line);
      await tab.next('OnOpenlinesMessageAdd', (e) => e.data.MESSAGE.text === 'Hello from server B');
    } finally {
      for (const tab of tabs) tab.close();
      for (const server of servers) await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Waits for a condition the server reaches on its own (a closed connection noticed); bounded as a guard. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition());
}
