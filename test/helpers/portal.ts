// A portal for the session tests: one or more in-process servers sharing a store and a test clock, a connector
// application, operators with webhooks, lines, and customers writing through the connector. Used by the
// distribution, KPI and line-automation tests (issues 17 and 18).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { type CallResult, parseAnswer } from './server.js';
import { createTestDatabase, type TestDatabase } from './stores.js';
import { ManualClock } from './test-clock.js';

export const T0 = Date.parse('2026-12-07T10:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export interface PortalOptions {
  /** The temporary directory's prefix (names the test in /tmp). */
  readonly prefix?: string;
  /** Settings every line of this portal gets unless the test's params say otherwise. */
  readonly lineDefaults?: Record<string, unknown>;
  /** Server settings on top of the test defaults (e.g. PORTAL_NAME). */
  readonly settings?: Partial<Settings>;
}

/** A system message of a chat: its text, and whether it goes to the customer through the connector. */
export interface SystemMessage {
  readonly text: string;
  readonly toCustomer: boolean;
}

/** A line, its connector and its operators on one or more in-process servers sharing a store and a test clock. */
export class Portal {
  readonly clock = new ManualClock(T0);
  readonly servers: RunningServer[] = [];
  private database!: TestDatabase;
  private dataDir = '';
  private settings!: Settings;
  adminHook = '';
  appToken = '';
  private appClient = '';
  readonly hooks = new Map<number, string>();

  constructor(
    readonly store: 'sqlite' | 'postgres',
    private readonly options: PortalOptions = {},
  ) {}

  async start(): Promise<RunningServer> {
    if (!this.dataDir) {
      this.dataDir = mkdtempSync(join(tmpdir(), this.options.prefix ?? 'openlines-portal-'));
      this.database = await createTestDatabase(this.store, this.dataDir);
      this.settings = {
        ...loadSettings({}, { data: this.dataDir, database: this.database.url }),
        port: 0,
        httpsPort: -1,
        ratePlan: 'off',
        logLevel: 'silent',
        // Only the test moves time: ticks run when it calls tick().
        eventPollMs: 3_600_000,
        ...this.options.settings,
      };
    }
    const server = await startServer(this.settings, { logger: pino({ level: 'silent' }), clock: this.clock });
    this.servers.push(server);
    if (server.firstWebhook) this.adminHook = `${server.httpUrl}/rest/1/${server.firstWebhook.code}/`;
    return server;
  }

  get server(): RunningServer {
    const server = this.servers.at(-1);
    if (!server) throw new Error('no server');
    return server;
  }

  async stopServer(server: RunningServer): Promise<void> {
    await server.close();
    this.servers.splice(this.servers.indexOf(server), 1);
  }

