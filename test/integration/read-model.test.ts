// The read model is never stale (issue 20): a read that starts after a write was acknowledged, on any server,
// sees that write. PostgreSQL: two servers on one database, each writing while the other reads, in a tight
// loop. SQLite: a server and another connection (and the CLI, another process) writing the same file.
// Credentials: a revoked webhook, an expired or revoked token is refused on the very next call.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.js';
import { ReadModel } from '../../src/domain/read-model/read-model.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import type { Db } from '../../src/store/db.js';
import { insertBinding } from '../../src/store/events-repository.js';
import { insertLine, updateLine } from '../../src/store/lines-repository.js';
import { ModelChanges, type OwnBump, PostgresVersionVector } from '../../src/store/model-changes.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { type CallResult, parseAnswer } from '../helpers/server.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const TRIES = Number(process.env.OPENLINES_STALE_TRIES ?? 10_000);

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<CallResult> {
  return parseAnswer(
    await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );
}

const dirs: string[] = [];

async function serverOn(databaseUrl: string, clock: ManualClock): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-'));
  dirs.push(dataDir);
  const settings = {
    ...loadSettings({}, { data: dataDir, database: databaseUrl }),
    port: 0,
    httpsPort: -1,
    ratePlan: 'off' as const,
    logLevel: 'silent',
  };
  return startServer(settings, { logger: pino({ level: 'silent' }), clock });
}

/** The line's name as config.get answers it on `hook`'s server. */
async function nameOn(hook: string, id: number): Promise<unknown> {
  const answer = await post(`${hook}imopenlines.config.get`, { CONFIG_ID: id });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.result.LINE_NAME;
}

async function rename(hook: string, id: number, name: string): Promise<void> {
  const answer = await post(`${hook}imopenlines.config.update`, { CONFIG_ID: id, PARAMS: { LINE_NAME: name } });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.result, true);
}

