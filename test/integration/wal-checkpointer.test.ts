// WAL checkpoints in a worker thread (src/store/sqlite/wal-checkpointer.ts, issue 10): while the thread runs, the
// server's connection checkpoints only past SERVER_CHECKPOINT_PAGES and the thread copies the WAL into the
// database file; when the thread cannot run, the connection goes back to SQLite's default. Real files, a real
// thread; the test waits for what it checks instead of timing anything.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { SERVER_CHECKPOINT_PAGES, WalCheckpointer } from '../../src/store/sqlite/wal-checkpointer.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openlines-checkpointer-'));
  dirs.push(dir);
  return dir;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WalCheckpointer', () => {
  it('copies the WAL into the database file from its thread while the connection does not checkpoint', async () => {
    const file = join(freshDir(), 'test.db');
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('create table items (id integer primary key, body text not null)');
    const settings: number[] = [];
    const checkpointer = new WalCheckpointer(
      file,
      {
        setAutocheckpoint: (pages) => {
          settings.push(pages);
          raw.pragma(`wal_autocheckpoint = ${pages}`);
        },
      },
      20,
    );
    try {
      checkpointer.start();
      await until('the thread to be ready', () => checkpointer.running);
      assert.deepEqual(settings, [SERVER_CHECKPOINT_PAGES]);
      const sizeBefore = statSync(file).size;
      // ~400 pages of rows, far below the connection's own threshold: only the thread can copy them.
      const insert = raw.prepare('insert into items (body) values (?)');
      for (let i = 0; i < 400; i++) insert.run('x'.repeat(4000));
      await until('the database file to hold the rows', () => statSync(file).size > sizeBefore + 400 * 4000);
      assert.equal((raw.prepare('select count(*) as n from items').get() as { n: number }).n, 400);
    } finally {
      await checkpointer.close();
      raw.close();
    }
    assert.equal(checkpointer.running, false);
  });

  it('gives the connection back its default autocheckpoint when the thread cannot open the file', async () => {
    const settings: number[] = [];
    const checkpointer = new WalCheckpointer(join(freshDir(), 'missing', 'dir', 'test.db'), {
      setAutocheckpoint: (pages) => settings.push(pages),
    });
    checkpointer.start();
    await until('the failure to be handled', () => settings.length > 0);
    assert.deepEqual(settings, [1000]);
    assert.equal(checkpointer.running, false);
    await checkpointer.close();
  });

  it('starts with the first durable write of a store and stops when the store closes; data survives reopening', async () => {
    const file = join(freshDir(), 'store.db');
    const store = await openStore(`sqlite:${file}`);
    await store.write((trx) =>
      trx
        .insertInto('portal')
        .values({ id: 1, name: 'p', member_id: 'm', created_at: new Date().toISOString(), line_counter: 0 })
        .execute(),
    );
    await store.close();
    const reopened = await openStore(`sqlite:${file}`);
    try {
      const row = await reopened.db.selectFrom('portal').select('name').where('id', '=', 1).executeTakeFirst();
      assert.equal(row?.name, 'p');
    } finally {
      await reopened.close();
    }
  });
});
