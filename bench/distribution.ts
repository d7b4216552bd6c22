// Redistribution throughput (issue 17): a line with OPERATORS operators (strictly, QUEUE_TIME 60 s, MAX_CHAT 0) and
// SESSIONS waiting sessions; the test clock moves past QUEUE_TIME and one server's scheduler redistributes every
// session (a durable transaction per session: the session, its offer, its next alarm, the system message).
// Reported: offers per second, the median of the runs, on the embedded SQLite store and a durable PostgreSQL.
//
//   npx tsx bench/distribution.ts [--sessions 1000] [--operators 100] [--runs 3] [--targets sqlite,postgres]
// With OPENLINES_COUNT_STATEMENTS=1, also the statements (PostgreSQL: round trips) per offer.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ManualClock } from '../src/clock.js';
import { type RunningServer, startServer } from '../src/server.js';
import { loadSettings } from '../src/settings.js';
import { statementCount } from '../src/store/statement-count.js';
import { type BenchPostgres, postgresUnavailable, startBenchPostgres } from './postgres.js';
import { freePort } from './processes.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    operators: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'sqlite,postgres' },
  },
});
const SESSIONS = Number(values.sessions);
const OPERATORS = Number(values.operators);
const RUNS = Number(values.runs);

async function call(server: RunningServer, path: string, params: Record<string, unknown>) {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (body.error) throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.result;
}

/** One run on a fresh database: seconds to redistribute every session once. */
async function run(databaseUrl: string, dataDir: string): Promise<number> {
  const clock = new ManualClock(Date.parse('2026-12-07T10:00:00Z'));
  const settings = {
    ...loadSettings({}, { data: dataDir, database: databaseUrl }),
    port: 0,
    httpsPort: -1,
    ratePlan: 'off' as const,
    logLevel: 'silent' as const,
    eventPollMs: 3_600_000,
  };
  const server = await startServer(settings, { logger: pino({ level: 'silent' }), clock });
  try {
    const hook = `/rest/1/${server.firstWebhook?.code}/`;
    const operators: number[] = [];
    for (let i = 0; i < OPERATORS; i++)
      operators.push(await server.directory.addUser({ name: `Op ${i}`, online: true }));
    const app = await server.oauth.createApp({ name: 'Bench', scopes: ['imopenlines', 'imconnector'] });
    const auth = (await server.oauth.issueToken(app.clientId, 1)).accessToken;
    await call(server, '/rest/imconnector.register', {
      auth,
      ID: 'bench',
      NAME: 'Bench',
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://bench.example.com/',
    });
    const line = (await call(server, `${hook}imopenlines.config.add`, {
      PARAMS: {
        LINE_NAME: 'Bench',
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
        MAX_CHAT: 0,
        QUEUE: operators.map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) })),
      },
    })) as number;
    await call(server, '/rest/imconnector.activate', { auth, CONNECTOR: 'bench', LINE: line, ACTIVE: 1 });
    for (let i = 0; i < SESSIONS; i += 50) {
      const messages = [];
      for (let j = i; j < Math.min(SESSIONS, i + 50); j++) {
        messages.push({ user: { id: `c${j}` }, message: { text: 'hi' }, chat: { id: `chat${j}` } });
      }
      await call(server, '/rest/imconnector.send.messages', {
        auth,
        CONNECTOR: 'bench',
        LINE: line,
        MESSAGES: messages,
      });
    }
    // Moving the clock fires the scheduler's timer for the first due alarm: the work starts inside set().
    const started = performance.now();
    const statementsBefore = statementCount.total;
    await clock.set(clock.now() + 60_000);
    await server.scheduler.runDue();
    const seconds = (performance.now() - started) / 1000;
    if (statementCount.total > statementsBefore) {
      console.log(`  ${((statementCount.total - statementsBefore) / SESSIONS).toFixed(1)} statements per offer`);
    }
    const moved = await server.store.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 5)
      .executeTakeFirstOrThrow();
    if (Number(moved.n) !== SESSIONS) throw new Error(`${moved.n} of ${SESSIONS} sessions were redistributed`);
    return seconds;
  } finally {
    await server.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const targets = String(values.targets).split(',');
  let pgCluster: BenchPostgres | undefined;
  console.log(`redistribution: ${SESSIONS} waiting sessions, ${OPERATORS} operators, strictly, ${RUNS} runs`);
  for (const target of targets) {
    const seconds: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'openlines-bench-dist-'));
      try {
        let url = `sqlite:${dir}/openlines.db`;
        if (target === 'postgres') {
          const why = await postgresUnavailable();
          if (why) {
            console.log(`postgres: skipped (${why})`);
            break;
          }
          pgCluster ??= await startBenchPostgres(await freePort(), null);
          url = await pgCluster.createDatabase(`dist_${process.pid}_${i}`);
        }
        seconds.push(await run(url, dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (seconds.length > 0) {
      const rates = seconds.map((s) => SESSIONS / s);
      console.log(
        `${target}: median ${median(rates).toFixed(0)} offers/s (runs: ${rates.map((r) => r.toFixed(0)).join(', ')})`,
      );
    }
  }
  pgCluster?.stop();
}

await main();
process.exit(0);