describe('read model: two servers on one PostgreSQL never read stale', {
  skip: STORES.includes('postgres') ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-db-'));
  const clock = new ManualClock(Date.parse('2026-12-03T10:00:00Z'));
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let hookA: string;
  let hookB: string;

  before(async () => {
    database = await createTestDatabase('postgres', dataDir);
    a = await serverOn(database.url, clock);
    b = await serverOn(database.url, clock);
    const path = `/rest/1/${a.firstWebhook!.code}/`;
    hookA = `${a.httpUrl}${path}`;
    hookB = `${b.httpUrl}${path}`;
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    for (const dir of [dataDir, ...dirs]) rmSync(dir, { recursive: true, force: true });
  });

  it(`a write acknowledged by one server is read by the other, ${TRIES} times in a row`, async () => {
    const added = await post(`${hookA}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'start' } });
    const id = added.body.result as number;
    let stale = 0;
    for (let i = 0; i < TRIES; i++) {
      // Both servers have the line in memory; one writes, then the other and the writer read.
      const [writer, reader] = i % 2 === 0 ? [hookA, hookB] : [hookB, hookA];
      await rename(writer, id, `name ${i}`);
      if ((await nameOn(reader, id)) !== `name ${i}`) stale++;
      // The writer's own read (its commit forgot the line) every tenth try: the loop stays within minutes.
      if (i % 10 === 0 && (await nameOn(writer, id)) !== `name ${i}`) stale++;
    }
    assert.equal(stale, 0, `${stale} stale reads in ${TRIES} tries`);
  });

  it('a revoked webhook is refused on the very next call on the other server', async () => {
    const created = await a.directory.createWebhook({
      userId: 1,
      scopes: ['imopenlines'],
      strict: false,
      expiresAt: null,
    });
    const hook = `${b.httpUrl}/rest/1/${created.code}/`;
    assert.equal((await post(`${hook}imopenlines.revision.get`, {})).status, 200);
    await a.directory.revokeWebhook(created.id);
    const refused = await post(`${hook}imopenlines.revision.get`, {});
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'NO_AUTH_FOUND');
  });

  it('an expired webhook or token is refused on the next call, a removed application’s token too', async () => {
    const expiresAt = new Date(clock.now() + 60_000);
    const created = await a.directory.createWebhook({ userId: 1, scopes: ['imopenlines'], strict: false, expiresAt });
    const hook = `${b.httpUrl}/rest/1/${created.code}/`;
    const app = await a.oauth.createApp({ name: 'read model', scopes: ['imopenlines'] });
    const token = await a.oauth.issueToken(app.clientId, 1);
    const bearer = { Authorization: `Bearer ${token.accessToken}` };
    const tokenUrl = `${b.httpUrl}/rest/imopenlines.revision.get`;
    assert.equal((await post(`${hook}imopenlines.revision.get`, {})).status, 200);
    assert.equal((await post(tokenUrl, {}, bearer)).status, 200);

    await clock.advance(60_000);
    assert.equal((await post(`${hook}imopenlines.revision.get`, {})).status, 401);
    assert.equal((await post(tokenUrl, {}, bearer)).status, 200, 'the token lives longer than the webhook');
    await clock.advance(token.expiresIn * 1000);
    const expired = await post(tokenUrl, {}, bearer);
    assert.equal(expired.body.error, 'expired_token', expired.text);

    const fresh = await a.oauth.issueToken(app.clientId, 1);
    const freshBearer = { Authorization: `Bearer ${fresh.accessToken}` };
    assert.equal((await post(tokenUrl, {}, freshBearer)).status, 200);
    await a.oauth.removeApp(app.clientId);
    const refused = await post(tokenUrl, {}, freshBearer);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'NO_AUTH_FOUND');
  });
});

describe('read model: a SQLite server sees what another connection or process wrote', {
  skip: STORES.includes('sqlite') ? false : 'OPENLINES_TEST_STORES excludes sqlite',
}, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-db-'));
  const url = `sqlite:${dataDir}/openlines.db`;
  const clock = new ManualClock(Date.parse('2026-12-03T10:00:00Z'));
  let server: RunningServer;
  let other: OpenedStore;
  let hook: string;

  before(async () => {
    server = await serverOn(url, clock);
    other = await openStore(url);
    hook = `${server.httpUrl}/rest/1/${server.firstWebhook!.code}/`;
  });

  after(async () => {
    await other?.close();
    await server?.close();
    for (const dir of [dataDir, ...dirs]) rmSync(dir, { recursive: true, force: true });
  });

  it(`a write committed by another connection is read by the server, ${TRIES} times in a row`, async () => {
    const added = await post(`${hook}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'start' } });
    const id = added.body.result as number;
    let stale = 0;
    for (let i = 0; i < TRIES; i++) {
      if (i % 2 === 0) {
        // Another connection on the same file, as the CLI writes it: the server's memory knows nothing of it.
        await other.write(async (trx) => {
          const row = await trx.selectFrom('lines').select('doc').where('id', '=', id).executeTakeFirstOrThrow();
          const doc = JSON.stringify({ ...JSON.parse(row.doc), LINE_NAME: `name ${i}` });
          await trx
            .updateTable('lines')
            .set({ doc, line_name: `name ${i}` })
            .where('id', '=', id)
            .execute();
        });
      } else {
        await rename(hook, id, `name ${i}`);
      }
      if ((await nameOn(hook, id)) !== `name ${i}`) stale++;
    }
    assert.equal(stale, 0, `${stale} stale reads in ${TRIES} tries`);
  });

  it('a webhook revoked by `openlines webhook revoke` (another process) is refused on the very next call', async () => {
    const created = await server.directory.createWebhook({
      userId: 1,
      scopes: ['imopenlines'],
      strict: false,
      expiresAt: null,
    });
    const revokable = `${server.httpUrl}/rest/1/${created.code}/`;
    assert.equal((await post(`${revokable}imopenlines.revision.get`, {})).status, 200);
    await run(process.execPath, [...CLI, 'webhook', 'revoke', String(created.id)], {
      env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: url },
    });
    const refused = await post(`${revokable}imopenlines.revision.get`, {});
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'NO_AUTH_FOUND');
  });
});

