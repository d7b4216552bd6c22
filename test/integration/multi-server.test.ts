// Several openlines servers on one PostgreSQL (issue 7): real `openlines serve` processes, as an operator runs
// them behind a load balancer, sharing one database. Whatever one server writes or counts, the other sees.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { parseAnswer } from '../helpers/server.js';
import { type ServeProcess, startServeProcess } from '../helpers/server-process.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** Each server gets its own data folder (removed after the suite); the database is shared. */
const dataDirs: string[] = [];

function serve(databaseUrl: string, env: Record<string, string>): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-multi-'));
  dataDirs.push(dataDir);
  return startServeProcess({ databaseUrl, dataDir, env });
}

async function post(url: string, body: unknown) {
  return parseAnswer(
    await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

const onPostgres = STORES.includes('postgres');

describe('several servers on one PostgreSQL', {
  skip: onPostgres ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  let database: TestDatabase;
  let store: OpenedStore;
  let a: ServeProcess;
  let b: ServeProcess;
  /** The webhook path after the host: /rest/1/<code>/ — valid on every server, as it lives in the database. */
  let hookPath: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-multi-db-'));
  const started: ServeProcess[] = [];

  before(async () => {
    database = await createTestDatabase('postgres', dataDir);
    // Both start at once on the empty database: one migrates and creates the portal, the other waits for it.
    [a, b] = await Promise.all([serve(database.url, { RATE_PLAN: 'off' }), serve(database.url, { RATE_PLAN: 'off' })]);
    started.push(a, b);
    store = await openStore(database.url, { migrate: false });
  });

  after(async () => {
    const codes = await Promise.all(started.map(async (s) => (await s.kill('SIGTERM')).code));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await store?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(
      codes.filter((code) => code !== 0),
      [],
      'every server stops cleanly on SIGTERM',
    );
  });

  it('two servers starting at once migrate once, create one portal, one admin and one first webhook', async () => {
    const hooks = [a.firstHook, b.firstHook].filter((h): h is string => h !== null);
    assert.equal(hooks.length, 1, `exactly one server prints the first webhook:\n${a.output()}\n${b.output()}`);
    hookPath = new URL(hooks[0]!).pathname;
    const migrations = await store.db.selectFrom('openlines_migrations').select('name').orderBy('name').execute();
    assert.deepEqual(
      migrations.map((m) => m.name),
      MIGRATIONS.map((m) => m.name),
    );
    assert.equal((await store.db.selectFrom('portal').selectAll().execute()).length, 1);
    assert.deepEqual(
      (await store.db.selectFrom('users').select(['id', 'name']).execute()).map((u) => ({ ...u })),
      [{ id: 1, name: 'Admin' }],
    );
    assert.equal((await store.db.selectFrom('webhooks').selectAll().execute()).length, 1);
  });

  it('2 × 200 concurrent adds through both servers get 400 distinct ids and distinct automatic names', async () => {
    const adds = Array.from({ length: 400 }, (_, i) =>
      post(`${(i % 2 === 0 ? a : b).url}${hookPath}imopenlines.config.add`, { PARAMS: { ACTIVE: 'Y' } }),
    );
    const answers = await Promise.all(adds);
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    const ids = answers.map((answer) => answer.body.result as number);
    assert.ok(
      ids.every((id) => Number.isInteger(id) && id > 0),
      'every add answers an integer id',
    );
    assert.equal(new Set(ids).size, 400);

    const rows = await store.db.selectFrom('lines').select(['id', 'line_name']).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [...ids].sort((x, y) => x - y),
      'the database holds exactly the answered ids',
    );
    assert.ok(
      rows.every((r) => typeof r.id === 'number'),
      'ids read back as numbers',
    );
    // The automatic names count lines on the shared portal row: no two concurrent adds may take the same number.
    assert.equal(new Set(rows.map((r) => r.line_name)).size, 400);
    const portal = await store.db.selectFrom('portal').select('line_counter').executeTakeFirstOrThrow();
    assert.equal(portal.line_counter, 400);
  });

  it('every line added through one server is read back through the other', async () => {
    const rows = await store.db.selectFrom('lines').select(['id', 'line_name']).orderBy('id').execute();
    // 25 in flight at a time: the point is reading across servers, not a connection flood on a loaded machine.
    const reads: Awaited<ReturnType<typeof post>>[] = [];
    for (let start = 0; start < rows.length; start += 25) {
      const chunk = rows.slice(start, start + 25);
      reads.push(
        ...(await Promise.all(
          chunk.map((row, j) =>
            post(`${((start + j) % 2 === 0 ? b : a).url}${hookPath}imopenlines.config.get`, { CONFIG_ID: row.id }),
          ),
        )),
      );
    }
    reads.forEach((answer, i) => {
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.result.ID, String(rows[i]!.id));
      assert.equal(answer.body.result.LINE_NAME, rows[i]!.line_name);
    });
  });

  it('ids increase across servers: alternate adds through A and B answer strictly increasing ids', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await post(`${(i % 2 === 0 ? a : b).url}${hookPath}imopenlines.config.add`, {
        PARAMS: { LINE_NAME: `alternating ${i}` },
      });
      assert.equal(answer.status, 200, answer.text);
      ids.push(answer.body.result);
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `ids ${ids.join(', ')} increase`);
  });

  it('concurrent updates of one line through both servers never lose a field', async () => {
    const added = await post(`${a.url}${hookPath}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'contended' } });
    const id = added.body.result as number;
    const fields = [
      'CLOSE_TEXT',
      'XML_ID',
      'VOTE_MESSAGE_1_TEXT',
      'VOTE_MESSAGE_1_LIKE',
      'VOTE_MESSAGE_1_DISLIKE',
      'VOTE_MESSAGE_2_LIKE',
      'VOTE_MESSAGE_2_DISLIKE',
      'KPI_FIRST_ANSWER_TEXT',
    ];
    // Each request sets one field, so a lost update would show as a field still holding its old value.
    const updates = fields.flatMap((field, f) =>
      [0, 1, 2].map((round) =>
        post(`${(f + round) % 2 === 0 ? a.url : b.url}${hookPath}imopenlines.config.update`, {
          CONFIG_ID: id,
          PARAMS: { [field]: `${field} ${round}` },
        }),
      ),
    );
    for (const answer of await Promise.all(updates)) {
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.result, true, answer.text);
    }
    const read = await post(`${b.url}${hookPath}imopenlines.config.get`, { CONFIG_ID: id });
    for (const field of fields) assert.match(read.body.result[field], new RegExp(`^${field} [012]$`));
    // And the document in the database holds the same values.
    const row = await store.db.selectFrom('lines').select('doc').where('id', '=', id).executeTakeFirstOrThrow();
    const doc = JSON.parse(row.doc) as Record<string, unknown>;
    for (const field of fields) assert.equal(doc[field], read.body.result[field]);
  });

  it('one client’s request-rate bucket is shared: 2 × 50 concurrent requests through two servers admit 50, not 100', async () => {
    // Two more servers with the standard plan (drain 2/s, burst 50) on the same database; the clock is real, so
    // the bucket may drain by 2 per second while the requests run, and the bound allows for exactly that.
    // They sit behind a load balancer on 127.0.0.1 (TRUST_PROXY): its X-Forwarded-For names the client.
    const [c, d] = await Promise.all([
      serve(database.url, { RATE_PLAN: 'standard', TRUST_PROXY: '127.0.0.1' }),
      serve(database.url, { RATE_PLAN: 'standard', TRUST_PROXY: '127.0.0.1' }),
    ]);
    started.push(c, d);
    const startedMs = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(`${(i % 2 === 0 ? c : d).url}${hookPath}batch`, { cmd: [] })),
    );
    const elapsedSeconds = (Date.now() - startedMs) / 1000;
    const admitted = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.status === 503);
    assert.equal(admitted + refused.length, 100, 'every request is admitted or refused with 503');
    for (const answer of refused) assert.equal(answer.body.error, 'QUERY_LIMIT_EXCEEDED');
    assert.ok(admitted >= 50, `the burst of 50 passes (admitted ${admitted})`);
    assert.ok(
      admitted <= 50 + Math.floor(2 * elapsedSeconds) + 1,
      `at most the burst plus what drained in ${elapsedSeconds} s passes (admitted ${admitted}); per-server buckets would admit 100`,
    );
    // Another client behind the same load balancer has its own bucket, on either server.
    for (const server of [c, d]) {
      const other = await parseAnswer(
        await fetch(`${server.url}${hookPath}batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9' },
          body: '{"cmd":[]}',
        }),
      );
      assert.equal(other.status, 200, other.text);
    }
  });

  it('an OAuth token refreshed through one server works on the other; the old refresh token is refused there', async () => {
    const cli = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [...CLI, '--database', database.url, ...args])).stdout);
    const app = await cli('app', 'create', '--name', 'Multi-server app', '--scope', 'imopenlines');
    const issued = await cli('token', 'issue', '--app', app.client_id, '--user', '1');
    const refreshGrant = (refreshToken: string) =>
      new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.client_id,
        client_secret: app.client_secret,
        refresh_token: refreshToken,
      }).toString();

    const refreshed = await parseAnswer(await fetch(`${a.url}/oauth/token/?${refreshGrant(issued.refresh_token)}`));
    assert.equal(refreshed.status, 200, refreshed.text);
    const onB = await post(`${b.url}/rest/imopenlines.config.add`, {
      auth: refreshed.body.access_token,
      PARAMS: { LINE_NAME: 'through a refreshed token' },
    });
    assert.equal(onB.status, 200, onB.text);
    assert.equal(typeof onB.body.result, 'number');

    const replayed = await parseAnswer(await fetch(`${b.url}/oauth/token/?${refreshGrant(issued.refresh_token)}`));
    assert.equal(replayed.status, 400, replayed.text);
    assert.equal(replayed.body.error, 'invalid_grant');
    const again = await parseAnswer(await fetch(`${b.url}/oauth/token/?${refreshGrant(refreshed.body.refresh_token)}`));
    assert.equal(again.status, 200, again.text);
  });

  it('openlines migrate against the running servers’ database has nothing to apply', async () => {
    const { stdout } = await run(process.execPath, [...CLI, '--database', database.url, 'migrate']);
    assert.match(stdout, /^Store: PostgreSQL 127\.0\.0\.1:\d+\/openlines_\w+\n/);
    assert.doesNotMatch(stdout, /:\/\/|password/, 'credentials are not printed');
    assert.match(stdout, /nothing to apply: the store is up to date\n$/);
  });
});
