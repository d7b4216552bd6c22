// Statements (on PostgreSQL: round trips) per request for each bench scenario and store, counted by the store's
// statement counter (src/store/statement-count.ts, on here through OPENLINES_COUNT_STATEMENTS=1). Requests are
// sent one at a time to an in-process server, so SQLite's group commit has one write per group and every
// `begin` / `commit` / savepoint a write costs is in its figure. The offer's figure comes from
// `OPENLINES_COUNT_STATEMENTS=1 npm run bench:distribution`.
//
//   npx tsx bench/round-trips.ts [--targets sqlite,postgres] [--requests 20] [--only config.add,batch]

process.env.OPENLINES_COUNT_STATEMENTS ??= '1';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServer } from '../src/server.js';
import { loadSettings } from '../src/settings.js';
import { statementCount } from '../src/store/statement-count.js';
import { type BenchPostgres, postgresUnavailable, startBenchPostgres } from './postgres.js';
import { freePort } from './processes.js';
import { prepareConnector, SCENARIOS } from './scenarios.js';
import { prepareStore } from './seed-store.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'sqlite,postgres' },
    requests: { type: 'string', default: '20' },
    lines: { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const LINES = Number(values.lines);
const only = values.only?.split(',');
const scenarios = SCENARIOS.filter((s) => !only || only.some((o) => s.name.startsWith(o)));

async function measure(url: string, dataDir: string): Promise<Map<string, number>> {
  const prepared = await prepareStore(url, LINES, 'Bench');
  const settings = {
    ...loadSettings({}, { data: dataDir, database: url }),
    port: 0,
    httpsPort: -1,
    ratePlan: 'off' as const,
    logLevel: 'silent' as const,
  };
  const server = await startServer(settings, { logger: pino({ level: 'silent' }) });
  const figures = new Map<string, number>();
  try {
    const post = async (path: string, body: Record<string, unknown>) => {
      const response = await fetch(`${server.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    await prepareConnector((method, params) => post(`/rest/${method}.json`, { ...params, auth: prepared.app.token }));
    for (const scenario of scenarios) {
      const send = () =>
        scenario.app
          ? post(`/rest/${scenario.method}.json`, { ...scenario.body(LINES), auth: prepared.app.token })
          : post(`/rest/1/${prepared.webhook.code}/${scenario.method}.json`, scenario.body(LINES));
      // Warm-up: the once-a-minute writes (activity, sweeps) and first-use reads happen here, not in the figure.
      for (let i = 0; i < 3; i++) {
        const why = scenario.check(await send(), LINES);
        if (why) throw new Error(`${scenario.name}: ${why}`);
      }
      if (process.env.OPENLINES_COUNT_STATEMENTS === 'log') process.stderr.write(`---- ${scenario.name}\n`);
      const before = statementCount.total;
      for (let i = 0; i < REQUESTS; i++) await send();
      figures.set(scenario.name, (statementCount.total - before) / REQUESTS);
    }
  } finally {
    await server.close();
  }
  return figures;
}

async function main(): Promise<void> {
  const targets = String(values.targets).split(',');
  let cluster: BenchPostgres | undefined;
  const results = new Map<string, Map<string, number>>();
  for (const target of targets) {
    const dir = mkdtempSync(join(tmpdir(), 'openlines-bench-rt-'));
    try {
      let url = `sqlite:${dir}/openlines.db`;
      if (target === 'postgres') {
        const why = await postgresUnavailable();
        if (why) {
          console.log(`postgres: skipped (${why})`);
          continue;
        }
        cluster ??= await startBenchPostgres(await freePort(), null);
        url = await cluster.createDatabase(`rt_${process.pid}`);
      }
      results.set(target, await measure(url, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  cluster?.stop();
  console.log(`statements per request (${REQUESTS} requests one at a time, ${LINES} lines)`);
  console.log(`| scenario | ${[...results.keys()].join(' | ')} |`);
  console.log(`|---|${[...results.keys()].map(() => '---:').join('|')}|`);
  for (const scenario of scenarios) {
    const cells = [...results.values()].map((r) => (r.get(scenario.name) ?? Number.NaN).toFixed(1));
    console.log(`| ${scenario.name} | ${cells.join(' | ')} |`);
  }
}

await main();
process.exit(0);
