// Issue 14 point 2: every official list reader gets every line exactly once from imopenlines.config.list.get.
// Each reader's exact request sequence (test/helpers/list-readers.ts) runs against 0, 1, 50, 51, 122 and 250 lines,
// per store. Before the fix the ID-window readers looped on the first page: b24pysdk as_list_fast stopped at 50
// lines, b24phpsdk getTraversableList returned the first 50 three times over.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIST_ALL_CAP } from '../../src/domain/lines/list-query.js';
import {
  b24phpsdkTraversableList,
  b24phpsdkTraversableListWithCount,
  b24pysdkList,
  b24pysdkListFast,
  fastBitrix24GetAll,
  type ListReader,
} from '../helpers/list-readers.js';
import { phpHttpBuildQuery } from '../helpers/query-encoders.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const SIZES = [0, 1, 50, 51, 122, 250];
const SELECT = ['ID', 'LINE_NAME'];

const ONE_CALL = () => ['imopenlines.config.list.get'];
const BATCH_PAST = (lines: number) => (size: number) =>
  size > lines ? ['imopenlines.config.list.get', 'batch'] : ['imopenlines.config.list.get'];

/** Each reader with the HTTP calls it makes for `size` lines (every size here fits one batch). */
const READERS: [ListReader, (size: number) => string[]][] = [
  // A full first page makes it look further, so 50 lines already take a batch.
  [b24pysdkListFast({ PARAMS: { select: SELECT } }), BATCH_PAST(49)],
  // No start: every line in one answer, no next, so no batch.
  [b24pysdkList({ PARAMS: { select: SELECT } }), ONE_CALL],
  [b24phpsdkTraversableList(SELECT), BATCH_PAST(50)],
  [b24phpsdkTraversableListWithCount(SELECT), BATCH_PAST(50)],
  [fastBitrix24GetAll({ PARAMS: { select: SELECT } }), ONE_CALL],
];

/** Adds `count` lines through batches of 50 config.add commands; returns their ids in creation order. */
export async function addLines(t: TestServer, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let from = 0; from < count; from += 50) {
    const cmd: Record<string, string> = {};
    for (let n = from; n < Math.min(count, from + 50); n++) {
      cmd[`add_${n}`] = `imopenlines.config.add?${phpHttpBuildQuery({ PARAMS: { LINE_NAME: `Reader line ${n}` } })}`;
    }
    const answer = await t.call('batch', { halt: 1, cmd });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.result.result_error, [], answer.text);
    ids.push(...Object.values(answer.body.result.result as Record<string, number>));
  }
  return ids;
}

for (const store of STORES) {
  for (const size of SIZES) {
    describe(`imopenlines.config.list.get over ${size} lines, read by the official SDK list readers (${store})`, () => {
      let t: TestServer;
      let made: string[] = [];
      before(async () => {
        t = await startTestServer({ store });
        made = (await addLines(t, size)).map(String);
        assert.equal(new Set(made).size, size);
      });
      after(() => t.close());

      for (const [reader, expectedCalls] of READERS) {
        it(`config.list.get: ${reader.name} gets each of ${size} lines exactly once, in ID order`, async () => {
          const { rows, calls } = await reader.read(t);
          assert.deepEqual(
            rows.map((row) => row.ID),
            made,
            `${rows.length} rows, ${new Set(rows.map((row) => row.ID)).size} distinct (calls: ${calls.join(', ')})`,
          );
          for (const row of rows) assert.equal(row.LINE_NAME, `Reader line ${made.indexOf(String(row.ID))}`);
          assert.deepEqual(calls, expectedCalls(size));
        });
      }
    });
  }
}

/** Copies of one line made through the API, written straight into the store: thousands of lines in a second. */
async function cloneLines(t: TestServer, count: number): Promise<void> {
  const [template] = await addLines(t, 1);
  const row = await t.server.store.db
    .selectFrom('lines')
    .selectAll()
    .where('id', '=', template!)
    .executeTakeFirstOrThrow();
  const { id: _id, ...copy } = row;
  for (let from = 1; from < count; from += 500) {
    const chunk = Array.from({ length: Math.min(500, count - from) }, (_x, k) => ({
      ...copy,
      line_name: `Reader line ${from + k}`,
    }));
    await t.server.store.db.insertInto('lines').values(chunk).execute();
  }
}

for (const store of STORES) {
  const size = LIST_ALL_CAP + 21;
  describe(`imopenlines.config.list.get past the safety cap of ${LIST_ALL_CAP} rows (${store})`, () => {
    let t: TestServer;
    let made: string[] = [];
    before(async () => {
      t = await startTestServer({ store });
      await cloneLines(t, size);
      const rows = await t.server.store.db.selectFrom('lines').select('id').orderBy('id').execute();
      made = rows.map((r) => String(r.id));
      assert.equal(made.length, size);
    });
    after(() => t.close());

    it(`config.list.get: without start and PARAMS.limit answers the first ${LIST_ALL_CAP} lines, then next and total`, async () => {
      const answer = await t.call('imopenlines.config.list.get', { PARAMS: { select: ['ID'] } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(Object.keys(answer.body), ['result', 'next', 'total', 'time']);
      assert.deepEqual(
        answer.body.result.map((row: { ID: string }) => row.ID),
        made.slice(0, LIST_ALL_CAP),
      );
      assert.equal(answer.body.next, LIST_ALL_CAP);
      assert.equal(answer.body.total, size);
    });

    // The readers whose first call has no start, so the cap decides what they see; the others page by 50 anyway.
    for (const reader of [
      b24pysdkList({ PARAMS: { select: SELECT } }),
      fastBitrix24GetAll({ PARAMS: { select: SELECT } }),
    ]) {
      it(`config.list.get: ${reader.name} gets each of ${size} lines exactly once, in ID order`, async () => {
        const { rows, calls } = await reader.read(t);
        assert.deepEqual(
          rows.map((row) => row.ID),
          made,
          `${rows.length} rows, ${new Set(rows.map((row) => row.ID)).size} distinct (calls: ${calls.join(', ')})`,
        );
      });
    }
  });
}
