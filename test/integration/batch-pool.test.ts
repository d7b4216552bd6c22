// `batch` on a one-connection pool (issue 20): more concurrent batches than PostgreSQL connections, their
// commands reading and writing, all complete. A batch holds no connection between its commands and no command
// holds one while it waits for another, so batches take turns on the pool instead of starving each other
// (docs/decisions.md "Batch on a connection pool"). SQLite has one connection: the same load, the same answers.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { countLines } from '../../src/store/lines-repository.js';
import { SEED } from '../helpers/seed.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const POOL = 1;
const BATCHES = 8;
const COMMANDS = 12;

for (const store of STORES) {
  describe(`batch on a pool of ${POOL} connections (${store})`, () => {
    let server: TestServer;
    const previous = process.env.OPENLINES_POSTGRES_POOL_SIZE;

    before(async () => {
      process.env.OPENLINES_POSTGRES_POOL_SIZE = String(POOL);
      server = await startTestServer({ store });
      const added = await server.call('imopenlines.config.add', SEED);
      assert.equal(added.body.result, 1, added.text);
    });

    after(async () => {
      await server?.close();
      if (previous === undefined) delete process.env.OPENLINES_POSTGRES_POOL_SIZE;
      else process.env.OPENLINES_POSTGRES_POOL_SIZE = previous;
    });

    it(`${BATCHES} concurrent batches of reads and writes all complete, every command answered`, async () => {
      const batch = (b: number) => {
        const cmd: Record<string, string> = {};
        for (let i = 0; i < COMMANDS; i++) {
          if (i % 4 === 1) cmd[`a${i}`] = `imopenlines.config.add?PARAMS[LINE_NAME]=b${b}-${i}`;
          else if (i % 4 === 3) cmd[`u${i}`] = `imopenlines.config.update?CONFIG_ID=1&PARAMS[QUEUE_TIME]=${60 + i}`;
          else cmd[`g${i}`] = 'imopenlines.config.get?CONFIG_ID=1';
        }
        return server.call('batch', { halt: 0, cmd });
      };
      const answers = await Promise.all(Array.from({ length: BATCHES }, (_, b) => batch(b)));
      for (const answer of answers) {
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body.result.result_error, [], answer.text);
        assert.equal(Object.keys(answer.body.result.result).length, COMMANDS);
      }
      assert.equal(await countLines(server.server.store.db), 1 + BATCHES * (COMMANDS / 4));
    });
  });
}
