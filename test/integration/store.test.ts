// The store adapter on both databases (issue 7): migrations under a lock, values read back alike, and the
// capabilities that keep concurrent requests from losing updates (forUpdate) or sharing a claim (skipLocked).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { capabilitiesOf } from '../../src/store/capabilities.js';
import { isUniqueViolation } from '../../src/store/constraint-errors.js';
import type { Db } from '../../src/store/db.js';
import { findLineForUpdate, insertLine, updateLine } from '../../src/store/lines-repository.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';

const STAMP = '2026-11-23T10:00:00.000Z';

/** A scratch table of rows to claim, as the timer and outbox tables will be claimed. */
type Claims = { skip_locked_claims: { id: number; claimed_by: string | null } };

/** Claims the first unclaimed row in `trx`, selected with `select`'s locking; its id, or undefined when none is left. */
async function claimOne(trx: Db, by: string, lock: 'skipLocked' | 'forUpdate' = 'skipLocked') {
  const db = trx.withTables<Claims>();
  const query = db.selectFrom('skip_locked_claims').select('id').where('claimed_by', 'is', null).orderBy('id').limit(1);
  const row = await capabilitiesOf(trx)[lock](query).executeTakeFirst();
  if (row) await db.updateTable('skip_locked_claims').set({ claimed_by: by }).where('id', '=', row.id).execute();
  return row?.id;
}
const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

