// Short mode of the extended authentication matrix (auth-cells.ts): every tricked URL and header form for one
// method per family and the admin API, on every store. The long mode (test/soak/run.ts --long) runs every method
// and random mutations of each valid secret.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { soakSeed } from '../soak/random.js';
import { runAuthCells } from './auth-cells.js';

for (const store of STORES) {
  describe(`authentication matrix, tricked URLs and headers [${store}]`, () => {
    it('path tricks, smuggled and malformed credentials: zero unexpected successes', async (t) => {
      const report = await runAuthCells({ store, extended: false, seed: soakSeed() });
      t.diagnostic(JSON.stringify({ ...report, failures: report.failures.length }));
      assert.deepEqual(report.failures, []);
      assert.equal(report.unexpectedSuccesses, 0);
      assert.equal(report.mismatches, 0);
      assert.ok(report.refusalsExpected > 100, 'the refusing cells ran');
    });
  });
}
