// compiledQuery (src/store/compiled-query.ts, issue 10) answers exactly as the query built anew would, on both
// stores: scalar arguments, `in (…)` lists of several lengths, constants inside the query, U+0000 in strings.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compiledQuery } from '../../src/store/compiled-query.js';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase, STORES } from '../helpers/stores.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const byName = compiledQuery((db: Db, name: string) =>
  db.selectFrom('departments').select(['id', 'name']).where('name', '=', name),
);
const byIds = compiledQuery((db: Db, ids: readonly number[], parent: number) =>
  db
    .selectFrom('departments')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .where('parent_id', '=', parent)
    .where('name', '<>', 'never')
    .orderBy('id'),
);

describe('compiledQuery', () => {
  for (const kind of STORES) {
    it(`binds new arguments into the kept SQL (${kind})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'openlines-compiled-'));
      dirs.push(dir);
      const database = await createTestDatabase(kind, dir);
      const store = await openStore(database.url);
      try {
        const root = await store.db
          .insertInto('departments')
          .values({ name: 'root', parent_id: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        const parent = Number(root.id);
        const ids: number[] = [];
        for (const name of ['a', 'b', 'c', 'never']) {
          const row = await store.db
            .insertInto('departments')
            .values({ name, parent_id: parent })
            .returning('id')
            .executeTakeFirstOrThrow();
          ids.push(Number(row.id));
        }
        const names = (rows: { name: string }[]) => rows.map((r) => r.name);
        assert.deepEqual(names(await byName(store.db, 'b')), ['b']);
        assert.deepEqual(names(await byName(store.db, 'c')), ['c']);
        assert.deepEqual(names(await byName(store.db, 'a\u0000')), ['a'], 'U+0000 is dropped as the plugin does');
        assert.deepEqual(names(await byIds(store.db, [ids[1]!], parent)), ['b']);
        assert.deepEqual(names(await byIds(store.db, ids, parent)), ['a', 'b', 'c']);
        assert.deepEqual(names(await byIds(store.db, [ids[2]!, ids[0]!], parent)), ['a', 'c']);
        assert.deepEqual(names(await byIds(store.db, ids, parent + 100)), []);
        // Inside a transaction, the same.
        await store.db.transaction().execute(async (trx) => {
          assert.deepEqual(names(await byIds(trx, [ids[0]!], parent)), ['a']);
        });
      } finally {
        await store.close();
        await database.drop();
      }
    });
  }
});
