// Short mode of the HTTP fuzzer (http-fuzz.ts): a few thousand generated requests per store against a real
// server process. The long mode (≥ 100 000 requests) is `node --import tsx test/soak/run.ts --long` (README).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { soakSeed } from '../soak/random.js';
import { runHttpFuzz } from './http-fuzz.js';

const REQUESTS: Record<string, number> = { sqlite: 2_000, postgres: 1_200 };

for (const store of STORES) {
  describe(`HTTP fuzzing [${store}]`, () => {
    it('generated requests of every shape: no 5xx, no crash, no hang, well-formed answers, a consistent store', async (t) => {
      const seed = soakSeed();
      const report = await runHttpFuzz({ store, requests: REQUESTS[store]!, concurrency: 6, seed });
      t.diagnostic(JSON.stringify({ ...report, failures: report.failures.length }));
      assert.deepEqual(report.failures, [], `seed ${seed}`);
      assert.deepEqual(report.consistency, [], `seed ${seed}`);
      assert.equal(report.fiveXx, 0);
      assert.equal(report.crashes, 0);
      assert.equal(report.hangs, 0);
      assert.equal(report.badAnswers, 0);
      assert.equal(report.requests, REQUESTS[store]);
    });
  });
}
