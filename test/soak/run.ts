// The long soak (issue 8), run by hand: crash durability, HTTP fuzzing and the extended auth matrix on every
// store, then one report. `npm test` runs the short modes (the *.test.ts files beside these modules).
//
//   node --import tsx test/soak/run.ts --long                  # ≥ 20 kills and ≥ 100 000 requests per store
//   node --import tsx test/soak/run.ts                         # the short mode's sizes, as one report
//   node --import tsx test/soak/run.ts --long --only fuzz      # crash | events | fuzz | auth
//   OPENLINES_TEST_STORES=sqlite OPENLINES_SOAK_SEED=42 node --import tsx test/soak/run.ts --long
//
// `events` kills the server while new chats open sessions and checks every session's OnImConnectorDialogStart
// arrives at a loopback handler (lost = 0; repeats only after a kill or a failed attempt, counted).
// Exit status 0 only when lost = 0, 5xx = 0, crashes = 0, hangs = 0 and unexpected successes = 0.

import { parseArgs } from 'node:util';
import { runHttpFuzz } from '../fuzz/http-fuzz.js';
import { STORES } from '../helpers/stores.js';
import { runAuthCells } from '../security/auth-cells.js';
import { runCrashDurability } from './crash-durability.js';
import { runEventDurability } from './event-durability.js';
import { soakSeed } from './random.js';

const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    only: { type: 'string' },
    kills: { type: 'string' },
    requests: { type: 'string' },
  },
});
const long = values.long;
const parts = new Set((values.only ?? 'crash,events,fuzz,auth').split(','));
const kills = Number(values.kills ?? (long ? 24 : 3));
const requests = Number(values.requests ?? (long ? 100_000 : 2_000));
const seed = soakSeed();
const out = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();

out(`openlines soak: ${long ? 'long' : 'short'} mode, stores ${STORES.join(',')}, seed ${seed}`);
const lines: string[] = [];
let failed = false;

for (const store of STORES) {
  if (parts.has('crash')) {
    const r = await runCrashDurability({
      store,
      kills,
      workers: 8,
      minUpMs: 300,
      maxUpMs: long ? 4_000 : 1_500,
      killDuringStartRate: long ? 0.15 : 0,
      seed,
      log: out,
    });
    const acknowledged = r.addsAcknowledged + r.updatesAcknowledged;
    lines.push(
      `crash [${store}]: kills survived ${r.kills} (${r.killsDuringStart} during start-up), restarts ${r.restarts}, ` +
        `acknowledged writes ${acknowledged} (${r.addsAcknowledged} adds, ${r.updatesAcknowledged} updates), ` +
        `in flight at kill ${r.inFlightAtKill} (${r.unacknowledgedCommitted} found committed, whole), ` +
        `line checks ${r.linesChecked}, lost ${r.lost}, half-writes ${r.halfWrites}, ` +
        `unexpected answers ${r.unexpectedAnswers}`,
    );
    for (const f of r.failures) lines.push(`  ! ${f}`);
    failed ||= r.lost > 0 || r.halfWrites > 0 || r.failures.length > 0;
  }
  if (parts.has('events')) {
    const r = await runEventDurability({
      store,
      kills,
      workers: 6,
      minUpMs: 300,
      maxUpMs: long ? 3_000 : 1_500,
      killDuringStartRate: long ? 0.15 : 0,
      seed,
      log: out,
    });
    lines.push(
      `events [${store}]: kills survived ${r.kills} (${r.killsDuringStart} during start-up), restarts ${r.restarts}, ` +
        `sessions acknowledged ${r.sendsAcknowledged}, sends in flight at kill ${r.inFlightAtKill}, ` +
        `sessions committed ${r.sessionsCommitted} (${r.unacknowledgedCommitted} unacknowledged), ` +
        `deliveries ${r.deliveries}, lost ${r.lost}, duplicates after a kill ${r.duplicatesAfterKill}, ` +
        `after a failed attempt ${r.duplicatesAfterFailedAttempt}, unexplained ${r.duplicatesUnexplained}, ` +
        `unexpected answers ${r.unexpectedAnswers}, last server settled in ${r.settleMs} ms`,
    );
    for (const f of r.failures) lines.push(`  ! ${f}`);
    failed ||= r.lost > 0 || r.duplicatesUnexplained > 0 || r.failures.length > 0;
  }
  if (parts.has('fuzz')) {
    const r = await runHttpFuzz({ store, requests, concurrency: 8, seed, log: out });
    lines.push(
      `fuzz [${store}]: requests ${r.requests} (${r.truncated} truncated on purpose), 5xx ${r.fiveXx}, ` +
        `by-design 503 ${r.byDesign503}, crashes ${r.crashes}, hangs ${r.hangs}, malformed answers ${r.badAnswers}, ` +
        `internal errors logged ${r.internalErrorsLogged}, keep-alive races retried ${r.retriedOnNewConnection}, ` +
        `oversized requests refused while still sending ${r.refusedWhileSending}, ` +
        `lines at the end ${r.linesAtEnd}, ` +
        `consistency problems ${r.consistency.length}; statuses ${JSON.stringify(r.byStatus)}`,
    );
    for (const f of [...r.failures, ...r.consistency]) lines.push(`  ! ${f}`);
    failed ||= r.fiveXx > 0 || r.crashes > 0 || r.hangs > 0 || r.failures.length > 0 || r.consistency.length > 0;
  }
  if (parts.has('auth')) {
    const r = await runAuthCells({ store, extended: long, seed });
    lines.push(
      `auth matrix [${store}]: cells tried ${r.cells} (${r.refusalsExpected} must be refused), ` +
        `unexpected successes ${r.unexpectedSuccesses}, other mismatches ${r.mismatches}`,
    );
    for (const f of r.failures) lines.push(`  ! ${f}`);
    failed ||= r.unexpectedSuccesses > 0 || r.failures.length > 0;
  }
}

out('');
out(
  `openlines soak report (${long ? 'long' : 'short'} mode, seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s)`,
);
for (const line of lines) out(line);
out(failed ? 'RESULT: FAILED' : 'RESULT: ok');
process.exit(failed ? 1 : 0);
