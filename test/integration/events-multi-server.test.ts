// Event delivery with several `openlines serve` processes on one PostgreSQL: every committed event is delivered
// by exactly one server (claims with skipLocked and a lease), and what was committed but not sent when the
// servers were killed is delivered by the next server to start.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventService } from '../../src/domain/events/event-service.js';
import { OAuthService } from '../../src/domain/oauth/oauth-service.js';
import { listOutbox } from '../../src/store/events-repository.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { parseAnswer } from '../helpers/server.js';
import { type ServeProcess, startServeProcess } from '../helpers/server-process.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const onPostgres = STORES.includes('postgres');
const ENV = { RATE_PLAN: 'off', EVENT_POLL_MS: '20' };

describe('event delivery with several servers on one PostgreSQL', {
  skip: onPostgres ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  const dataDirs: string[] = [];
  const started: ServeProcess[] = [];
  const receiver = new EventReceiver();
  let database: TestDatabase;
  let store: OpenedStore;
  let token: string;

  const serve = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-events-'));
    dataDirs.push(dataDir);
    const server = await startServeProcess({ databaseUrl: database.url, dataDir, env: ENV });
    started.push(server);
    return server;
  };
  /** Commits `count` OnImConnectorLineDelete events in one transaction, as a line deletion would. */
  const emit = (from: number, count: number) =>
    store.write(async (trx) => {
      const events = new EventService(store);
      for (let line = from; line < from + count; line++) await events.emit(trx, 'OnImConnectorLineDelete', { line });
    });

  before(async () => {
    await receiver.start();
    const dir = mkdtempSync(join(tmpdir(), 'openlines-events-db-'));
    dataDirs.push(dir);
    database = await createTestDatabase('postgres', dir);
    const [a] = await Promise.all([serve(), serve()]);
    store = await openStore(database.url, { migrate: false });
    const oauth = new OAuthService(store, { accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 3600 });
    const app = await oauth.createApp({ name: 'Events', scopes: ['imopenlines'] });
    token = (await oauth.issueToken(app.clientId, 1)).accessToken;
    const bound = await parseAnswer(
      await fetch(`${a!.url}/rest/event.bind`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: 'OnImConnectorLineDelete', handler: receiver.url('/h'), auth: token }),
      }),
    );
    assert.equal(bound.status, 200, bound.text);
  });

  after(async () => {
    await Promise.all(started.map((s) => s.kill('SIGKILL')));
    await store?.close();
    await database?.drop();
    await receiver.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('two servers polling one outbox deliver each of 200 events exactly once', async () => {
    await emit(1, 200);
    await receiver.until(200);
    const ids = receiver.received.map((r) => String(r.headers['x-openlines-delivery']));
    assert.equal(new Set(ids).size, 200, 'no delivery id twice');
    const lines = receiver.received.map((r) => Number(parsePhpQuery(r.body).data)).sort((x, y) => x - y);
    assert.deepEqual(
      lines,
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.ok(receiver.received.every((r) => r.headers['x-openlines-attempt'] === '1'));
  });

  it('events committed while every server is down are delivered by the next one to start', async () => {
    // SIGTERM: each server stops its scheduler first, so every delivery in flight is recorded.
    for (const server of started.splice(0)) assert.equal((await server.kill('SIGTERM')).code, 0);
    const rows = await store.read((db) => listOutbox(db));
    assert.equal(rows.length, 200);
    assert.ok(rows.every((r) => r.delivered_at_ms !== null && r.attempt === 1 && r.claimed_by === null));
    receiver.reset();
    await emit(1001, 10);
    assert.equal(receiver.received.length, 0);
    await serve();
    await receiver.until(10);
    const lines = receiver.received.map((r) => Number(parsePhpQuery(r.body).data)).sort((x, y) => x - y);
    assert.deepEqual(
      lines,
      Array.from({ length: 10 }, (_, i) => 1001 + i),
    );
  });
});