for (const kind of STORES) {
  describe(`store adapter [${kind}]`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-store-'));
    let database: TestDatabase;
    let store: OpenedStore;

    before(async () => {
      database = await createTestDatabase(kind, dataDir);
      store = await openStore(database.url);
    });
    after(async () => {
      await store?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('openlines migrate: three processes migrating one fresh database at once apply each migration once', async () => {
      const fresh = await createTestDatabase(kind, mkdtempSync(join(dataDir, 'fresh-')));
      try {
        const migrateOnce = () => run(process.execPath, [...CLI, '--database', fresh.url, 'migrate']);
        const outputs = (await Promise.all([1, 2, 3].map(migrateOnce))).map((r) => r.stdout);
        const applied = outputs.flatMap((out) => [...out.matchAll(/^applied (\S+)$/gm)].map((m) => m[1]));
        assert.deepEqual(applied.sort(), MIGRATIONS.map((m) => m.name).sort(), outputs.join('\n'));
        assert.equal(outputs.filter((out) => out.endsWith('nothing to apply: the store is up to date\n')).length, 2);
        const again = await migrateOnce();
        assert.match(again.stdout, /\nnothing to apply: the store is up to date\n$/);
      } finally {
        await fresh.drop();
      }
    });

    it('capabilitiesOf: names the dialect of a db and of a transaction', async () => {
      assert.equal(capabilitiesOf(store.db).dialect, kind);
      assert.equal(await store.db.transaction().execute(async (trx) => capabilitiesOf(trx).dialect), kind);
    });

    it('reads ids, counts and the line document back as numbers and JSON text on both stores', async () => {
      const doc = { LINE_NAME: 'Ünïcødé ✓ "quoted"', BIG: 9_007_199_254_740_991, LIST: ['MO', 'TU'], NONE: null };
      const inserted = await store.db
        .insertInto('lines')
        .values({
          doc: JSON.stringify(doc),
          line_name: doc.LINE_NAME,
          active: 'Y',
          modify_user_id: 1,
          created_at: STAMP,
          modified_at: STAMP,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.equal(typeof inserted.id, 'number');
      const row = await store.db
        .selectFrom('lines')
        .selectAll()
        .where('id', '=', inserted.id)
        .executeTakeFirstOrThrow();
      assert.equal(typeof row.id, 'number');
      assert.equal(typeof row.doc, 'string');
      assert.deepEqual(JSON.parse(row.doc), doc);
      const count = await store.db
        .selectFrom('lines')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(typeof count.n, 'number');
    });

    it('forUpdate: 20 concurrent read-modify-write transactions on one line lose no update', async () => {
      const id = await insertLine(store.db, {
        values: { N: 0, LINE_NAME: 'counter', ACTIVE: 'Y' },
        modifyUserId: 1,
        createdAt: STAMP,
        modifiedAt: STAMP,
      });
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.db.transaction().execute(async (trx) => {
            const line = await findLineForUpdate(trx, id);
            const n = line!.values.N as number;
            // Give the other transactions every chance to read the same value in between.
            await new Promise((resolve) => setImmediate(resolve));
            await updateLine(trx, { ...line!, values: { ...line!.values, N: n + 1 }, modifiedAt: STAMP });
          }),
        ),
      );
      const row = await store.db.selectFrom('lines').select('doc').where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.doc), { N: 20, LINE_NAME: 'counter', ACTIVE: 'Y' });
    });

    it('isUniqueViolation: recognises a duplicate key, and nothing else', async () => {
      const hook = { user_id: 1, code_hash: `hash-${kind}`, scopes: 'imopenlines', strict: 0, expires_at: null };
      const values = { ...hook, title: '', active: 1, created_at: STAMP, last_used_at: null };
      await store.db.insertInto('webhooks').values(values).execute();
      const duplicate = await store.db
        .insertInto('webhooks')
        .values(values)
        .execute()
        .then(
          () => null,
          (error: unknown) => error,
        );
      assert.ok(duplicate, 'the duplicate insert fails');
      assert.equal(isUniqueViolation(duplicate), true);
      assert.equal(isUniqueViolation(new Error('something else')), false);
      assert.equal(isUniqueViolation(undefined), false);
    });

    it('syncIdSequence: after rows with explicit ids, the next generated id is larger', async () => {
      await store.db
        .insertInto('departments')
        .values({ id: 500, name: 'imported', parent_id: null } as never)
        .execute();
      await capabilitiesOf(store.db).syncIdSequence(store.db, 'departments');
      const next = await store.db
        .insertInto('departments')
        .values({ name: 'generated', parent_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.equal(next.id, 501);
    });

    it('drops U+0000 from every bound string alike (PostgreSQL text cannot hold it)', async () => {
      const id = await store.db
        .insertInto('departments')
        .values({ name: 'nul\u0000inside', parent_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await store.db
        .selectFrom('departments')
        .select('name')
        .where('name', '=', 'nul\u0000inside')
        .where('id', 'in', [id.id])
        .executeTakeFirstOrThrow();
      assert.equal(row.name, 'nulinside');
    });

    describe('skipLocked', () => {
      before(async () => {
        const db = store.db.withTables<Claims>();
        await db.schema
          .createTable('skip_locked_claims')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('claimed_by', 'text')
          .execute();
      });
      const reset = async () => {
        const db = store.db.withTables<Claims>();
        await db.deleteFrom('skip_locked_claims').execute();
        await db
          .insertInto('skip_locked_claims')
          .values([1, 2, 3, 4].map((id) => ({ id, claimed_by: null })))
          .execute();
      };

      it('locks and skips on PostgreSQL, adds nothing on SQLite (begin immediate serialises writers)', () => {
        const query = store.db.selectFrom('lines').select('id');
        const compiled = capabilitiesOf(store.db).skipLocked(query).compile().sql;
        if (kind === 'postgres') assert.match(compiled, / for update skip locked$/);
        else assert.equal(compiled, query.compile().sql);
      });

      it('two concurrent claims get disjoint rows', async () => {
        await reset();
        const claimed = await Promise.all([
          store.write((trx) => claimOne(trx, 'a')),
          store.write((trx) => claimOne(trx, 'b')),
        ]);
        assert.equal(claimed.filter((id) => id !== undefined).length, 2);
        assert.notEqual(claimed[0], claimed[1]);
      });

      if (kind === 'postgres') {
        it('a claim does not wait for rows another open transaction holds, as forUpdate alone would', async () => {
          await reset();
          let release!: () => void;
          const released = new Promise<void>((resolve) => {
            release = resolve;
          });
          let holding!: (id: number | undefined) => void;
          const held = new Promise<number | undefined>((resolve) => {
            holding = resolve;
          });
          const first = store.write(async (trx) => {
            holding(await claimOne(trx, 'first'));
            await released;
          });
          try {
            const firstId = await held;
            assert.equal(firstId, 1);
            const secondId = await store.write((trx) => claimOne(trx, 'second'));
            assert.equal(secondId, 2, 'skips the held row and claims the next, while the first is still open');
            const waiting = store.write((trx) => claimOne(trx, 'third', 'forUpdate'));
            const timeout = new Promise((resolve) => setTimeout(resolve, 300, 'still waiting'));
            assert.equal(await Promise.race([waiting, timeout]), 'still waiting', 'forUpdate alone waits for the lock');
            release();
            await waiting;
          } finally {
            release();
            await first;
          }
        });
      }
    });
  });
}
