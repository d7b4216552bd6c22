// Short mode of the crash-durability soaks (crash-durability.ts, event-durability.ts): a few SIGKILLs under load
// on each store. The long mode (≥ 20 kills per store) is `node --import tsx test/soak/run.ts --long` (README).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORES } from '../helpers/stores.js';
import { runCrashDurability } from './crash-durability.js';
import { runEventDurability } from './event-durability.js';
import { soakSeed } from './random.js';

for (const store of STORES) {
  describe(`crash durability [${store}]`, () => {
    it('SIGKILL under concurrent add/update load: every acknowledged write survives whole, nothing half-written', async (t) => {
      const seed = soakSeed();
      const report = await runCrashDurability({
        store,
        kills: 3,
        workers: 6,
        minUpMs: 400,
        maxUpMs: 1_500,
        killDuringStartRate: 0,
        seed,
        log: (line) => t.diagnostic(line),
      });
      t.diagnostic(JSON.stringify(report));
      assert.deepEqual(report.failures, [], `seed ${seed}`);
      assert.equal(report.lost, 0);
      assert.equal(report.halfWrites, 0);
      assert.equal(report.kills, 3);
      assert.ok(report.addsAcknowledged + report.updatesAcknowledged > 0, 'the load wrote something');
      assert.ok(report.inFlightAtKill > 0, 'some kill hit writes in flight');
    });
  });
}

for (const store of STORES) {
  describe(`event crash durability [${store}]`, () => {
    it('SIGKILL while new chats open sessions: every committed session’s OnImConnectorDialogStart arrives', async (t) => {
      const seed = soakSeed();
      const report = await runEventDurability({
        store,
        kills: 3,
        workers: 4,
        // Long enough for answers on a busy machine: a send that opens a session and queues its event takes a few
        // hundred milliseconds on PostgreSQL while deliveries run beside it.
        minUpMs: 1_500,
        maxUpMs: 3_000,
        killDuringStartRate: 0,
        seed,
        log: (line) => t.diagnostic(line),
      });
      t.diagnostic(JSON.stringify(report));
      assert.deepEqual(report.failures, [], `seed ${seed}`);
      assert.equal(report.lost, 0);
      assert.equal(report.duplicatesUnexplained, 0);
      assert.equal(report.kills, 3);
      assert.ok(report.sendsAcknowledged > 0, 'the load opened sessions');
      assert.ok(report.deliveries >= report.sessionsCommitted);
    });
  });
}
