// The built-in connector and its public chat page (issue 19): a visitor named by a cookie writes through the same
// path as imconnector.send.messages; an operator's reply (im.message.add) reaches the page's state and its
// server-sent-events stream; the abuse limits and the on/off switch answer with their codes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { DEFAULT_CHAT_LIMITS, VISITOR_COOKIE } from '../../src/http/chat-routes.js';
import { addLine, assertError } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');

/** A visitor of one line's page: keeps the cookie the server sets, as a browser does. */
class Visitor {
  cookie = '';

  constructor(
    private readonly t: TestServer,
    private readonly lineId: number,
  ) {}

  private remember(headers: Headers): void {
    const set = headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
  }

  async state() {
    const answer = await this.t.request(`/contact_center/${this.lineId}/api/state`, {
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    this.remember(answer.headers);
    return answer;
  }

  async say(text: unknown) {
    const answer = await this.t.request(`/contact_center/${this.lineId}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify({ text }),
    });
    this.remember(answer.headers);
    return answer;
  }

  /** The first `messages` event of the stream after a message id. */
  async nextEvent(afterId: number): Promise<{ id: string; data: { id: number; author: string; text: string }[] }> {
    const controller = new AbortController();
    const response = await fetch(`${this.t.url}/contact_center/${this.lineId}/api/stream?after=${afterId}`, {
      headers: { cookie: this.cookie },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
        for (const block of buffer.split('\n\n')) {
          if (!block.includes('event: messages')) continue;
          const id = /^id: (.*)$/m.exec(block)![1]!;
          const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
          return { id, data };
        }
      }
    } finally {
      controller.abort();
    }
  }
}

for (const store of STORES) {
  describe(`the customer chat page (built-in livechat connector) [${store}]`, () => {
    let t: TestServer;
    let line: number;
    const clock = new ManualClock(T0);

    before(async () => {
      t = await startTestServer({ store, clock });
      line = await addLine(t, { LINE_NAME: 'Web support', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: 1 }] });
    });
    after(async () => t?.close());

    it('page: served under the public path with the shared stylesheet; an unknown line is LIVECHAT_NOT_FOUND', async () => {
      const page = await t.request(`/contact_center/${line}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.text, /chat\.js/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal((await t.request(`/contact_center/${line}/admin.css`)).status, 200);
      assert.equal((await t.request(`/contact_center/${line}/chat.js`)).status, 200);
      const redirect = await t.request(`/contact_center/${line}`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal((await t.request('/contact_center/abc/')).status, 404);
      assertError(await new Visitor(t, 999).state(), 404, 'LIVECHAT_NOT_FOUND', 'There is no such line');
      const path = await t.call('imopenlines.config.path.get');
      assert.equal(path.body.result.PUBLIC_PATH, '/contact_center/');
      const info = await t.call('openlines.livechat.get', { CONFIG_ID: line });
      assert.deepEqual(info.body.result, { CONFIG_ID: line, ACTIVE: 'Y', URL: `${t.url}/contact_center/${line}/` });
    });

    it('conversation: the visitor writes as a connector customer; the operator replies; state and stream show it; the rating asks VOTE_MESSAGE_1_TEXT', async () => {
      const visitor = new Visitor(t, line);
      const first = await visitor.state();
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.result, {
        line: { id: line, name: 'Web support', active: true, voteText: 'Please tell us how we did.' },
        messages: [],
      });
      assert.match(visitor.cookie, new RegExp(`^${VISITOR_COOKIE}=[0-9a-f-]{36}$`));
      assert.match(first.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax/);

      const sent = await visitor.say('Hello, is anyone there?');
      assert.equal(sent.status, 200, sent.text);
      assert.equal(typeof sent.body.result.id, 'number');

      // The session is an ordinary one of the livechat connector.
      const sessions = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions;
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0].source, 'livechat');
      const chatId = sessions[0].chatId;

      // The visitor's own message, already in the stream's first look.
      const own = await visitor.nextEvent(0);
      assert.ok(own.data.some((m) => m.author === 'customer' && m.text === 'Hello, is anyone there?'));

      const lastId = Math.max(...(await visitor.state()).body.result.messages.map((m: { id: number }) => m.id));
      const reply = await t.call('im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Yes, how can I help?' });
      assert.equal(reply.status, 200, reply.text);
      const event = await visitor.nextEvent(lastId);
      const operatorMessage = event.data.find((m) => m.author === 'operator');
      assert.equal(operatorMessage?.text, 'Yes, how can I help?');
      assert.equal(event.id, String(event.data.at(-1)!.id));

      // A reload (same cookie) keeps the chat; another visitor sees nothing of it.
      const again = (await visitor.state()).body.result.messages as { author: string; text: string; name: string }[];
      assert.ok(again.some((m) => m.author === 'operator' && m.name !== ''));
      assert.deepEqual((await new Visitor(t, line).state()).body.result.messages, []);
    });

    it('limits: empty, too long, not JSON and too many messages get their codes; the window passes', async () => {
      const visitor = new Visitor(t, line);
      await visitor.state();
      assertError(await visitor.say('   '), 400, 'LIVECHAT_MESSAGE_EMPTY', 'The message is empty');
      assertError(await visitor.say(42), 400, 'LIVECHAT_MESSAGE_EMPTY', 'The message is empty');
      assertError(
        await visitor.say('x'.repeat(2001)),
        400,
        'LIVECHAT_MESSAGE_TOO_LONG',
        'A message is at most 2000 characters',
      );
      const notJson = await t.request(`/contact_center/${line}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', cookie: visitor.cookie },
        body: '{',
      });
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error, 'INVALID_JSON');
      // Refused messages count too (abuse is abuse): a fresh visitor for the rate.
      const busy = new Visitor(t, line);
      await busy.state();
      for (let i = 0; i < DEFAULT_CHAT_LIMITS.perVisitor; i++) {
        assert.equal((await busy.say(`message ${i}`)).status, 200);
      }
      const limited = await busy.say('one too many');
      assertError(limited, 429, 'LIVECHAT_RATE_LIMIT', 'Too many messages: at most 10 a visitor per 60 seconds');
      assert.equal(limited.headers.get('retry-after'), '60');
      await clock.advance(DEFAULT_CHAT_LIMITS.windowMs);
      assert.equal((await busy.say('after the window')).status, 200);
    });

    it('switch: openlines.livechat.set turns the chat off (LIVECHAT_OFF) and on again; administrators only', async () => {
      const visitor = new Visitor(t, line);
      assert.equal((await t.call('openlines.livechat.set', { CONFIG_ID: line, ACTIVE: 'N' })).body.result, true);
      const state = await visitor.state();
      assert.equal(state.body.result.line.active, false);
      assertError(await visitor.say('hello?'), 403, 'LIVECHAT_OFF', 'The chat is turned off on this line');
      assert.equal((await t.call('openlines.livechat.get', { CONFIG_ID: line })).body.result.ACTIVE, 'N');
      assertError(
        await t.call('openlines.livechat.set', { CONFIG_ID: line, ACTIVE: 'maybe' }),
        400,
        'ERROR_ARGUMENT',
        "Argument 'ACTIVE' must be Y or N",
        { argument: 'ACTIVE' },
      );
      const user = await t.server.directory.addUser({ name: 'Olga' });
      const hook = await t.webhookFor(user, ['imopenlines']);
      const refused = await t.call('openlines.livechat.set', { CONFIG_ID: line, ACTIVE: 'Y' }, { hook });
      assert.equal(refused.body.error, 'ACCESS_DENIED');
      assert.equal((await t.call('openlines.livechat.set', { CONFIG_ID: line, ACTIVE: 'Y' })).body.result, true);
      assert.equal((await visitor.say('hello again')).status, 200);
      assert.equal(
        (await t.call('openlines.livechat.set', { CONFIG_ID: 9999, ACTIVE: 'Y' })).body.error,
        'CONFIG_NOT_FOUND',
      );
    });

    it('vote: the customer rates the conversation, answered with VOTE_MESSAGE_1_LIKE / VOTE_MESSAGE_1_DISLIKE; the session keeps it (v2 list vote and filter); bad votes refused', async () => {
      const visitor = new Visitor(t, line);
      await visitor.state();
      const vote = async (who: Visitor, value: unknown) =>
        t.request(`/contact_center/${line}/api/vote`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', cookie: who.cookie },
          body: JSON.stringify({ vote: value }),
        });
      assertError(await vote(visitor, 'like'), 404, 'LIVECHAT_NOT_FOUND', 'There is no conversation to rate yet');
      assert.equal((await visitor.say('Rate me')).status, 200);
      const mine = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions as {
        id: number;
        chatId: number;
      }[];
      const rated = mine.reduce((newest, s) => (s.id > newest.id ? s : newest));
      const taken = await t.call('imopenlines.operator.answer', { CHAT_ID: rated.chatId });
      assert.equal(taken.status, 200, taken.text);
      assertError(await vote(visitor, 'meh'), 400, 'ERROR_ARGUMENT', "Argument 'vote' must be like or dislike", {
        argument: 'vote',
      });
      const liked = await vote(visitor, 'like');
      assert.equal(liked.status, 200, liked.text);
      const messages = (await visitor.state()).body.result.messages as { author: string; text: string }[];
      assert.deepEqual(messages.at(-1), { ...messages.at(-1), author: 'system', text: 'Thank you!' });
      // The operator gets the rating notice (issue 18).
      const [notice] = (await t.call('im.notify.get')).body.result.notifications as {
        text: string;
        notify_event: string;
      }[];
      assert.equal(notice?.notify_event, 'rating_client');
      assert.match(
        notice?.text ?? '',
        new RegExp(`rated conversation #\\[url=/online/\\?IM_HISTORY=imol\\|${rated.id}\\].*: \\[like\\]$`),
      );
      const all = (await t.call('imopenlines.v2.Session.list', { configId: line })).body.result.sessions;
      const likes = all.filter((s: { vote: string }) => s.vote === 'like');
      assert.equal(likes.length, 1);
      const filtered = (await t.call('imopenlines.v2.Session.list', { configId: line, vote: 'like' })).body.result;
      assert.deepEqual(
        filtered.sessions.map((s: { id: number }) => s.id),
        likes.map((s: { id: number }) => s.id),
      );
      const unrated = (await t.call('imopenlines.v2.Session.list', { configId: line, vote: 'none' })).body.result;
      assert.ok(unrated.sessions.every((s: { vote: string }) => s.vote === 'none'));
      assert.equal((await vote(visitor, 'dislike')).status, 200);
      const disliked = (await visitor.state()).body.result.messages as { author: string; text: string }[];
      assert.equal(
        disliked.at(-1)?.text,
        'We are sorry we could not help you. Your opinion will help us improve our service.',
      );
      const after = (await t.call('imopenlines.v2.Session.list', { configId: line, vote: 'dislike' })).body.result;
      assert.deepEqual(
        after.sessions.map((s: { id: number }) => s.id),
        likes.map((s: { id: number }) => s.id),
      );
      await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { VOTE_MESSAGE: 'N' } });
      assertError(await vote(visitor, 'like'), 403, 'LIVECHAT_OFF', 'Rating is turned off on this line');
      await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { VOTE_MESSAGE: 'Y' } });
    });
  });
}