for (const kind of STORES) {
  describe(`read model on ${kind}: what a write leaves in memory`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-store-'));
    let database: TestDatabase;
    let store: OpenedStore;
    let model: ReadModel;
    let id: number;
    const stamp = '2026-12-03T10:00:00.000Z';
    const nameOf = async () => (await store.read((db) => model.line(db, id)))?.line.values.LINE_NAME;
    const named = (name: string) => ({
      id,
      values: { LINE_NAME: name },
      modifyUserId: 1,
      createdAt: stamp,
      modifiedAt: stamp,
    });

    before(async () => {
      database = await createTestDatabase(kind, dataDir);
      store = await openStore(database.url);
      model = new ReadModel(store.changes);
      id = await store.write((trx) =>
        insertLine(trx, { values: { LINE_NAME: 'kept' }, modifyUserId: 1, createdAt: stamp, modifiedAt: stamp }),
      );
    });

    after(async () => {
      await store?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a write rolled back (on SQLite: its savepoint, beside a write that commits) leaves nothing in memory', async () => {
      assert.equal(await nameOf(), 'kept');
      assert.equal(await nameOf(), 'kept', 'kept from its second read on');
      assert.equal(model.sizes().lines, 1);
      // Started in the same turn: on SQLite both run in one group transaction, the first in a savepoint that rolls back.
      const failing = store.write(async (trx) => {
        await updateLine(trx, named('rolled back'));
        throw new Error('refused');
      });
      const other = store.write(async () => 'committed');
      await assert.rejects(failing, /refused/);
      assert.equal(await other, 'committed');
      assert.equal(await nameOf(), 'kept');
    });

    it('a committed write is read as soon as it is acknowledged', async () => {
      for (const name of ['one', 'two', 'three']) {
        await store.write((trx) => updateLine(trx, named(name)));
        assert.equal(await nameOf(), name);
      }
    });
  });
}

describe('read model on PostgreSQL: the version vector and this server’s own writes', {
  skip: STORES.includes('postgres') ? false : 'PostgreSQL is not among the test stores',
}, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-vector-'));
  let database: TestDatabase;
  let store: OpenedStore;
  const stamp = '2026-12-03T10:00:00.000Z';
  let everything = 0;

  before(async () => {
    database = await createTestDatabase('postgres', dataDir);
    store = await openStore(database.url);
    store.changes.listen((change) => {
      if (change.kind === 'all') everything += 1;
    });
    await store.changes.catchUp(); // the first check learns the vector
  });

  after(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('200 concurrent own writes racing the checks do not look like another server’s (nothing is forgotten wholesale)', async () => {
    everything = 0;
    const writes = Array.from({ length: 200 }, (_, i) =>
      store.write((trx) =>
        insertLine(trx, { values: { LINE_NAME: `own ${i}` }, modifyUserId: 1, createdAt: stamp, modifiedAt: stamp }),
      ),
    );
    // Checks sent while the writes commit: each may see commits whose answers have not arrived yet.
    const checks = Array.from({ length: 200 }, () => store.changes.catchUp());
    await Promise.all([...writes, ...checks]);
    await store.changes.catchUp();
    assert.equal(everything, 0);
  });

  it('a committed own bump explains its value; a rolled-back one explains nothing, so another server’s commit of that value is noticed', async () => {
    let forgotten = 0;
    const vector: PostgresVersionVector = new PostgresVersionVector(store.db, () => changes);
    const changes: ModelChanges = new ModelChanges(() => vector.catchUp());
    changes.listen((change) => {
      if (change.kind === 'all') forgotten += 1;
    });
    await changes.catchUp();
    forgotten = 0;
    const slotOf = async (trx: typeof store.db) =>
      Number((await sql<{ slot: number }>`select pg_backend_pid() % 64 as slot`.execute(trx)).rows[0]?.slot);

    let bump: OwnBump | null = null;
    await store.db.transaction().execute(async (trx) => {
      bump = await vector.bump(trx);
    });
    (bump as OwnBump | null)?.settle(true);
    await changes.catchUp();
    assert.equal(forgotten, 0, 'an own committed bump');

    let slot = -1;
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        bump = await vector.bump(trx);
        slot = await slotOf(trx);
        throw new Error('refused');
      }),
      /refused/,
    );
    (bump as OwnBump | null)?.settle(false);
    await changes.catchUp();
    assert.equal(forgotten, 0, 'nothing committed');
    // Another server whose backend shares the slot commits the value the rolled-back bump had taken.
    await sql`update openlines_model_version set n = n + 1 where slot = ${slot}`.execute(store.db);
    await changes.catchUp();
    assert.equal(forgotten, 1, 'the same value, committed by another server');
    changes.close();
  });
});

