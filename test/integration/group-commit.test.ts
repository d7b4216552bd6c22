// Durable writes with group commit (src/store/sqlite/group-commit.ts, issue 10): concurrent writes share a transaction
// and a flush, each write is isolated by its savepoint, and no write settles before the flush after its commit.
// The flush is injected so the test decides when it completes; nothing here measures time.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { openStore } from '../../src/store/open-store.js';
import { type FlushFile, SqliteGroupCommit } from '../../src/store/sqlite/group-commit.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';

interface Db {
  items: { id: Generated<number>; name: string };
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'openlines-group-commit-'));
  dirs.push(dir);
  const file = join(dir, 'test.db');
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('create table items (id integer primary key, name text not null unique)');
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: raw }) });
  /** What another process would see: a separate connection to the same file. */
  const names = () =>
    new SQLite(file, { readonly: true }).prepare('select name from items order by id').pluck().all() as string[];
  return { file, db, names };
}

/** A flush the test completes by hand, counting how many were asked for. */
function manualFlush() {
  const pending: ((error: Error | null) => void)[] = [];
  const flush: FlushFile = (_fd, done) => {
    pending.push(done);
  };
  return {
    flush,
    requested: () => pending.length,
    completeNext(error: Error | null = null) {
      const done = pending.shift();
      assert.ok(done, 'a flush was requested');
      done(error);
    },
  };
}

const insert = (name: string) => async (trx: Kysely<Db>) => {
  const row = await trx.insertInto('items').values({ name }).returning('id').executeTakeFirstOrThrow();
  return row.id;
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite group commit', () => {
  it('runs concurrent writes in one transaction, settled by one flush after the commit', async () => {
    const { file, db, names } = freshDatabase();
    const flushes = manualFlush();
    const group = new SqliteGroupCommit(db, `${file}-wal`, flushes.flush);
    const settled: number[] = [];
    const writes = Array.from({ length: 20 }, (_, i) =>
      group.write(insert(`line ${i}`)).then((id) => {
        settled.push(id);
        return id;
      }),
    );
    while (flushes.requested() === 0) await tick();
    // Committed (another connection sees every row) but not yet on disk: nobody has an answer.
    assert.equal(names().length, 20);
    assert.deepEqual(settled, []);
    flushes.completeNext();
    assert.deepEqual(
      await Promise.all(writes),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(flushes.requested(), 0);
    await group.close();
    await db.destroy();
  });

  it('rolls back only the write that failed', async () => {
    const { file, db, names } = freshDatabase();
    const group = new SqliteGroupCommit(db, `${file}-wal`, (_fd, done) => done(null));
    const failing = async (trx: Kysely<Db>) => {
      await trx.insertInto('items').values({ name: 'half-written' }).execute();
      throw new Error('refused after writing');
    };
    const [first, second, third, duplicate] = await Promise.allSettled([
      group.write(insert('a')),
      group.write(failing),
      group.write(insert('b')),
      group.write(insert('a')),
    ]);
    assert.deepEqual(first, { status: 'fulfilled', value: 1 });
    assert.equal(second.status, 'rejected');
    assert.equal((second as PromiseRejectedResult).reason.message, 'refused after writing');
    assert.deepEqual(third, { status: 'fulfilled', value: 2 });
    assert.equal(duplicate.status, 'rejected');
    assert.match((duplicate as PromiseRejectedResult).reason.code, /^SQLITE_CONSTRAINT/);
    assert.deepEqual(names(), ['a', 'b']);
    await group.close();
    await db.destroy();
  });

  it('fails the writes whose flush failed, and keeps serving later writes', async () => {
    const { file, db } = freshDatabase();
    const flushes = manualFlush();
    const group = new SqliteGroupCommit(db, `${file}-wal`, flushes.flush);
    const lost = group.write(insert('x'));
    while (flushes.requested() === 0) await tick();
    flushes.completeNext(new Error('EIO: disk failed'));
    await assert.rejects(lost, /EIO/);
    const next = group.write(insert('y'));
    while (flushes.requested() === 0) await tick();
    flushes.completeNext();
    assert.equal(await next, 2);
    await group.close();
    await db.destroy();
  });

  it('lets writes that arrive during a flush commit meanwhile and wait for the next flush', async () => {
    const { file, db, names } = freshDatabase();
    const flushes = manualFlush();
    const group = new SqliteGroupCommit(db, `${file}-wal`, flushes.flush);
    const early = group.write(insert('early'));
    while (flushes.requested() === 0) await tick();
    const late = group.write(insert('late'));
    while (names().length < 2) await tick();
    // One flush in flight at a time: the late write's flush starts only after the first completes.
    assert.equal(flushes.requested(), 1);
    flushes.completeNext();
    assert.equal(await early, 1);
    while (flushes.requested() === 0) await tick();
    flushes.completeNext();
    assert.equal(await late, 2);
    await group.close();
    await db.destroy();
  });
});

describe('store.write', () => {
  for (const kind of STORES) {
    it(`commits durably and leaves the connection as it found it (${kind})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'openlines-store-write-'));
      dirs.push(dir);
      const database = await createTestDatabase(kind, dir);
      const store = await openStore(database.url);
      try {
        const ids = await Promise.all(
          ['one', 'two', 'three'].map((name) =>
            store.write(async (trx) => {
              const row = await trx
                .insertInto('departments')
                .values({ name, parent_id: null })
                .returning('id')
                .executeTakeFirstOrThrow();
              return Number(row.id);
            }),
          ),
        );
        assert.equal(new Set(ids).size, 3);
        const rows = await store.db.selectFrom('departments').select('name').execute();
        // Concurrent writes: any order on PostgreSQL, arrival order on SQLite.
        assert.deepEqual(rows.map((r) => r.name).sort(), ['one', 'three', 'two']);
        await assert.rejects(
          store.write(async (trx) => {
            await trx.insertInto('departments').values({ name: 'gone', parent_id: null }).execute();
            throw new Error('no');
          }),
          /no/,
        );
        assert.equal((await store.db.selectFrom('departments').select('id').execute()).length, 3);
        if (kind === 'sqlite') {
          const { rows: sync } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
          assert.equal(sync[0]?.synchronous, 2, 'synchronous is FULL again outside group commits');
        }
      } finally {
        await store.close();
        await database.drop();
      }
    });
  }
});
