// Several `openlines serve` processes on one PostgreSQL, all on the test clock (`OPENLINES_CLOCK=manual`), moved
// through `openlines.clock.set`; with a connector application and the first-start webhook to call them. Used by the
// multi-server timer tests (distribution, automatic texts), which kill one server mid-run.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuthService } from '../../src/domain/oauth/oauth-service.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { type CallResult, parseAnswer } from './server.js';
import { type ServeProcess, startServeProcess } from './server-process.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

const ENV = { RATE_PLAN: 'off', OPENLINES_CLOCK: 'manual', EVENT_POLL_MS: '50' };

export class ServeCluster {
  readonly servers: ServeProcess[] = [];
  /** The shared database, opened by the test itself (to read what the servers wrote). */
  store!: OpenedStore;
  private database: TestDatabase | undefined;
  private readonly dataDirs: string[] = [];
  private hookPath = '';
  private token = '';

  /** `prefix` names the temporary folders (the test in /tmp). */
  constructor(private readonly prefix: string) {}

  /** The database and `count` servers; the first one's first-start webhook calls them all. */
  async start(count: number): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), `${this.prefix}db-`));
    this.dataDirs.push(dir);
    this.database = await createTestDatabase('postgres', dir);
    const first = await this.serve();
    this.hookPath = new URL(first.firstHook ?? '').pathname;
    for (let i = 1; i < count; i++) await this.serve();
    this.store = await openStore(this.database.url, { migrate: false });
  }

  /** One more server on the same database. */
  async serve(): Promise<ServeProcess> {
    if (!this.database) throw new Error('start() first');
    const dataDir = mkdtempSync(join(tmpdir(), this.prefix));
    this.dataDirs.push(dataDir);
    const server = await startServeProcess({ databaseUrl: this.database.url, dataDir, env: ENV });
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    for (const server of this.servers) await server.kill('SIGKILL');
    await this.store?.close();
    await this.database?.drop();
    for (const dir of this.dataDirs) rmSync(dir, { recursive: true, force: true });
  }

  /** A call with the first-start webhook (user 1, an administrator). */
  admin(server: ServeProcess, method: string, params: Record<string, unknown> = {}): Promise<CallResult> {
    return post(`${server.url}${this.hookPath}${method}`, params);
  }

  /** A call with the connector application's token (connector() first). */
  app(server: ServeProcess, method: string, params: Record<string, unknown>): Promise<CallResult> {
    return post(`${server.url}/rest/${method}`, { ...params, auth: this.token });
  }

  /** Sets `server`'s test clock to `ms`. */
  async setClock(server: ServeProcess, ms: number): Promise<void> {
    const set = await this.admin(server, 'openlines.clock.set', { TIME: new Date(ms).toISOString() });
    assert.equal(set.status, 200, set.text);
  }

  /** A connector application (its token lasts a day by the servers' clocks), registered through `server`. */
  async connector(server: ServeProcess, code: string): Promise<void> {
    const oauth = new OAuthService(this.store, { accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 86_400 });
    const created = await oauth.createApp({ name: code, scopes: ['imopenlines', 'imconnector'] });
    this.token = (await oauth.issueToken(created.clientId, 1)).accessToken;
    const registered = await this.app(server, 'imconnector.register', {
      ID: code,
      NAME: code,
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: `https://${code}.example.com/`,
    });
    assert.equal(registered.status, 200, registered.text);
  }
}

async function post(url: string, params: Record<string, unknown>): Promise<CallResult> {
  return parseAnswer(
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    }),
  );
}
