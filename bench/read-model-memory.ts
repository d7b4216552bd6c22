// The read model's footprint (issue 20): a SQLite store of N lines (the bench seed: 91 fields, a queue of three
// operators), every line read through the model and its config.get answer presented once, as a server that
// answered a get for each line would keep it. Prints RSS and heap before and after, per line, and with the
// default bound (the hot lines only).
//
//   npx tsx --expose-gc bench/read-model-memory.ts [--lines 100000] [--capacity 100000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { presentLine } from '../src/domain/lines/present-line.js';
import { keptAnswer, READ_MODEL_DEFAULTS, ReadModel } from '../src/domain/read-model/read-model.js';
import { openStore } from '../src/store/open-store.js';
import { EncodedJson } from '../src/wire/php-json.js';
import { prepareStore } from './seed-store.js';

const { values: flags } = parseArgs({
  options: { lines: { type: 'string' }, capacity: { type: 'string' } },
});
const LINES = Number(flags.lines ?? 100_000);
const CAPACITIES = flags.capacity ? [Number(flags.capacity)] : [LINES, READ_MODEL_DEFAULTS.lines];

const MB = 1024 * 1024;
function snapshot(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'openlines-read-model-memory-'));
try {
  const url = `sqlite:${join(dir, 'openlines.db')}`;
  await prepareStore(url, LINES, 'Bench');
  const store = await openStore(url);
  const options = { timeZone: 'UTC', companyName: 'Bench' };
  for (const capacity of CAPACITIES) {
    const before = snapshot();
    const model = new ReadModel(store.changes, { lines: capacity });
    const started = process.hrtime.bigint();
    for (let id = 1; id <= LINES; id++) {
      // Twice: a line is kept from its second read on.
      await store.read((db) => model.line(db, id));
      const entry = await store.read((db) => model.line(db, id));
      if (!entry) throw new Error(`line ${id} is missing`);
      // As config.get keeps it: the presented answer with its JSON text.
      keptAnswer(
        entry,
        'QO',
        () => new EncodedJson(presentLine(entry.line, entry.members, { withQueue: true, showOffline: true }, options)),
      );
    }
    const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
    const after = snapshot();
    const kept = model.sizes().lines;
    console.log(
      `${LINES} lines read, capacity ${capacity}: ${kept} kept; RSS ${mb(before.rss)} → ${mb(after.rss)} ` +
        `(+${mb(after.rss - before.rss)}), heap ${mb(before.heap)} → ${mb(after.heap)} ` +
        `(+${mb(after.heap - before.heap)}, ${((after.heap - before.heap) / Math.max(kept, 1) / 1024).toFixed(1)} KB ` +
        `per kept line); loaded in ${(loadMs / 1000).toFixed(1)} s`,
    );
    // The next measurement starts from an empty model.
    store.changes.deliver({ kind: 'all' });
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
