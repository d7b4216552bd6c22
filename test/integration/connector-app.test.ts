// Done-when of issue 16: a connector application written only from the Bitrix24 documentation works against
// openlines unchanged. The application below is a real HTTP server on loopback that does what the docs' connector
// recipe does, with form-encoded calls as PHP's CRest sends them: register the connector, bind its events, activate
// it on a line, set the channel data, pass a customer's message in; then, in its event handler, check
// auth[application_token], show the operator's reply in its "channel" and confirm the delivery with the channel's
// own id; edits and deletions arrive on the same handler. The operator answers through a webhook. Both stores.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { httpBuildQuery } from '../../src/wire/php-query.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

// biome-ignore lint/suspicious/noExplicitAny: the docs' PHP arrays
type Php = any;

/** The channel as the customer sees it: what the connector application relayed. */
interface ChannelLine {
  readonly kind: 'add' | 'update' | 'delete';
  readonly channelId: string;
  readonly text?: string;
}

class DocsConnectorApp {
  readonly channel: ChannelLine[] = [];
  readonly rejected: string[] = [];
  private server: Server | undefined;
  private nextChannelId = 1;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly portal: string,
    private readonly token: string,
    private readonly applicationToken: string,
    readonly code: string,
  ) {}

  /** CRest::call: POST, form-encoded, the token as `auth`. */
  async call(method: string, params: Record<string, unknown>): Promise<Php> {
    const response = await fetch(`${this.portal}/rest/${method}.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: httpBuildQuery({ ...params, auth: this.token }),
    });
    const body = (await response.json()) as Php;
    if (body.error) throw new Error(`${method}: ${body.error} ${body.error_description}`);
    return body.result;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200).end('ok');
        void this.onEvent(parsePhpQuery(Buffer.concat(chunks).toString()) as Php);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/handler.php`;
  }

  /** The handler.php of the docs' example. */
  private async onEvent(request: Php): Promise<void> {
    if (request.auth?.application_token !== this.applicationToken) {
      this.rejected.push(String(request.event));
      return;
    }
    const data = request.data;
    if (request.event === 'ONIMCONNECTORMESSAGEADD') {
      for (const message of data.MESSAGES) {
        const channelId = `out-${this.nextChannelId++}`;
        this.channel.push({ kind: 'add', channelId, text: message.message.text });
        await this.call('imconnector.send.status.delivery', {
          CONNECTOR: this.code,
          LINE: data.LINE,
          MESSAGES: [{ im: message.im, message: { id: [channelId] }, chat: { id: message.chat.id } }],
        });
      }
    } else if (request.event === 'ONIMCONNECTORMESSAGEUPDATE') {
      for (const message of data.MESSAGES) {
        this.channel.push({ kind: 'update', channelId: message.message.id[0], text: message.message.text });
      }
    } else if (request.event === 'ONIMCONNECTORMESSAGEDELETE') {
      for (const message of data.MESSAGES) this.channel.push({ kind: 'delete', channelId: message.message.id });
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits (on real events, with a guard) until the channel holds `count` lines. */
  async until(count: number): Promise<void> {
    const guard = Date.now() + 30_000;
    while (this.channel.length < count) {
      if (Date.now() > guard) throw new Error(`channel has ${this.channel.length} of ${count}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

for (const store of STORES) {
  describe(`a connector application built from the docs [${store}]`, () => {
    let t: TestServer;
    let app: DocsConnectorApp;

    before(async () => {
      t = await startTestServer({ store, settings: { eventPollMs: 100 } });
      const created = await t.server.oauth.createApp({ name: 'Docs bridge', scopes: ['imopenlines', 'imconnector'] });
      const token = (await t.server.oauth.issueToken(created.clientId, 1)).accessToken;
      app = new DocsConnectorApp(t.url, token, created.applicationToken, 'docs_bridge');
    });
    after(async () => {
      await app.close();
      await t.close();
    });

    it('register, bind, activate, set data, customer in, operator out, delivery, edit, deletion', async () => {
      const handler = await app.start();
      // Every event here is counted: no welcome message (issue 18) among them.
      const lineParams = { LINE_NAME: 'Docs line', WELCOME_MESSAGE: 'N', VOTE_MESSAGE: 'N' };
      const line = (await t.call('imopenlines.config.add', { PARAMS: lineParams })).body.result;
      assert.deepEqual(
        await app.call('imconnector.register', {
          ID: app.code,
          NAME: 'Docs bridge',
          ICON: { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%3E%3C/svg%3E', COLOR: '#1900ff' },
          PLACEMENT_HANDLER: 'https://bridge.example.com/placement.php',
        }),
        { result: true },
      );
      for (const event of ['OnImConnectorMessageAdd', 'OnImConnectorMessageUpdate', 'OnImConnectorMessageDelete']) {
        assert.equal(await app.call('event.bind', { event, handler }), true);
      }
      assert.equal(await app.call('imconnector.activate', { CONNECTOR: app.code, LINE: line, ACTIVE: 1 }), true);
      assert.equal(
        await app.call('imconnector.connector.data.set', {
          CONNECTOR: app.code,
          LINE: line,
          DATA: { id: `${app.code}line${line}`, url_im: 'https://bridge.example.com/im', name: 'Docs channel' },
        }),
        true,
      );
      const sent = await app.call('imconnector.send.messages', {
        CONNECTOR: app.code,
        LINE: line,
        MESSAGES: [
          {
            user: { id: 'customer-7', name: 'Anna', last_name: 'Schmidt' },
            message: { id: 'in-1', date: Math.floor(Date.now() / 1000), text: 'Where is my order?' },
            chat: { id: 'thread-7' },
          },
        ],
      });
      assert.equal(sent.SUCCESS, true);
      const chatId = sent.DATA.RESULT[0].session.CHAT_ID;

      const reply = await t.call('im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'It ships today.' });
      assert.equal(reply.status, 200, reply.text);
      await app.until(1);
      assert.deepEqual(app.channel, [{ kind: 'add', channelId: 'out-1', text: '[b]Admin:[/b] [br]It ships today.' }]);
      // The application's confirmation arrives after the event: wait until the message is no longer sending.
      const params = async () =>
        (await t.call('im.dialog.messages.get', { DIALOG_ID: `chat${chatId}`, LIMIT: 1 })).body.result.messages[0]
          .params;
      const guard = Date.now() + 30_000;
      while ((await params()).SENDING === 'Y' && Date.now() < guard) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await params(), { CONNECTOR_MID: ['out-1'] });

      assert.equal(
        (await t.call('im.message.update', { MESSAGE_ID: reply.body.result, MESSAGE: 'It ships tomorrow.' })).body
          .result,
        true,
      );
      await app.until(2);
      assert.deepEqual(app.channel[1], {
        kind: 'update',
        channelId: 'out-1',
        text: '[b]Admin:[/b][br] It ships tomorrow.',
      });
      assert.equal((await t.call('im.message.delete', { MESSAGE_ID: reply.body.result })).body.result, true);
      await app.until(3);
      assert.deepEqual(app.channel[2], { kind: 'delete', channelId: 'out-1' });
      assert.deepEqual(app.rejected, [], 'every event carried the application token');
    });
  });
}
