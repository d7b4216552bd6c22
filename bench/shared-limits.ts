// What keeping the request-rate and operating-time state in PostgreSQL costs per request (issue 7), against the
// in-memory versions and against one bare `select 1` round trip on the same pool: is the database fast enough
// for it, or would it need Redis? Durable cluster (bench/postgres.ts), loopback, pool of 10 like a server.
// Usage: node --import tsx bench/shared-limits.ts [--requests 3000] [--concurrency 10]

import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { systemClock } from '../src/clock.js';
import { OperatingTime } from '../src/rest/operating-time.js';
import { RequestRateLimiter } from '../src/rest/rate-limiter.js';
import { SharedOperatingTime, SharedRequestRateLimiter } from '../src/rest/shared-limits.js';
import { openStore } from '../src/store/open-store.js';
import { RATE_PLANS } from '../src/wire/limits.js';
import { startBenchPostgres } from './postgres.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const REQUESTS = flag('requests', 3000);
const CONCURRENCY = flag('concurrency', 10);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Measure {
  name: string;
  medianMs: number;
  p99Ms: number;
  perSecond: number;
}

/** Runs `op(i)` REQUESTS times from CONCURRENCY loops; latency of each op, throughput overall. */
async function measure(name: string, op: (i: number) => Promise<unknown> | unknown): Promise<Measure> {
  for (let i = 0; i < 200; i++) await op(-1 - i); // warm-up
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, medianMs: at(0.5), p99Ms: at(0.99), perSecond: REQUESTS / seconds };
}

const T0 = Date.now();
const postgres = await startBenchPostgres(await freePort(), null);
try {
  const store = await openStore(await postgres.createDatabase('shared_limits'));
  const limits = RATE_PLANS.enterprise;
  // Distinct addresses: every request is admitted and writes its bucket (the expensive path).
  const address = (i: number) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  const memoryRate = new RequestRateLimiter(limits, systemClock, 'bench');
  const sharedRate = new SharedRequestRateLimiter(store.db, limits, systemClock, 'bench');
  const options = { limitSeconds: 420, clock: systemClock };
  const memoryOperating = new OperatingTime(options);
  const sharedOperating = new SharedOperatingTime(store, options);
  const results = [
    await measure('select 1 (one round trip)', () => sql`select 1`.execute(store.db)),
    await measure('rate: in memory', (i) => memoryRate.tryAdmit(address(i))),
    await measure('rate: PostgreSQL upsert', (i) => sharedRate.tryAdmit(address(i))),
    await measure('operating: in memory (check + record)', (i) => {
      memoryOperating.check(`webhook:${i % 50}`, 'imopenlines.config.get');
      return memoryOperating.record(`webhook:${i % 50}`, 'imopenlines.config.get', 5, Date.now());
    }),
    await measure('operating: PostgreSQL (check + record)', async (i) => {
      await sharedOperating.check(`webhook:${i % 50}`, 'imopenlines.config.get');
      return sharedOperating.record(`webhook:${i % 50}`, 'imopenlines.config.get', 5, Date.now());
    }),
    await measure('operating: PostgreSQL, a call over 0.1 s (upsert + read)', (i) =>
      sharedOperating.record(`webhook:${i % 50}`, 'imopenlines.config.add', 150, Date.now()),
    ),
  ];
  await store.close();
  console.log(`${REQUESTS} operations, ${CONCURRENCY} at a time, pool of 10, durable PostgreSQL 17 on loopback`);
  console.log('| operation | median ms | p99 ms | per second |');
  console.log('|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.medianMs.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${Math.round(r.perSecond)} |`);
  }
  console.log(`(${((Date.now() - T0) / 1000).toFixed(1)} s)`);
} finally {
  postgres.stop();
}