  async close(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.close();
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private rebase(url: string): string {
    return url.replace(/^http:\/\/127\.0\.0\.1:\d+/, this.server.httpUrl);
  }

  async call(hook: string, method: string, params: Record<string, unknown> = {}): Promise<CallResult> {
    return parseAnswer(
      await fetch(`${this.rebase(hook)}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
      }),
    );
  }

  async app(method: string, params: Record<string, unknown>): Promise<CallResult> {
    return parseAnswer(
      await fetch(`${this.server.httpUrl}/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: this.appToken }),
      }),
    );
  }

  async operator(name: string, lastName = ''): Promise<number> {
    const id = await this.server.directory.addUser({ name, lastName, online: true });
    const created = await this.server.directory.createWebhook({ userId: id, scopes: ['imopenlines', 'im'] });
    this.hooks.set(id, `${this.server.httpUrl}/rest/${id}/${created.code}/`);
    return id;
  }

  /** A connector application (its token refreshed: tests move the clock by hours). */
  async connector(code: string): Promise<void> {
    const app = await this.server.oauth.createApp({ name: code, scopes: ['imopenlines', 'imconnector'] });
    this.appClient = app.clientId;
    await this.refreshToken();
    const registered = await this.app('imconnector.register', {
      ID: code,
      NAME: code,
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://bridge.example.com/',
    });
    assert.equal(registered.status, 200, registered.text);
  }

  async refreshToken(): Promise<void> {
    this.appToken = (await this.server.oauth.issueToken(this.appClient, 1)).accessToken;
  }

  /** The user is deactivated in the directory (dismissed) after joining queues. */
  async dismiss(userId: number): Promise<void> {
    await this.server.store.write((trx) =>
      trx.updateTable('users').set({ active: 0 }).where('id', '=', userId).execute(),
    );
  }

  /** A line (the portal's line defaults under `params`), with the connector activated on it. */
  async line(code: string, params: Record<string, unknown>): Promise<number> {
    const added = await this.call(this.adminHook, 'imopenlines.config.add', {
      PARAMS: { ...this.options.lineDefaults, ...params },
    });
    assert.equal(added.status, 200, added.text);
    const line = added.body.result as number;
    assert.equal(
      (await this.app('imconnector.activate', { CONNECTOR: code, LINE: line, ACTIVE: 1 })).body.result,
      true,
    );
    return line;
  }

  async customerSays(code: string, line: number, who: string, text: string) {
    await this.refreshToken();
    const sent = await this.app('imconnector.send.messages', {
      CONNECTOR: code,
      LINE: line,
      MESSAGES: [{ user: { id: who }, message: { text }, chat: { id: `chat-${who}` } }],
    });
    assert.equal(sent.status, 200, sent.text);
    const item = sent.body.result.DATA.RESULT[0];
    return { sessionId: Number(item.session.ID), chatId: Number(item.session.CHAT_ID) };
  }

  /** The session's stored row. */
  async sessionRow(id: number) {
    return this.server.store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** The session's distribution state: status, operator, closed, queue history and open offers. */
  async session(id: number) {
    const row = await this.sessionRow(id);
    const offers = await this.server.store.db
      .selectFrom('session_offers')
      .select('user_id')
      .where('session_id', '=', id)
      .orderBy('user_id')
      .execute();
    return {
      status: Number(row.status),
      operator: Number(row.operator_id),
      closed: Number(row.closed) === 1,
      history: JSON.parse(row.queue_history) as number[],
      offers: offers.map((o) => Number(o.user_id)),
    };
  }

  /** The chat's system messages, oldest first. */
  async notes(chatId: number): Promise<string[]> {
    return (await this.systemMessages(chatId)).map((m) => m.text);
  }

  /** The chat's system messages, oldest first: the text, and whether it goes to the customer. */
  async systemMessages(chatId: number): Promise<SystemMessage[]> {
    const rows = await this.server.store.db
      .selectFrom('messages')
      .select(['text', 'sending'])
      .where('chat_id', '=', chatId)
      .where('author_kind', '=', 'system')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ text: r.text, toCustomer: Number(r.sending) === 1 }));
  }

  /** The customer's messages as stored, oldest first. */
  async said(chatId: number): Promise<string[]> {
    const rows = await this.server.store.db
      .selectFrom('messages')
      .select('text')
      .where('chat_id', '=', chatId)
      .where('author_kind', '=', 'customer')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.text);
  }

  /** The operator takes the chat's session and closes it (operator.answer, operator.finish). */
  async takeAndFinish(userId: number, chatId: number): Promise<void> {
    const answered = await this.call(this.hooks.get(userId)!, 'imopenlines.operator.answer', { CHAT_ID: chatId });
    assert.equal(answered.status, 200, answered.text);
    await this.finish(userId, chatId);
  }

  async finish(userId: number, chatId: number): Promise<void> {
    const finished = await this.call(this.hooks.get(userId)!, 'imopenlines.operator.finish', { CHAT_ID: chatId });
    assert.equal(finished.status, 200, finished.text);
  }

  /** Moves the test clock and runs every timer that fell due on every server. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
    for (const server of this.servers) await server.scheduler.runDue();
  }
}