for (const kind of STORES) {
  describe(`read model on ${kind}: what a request’s write reads from memory (event bindings, the line)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-read-model-bindings-'));
    let database: TestDatabase;
    let store: OpenedStore;
    let other: OpenedStore;
    let model: ReadModel;
    const EVENT = 'ONIMCONNECTORMESSAGEADD';
    const binding = (handler: string) => ({
      app_id: 1,
      event: EVENT,
      handler,
      user_id: 1,
      created_at: '2026-12-03T10:00:00.000Z',
      connector_id: '',
    });
    /** As an emit inside a request sees them: the request caught up (its first read), then a write emits. */
    const inRequest = () =>
      model.scope(async () => {
        await store.read((db) => model.webhooksOf(db, 1));
        return handlers(await store.write((trx) => model.bindingsFor(trx, EVENT)));
      });
    const handlers = (rows: readonly { handler: string }[]) => rows.map((row) => row.handler);

    before(async () => {
      database = await createTestDatabase(kind, dataDir);
      store = await openStore(database.url);
      other = await openStore(database.url);
      model = new ReadModel(store.changes);
    });

    after(async () => {
      await other?.close();
      await store?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('are kept between requests, forgotten when a binding changes, read through where memory could be stale', async () => {
      await store.write((trx) => insertBinding(trx, binding('https://one.test/')));
      assert.deepEqual(await inRequest(), ['https://one.test/']);
      // Written behind openlines' back (no change noted, no version bumped): only memory can answer without it.
      await store.db.insertInto('event_bindings').values(binding('https://unnoted.test/')).execute();
      assert.deepEqual(await inRequest(), ['https://one.test/'], 'from memory');
      // Outside a request (a job) the transaction reads through.
      assert.deepEqual(handlers(await store.write((trx) => model.bindingsFor(trx, EVENT))), [
        'https://one.test/',
        'https://unnoted.test/',
      ]);
      await store.write((trx) => insertBinding(trx, binding('https://two.test/')));
      assert.deepEqual(await inRequest(), ['https://one.test/', 'https://unnoted.test/', 'https://two.test/']);
      // A transaction that binds and then emits sees its own binding.
      const own = await model.scope(async () => {
        await store.read((db) => model.webhooksOf(db, 1));
        return store.write(async (trx) => {
          await insertBinding(trx, binding('https://own.test/'));
          return handlers(await model.bindingsFor(trx, EVENT));
        });
      });
      assert.ok(own.includes('https://own.test/'));
      // Another server (PostgreSQL) or process (SQLite) binds: the next request sees it.
      await inRequest();
      await other.write((trx) => insertBinding(trx, binding('https://other.test/')));
      assert.ok((await inRequest()).includes('https://other.test/'));
    });

    it('a line read inside a request’s write comes from memory once kept; a write that changed a line reads through', async () => {
      const stamp = '2026-12-03T10:00:00.000Z';
      const id = await store.write((trx) =>
        insertLine(trx, { values: { LINE_NAME: 'first' }, modifyUserId: 1, createdAt: stamp, modifiedAt: stamp }),
      );
      const named = (name: string) => ({
        id,
        values: { LINE_NAME: name },
        modifyUserId: 1,
        createdAt: stamp,
        modifiedAt: stamp,
      });
      const nameIn = (write: (trx: Db) => Promise<unknown> = async () => {}) =>
        model.scope(async () => {
          await store.read((db) => model.webhooksOf(db, 1));
          return store.write(async (trx) => {
            await write(trx);
            return (await model.lineInWrite(trx, id))?.values.LINE_NAME;
          });
        });
      assert.equal(await nameIn(), 'first');
      assert.equal(await nameIn(), 'first', 'kept from its second read on');
      await store.db.updateTable('lines').set({ line_name: 'unnoted' }).where('id', '=', id).execute();
      await store.db
        .updateTable('lines')
        .set({
          doc:
            kind === 'postgres'
              ? sql`jsonb_set(doc, '{LINE_NAME}', '"unnoted"')`
              : sql`json_set(doc, '$.LINE_NAME', 'unnoted')`,
        })
        .where('id', '=', id)
        .execute();
      assert.equal(await nameIn(), 'first', 'from memory');
      assert.equal(
        (await store.write((trx) => model.lineInWrite(trx, id)))?.values.LINE_NAME,
        'unnoted',
        'outside a request: read through',
      );
      assert.equal(await nameIn((trx) => updateLine(trx, named('own'))), 'own', 'its own change, read through');
      assert.equal(await nameIn(), 'own', 'the committed change is read next');
    });
  });
}
