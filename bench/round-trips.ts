// Statements (on PostgreSQL: round trips) per request for each bench scenario and store, counted by the store's
// statement counter (src/store/statement-count.ts, on here through OPENLINES_COUNT_STATEMENTS=1). Requests are
// sent one at a time to an in-process server, so SQLite's group commit has one write per group and every
// `begin` / `commit` / savepoint a write costs is in its figure. The offer's figure comes from
// `OPENLINES_COUNT_STATEMENTS=1 npm run bench:distribution`. On PostgreSQL also the database's CPU per request:
// the CPU time of the cluster's processes (the postmaster's children, from /proc) over the same requests; ticks
// of 10 ms, so give it enough requests (--requests 200).
//
//   npx tsx bench/round-trips.ts [--targets sqlite,postgres] [--requests 20] [--concurrency 1] [--only config.add,batch]

process.env.OPENLINES_COUNT_STATEMENTS ??= '1';

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { startServer } from '../src/server.js';
import { loadSettings } from '../src/settings.js';
import { statementCount } from '../src/store/statement-count.js';
import { type BenchPostgres, postgresUnavailable, startBenchPostgres } from './postgres.js';
import { cpuTimeMs, freePort } from './processes.js';
import { prepareConnector, SCENARIOS } from './scenarios.js';
import { prepareStore } from './seed-store.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'sqlite,postgres' },
    requests: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '1' },
    lines: { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
/** Requests in flight at once (1: one at a time; more shows what concurrent requests share, e.g. version checks). */
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const LINES = Number(values.lines);
const only = values.only?.split(',');
const scenarios = SCENARIOS.filter((s) => !only || only.some((o) => s.name.startsWith(o)));

/** CPU milliseconds used so far by the PostgreSQL cluster that runs `backendPid` (its postmaster and children). */
function clusterCpuMs(backendPid: number): number {
  const parentOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  };
  const postmaster = parentOf(backendPid);
  let total = cpuTimeMs(postmaster) ?? 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parentOf(Number(entry)) === postmaster) total += cpuTimeMs(Number(entry)) ?? 0;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

interface Figures {
  readonly statements: number;
  /** PostgreSQL's CPU µs per request; null on SQLite. */
  readonly databaseCpuUs: number | null;
}

async function measure(url: string, dataDir: string): Promise<Map<string, Figures>> {
  const prepared = await prepareStore(url, LINES, 'Bench');
  const settings = {
    ...loadSettings({}, { data: dataDir, database: url }),
    port: 0,
    httpsPort: -1,
    ratePlan: 'off' as const,
    logLevel: 'silent' as const,
  };
  const server = await startServer(settings, { logger: pino({ level: 'silent' }) });
  const figures = new Map<string, Figures>();
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
    const backend = url.startsWith('postgres')
      ? Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(server.store.db)).rows[0]?.pid)
      : null;
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
      const cpuBefore = backend === null ? 0 : clusterCpuMs(backend);
      let sent = 0;
      const worker = async () => {
        while (sent < REQUESTS) {
          sent += 1;
          await send();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      figures.set(scenario.name, {
        statements: (statementCount.total - before) / REQUESTS,
        databaseCpuUs: backend === null ? null : ((clusterCpuMs(backend) - cpuBefore) * 1000) / REQUESTS,
      });
    }
  } finally {
    await server.close();
  }
  return figures;
}

async function main(): Promise<void> {
  const targets = String(values.targets).split(',');
  let cluster: BenchPostgres | undefined;
  const results = new Map<string, Map<string, Figures>>();
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
  console.log(
    `statements per request (${REQUESTS} requests, ${CONCURRENCY === 1 ? 'one at a time' : `${CONCURRENCY} at a time`}, ${LINES} lines)`,
  );
  const columns = [...results.entries()].flatMap(([target, r]) => {
    const statements = {
      title: `${target} statements`,
      cell: (f?: Figures) => (f?.statements ?? Number.NaN).toFixed(1),
    };
    const hasCpu = [...r.values()].some((f) => f.databaseCpuUs !== null);
    const cpu = {
      title: `${target} database CPU µs`,
      cell: (f?: Figures) => (f?.databaseCpuUs ?? Number.NaN).toFixed(0),
    };
    return (hasCpu ? [statements, cpu] : [statements]).map((c) => ({ ...c, target }));
  });
  console.log(`| scenario | ${columns.map((c) => c.title).join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---:').join('|')}|`);
  for (const scenario of scenarios) {
    const cells = columns.map((c) => c.cell(results.get(c.target)?.get(scenario.name)));
    console.log(`| ${scenario.name} | ${cells.join(' | ')} |`);
  }
}

await main();
process.exit(0);
