// How close any Fastify server can come to the reference: the bare node:http reference, Fastify answering the same
// stored JSON (bench/fastify-floor-server.ts) without and with one asynchronous pino line per request, measured
// in the same run, interleaved, on the same pinned CPUs as `npm run bench`. openlines cannot beat the last row on
// a config.get; its ratio to the reference is bounded by that row's ratio (issue 10).
//
//   npx tsx bench/framework-floor.ts [--runs 3] [--duration 2] [--connections 8,64]

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measure } from './load.js';
import { type Child, freePort, pinCpus, startChild } from './processes.js';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' } },
});
const runs = Number(values.runs ?? 3);
const durationS = Number(values.duration ?? 2);
const connections = (values.connections ?? '8,64').split(',').map(Number);
const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'openlines-floor-'));
const pin = pinCpus();

// An answer of config.get's size and shape: ~90 string fields, ~4 KB of JSON.
const fields = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`FIELD_${i}`, `value ${i} `.repeat(3)]));
const answer = JSON.stringify({ result: fields, time: { start: 1, finish: 2, duration: 1, processing: 0 } });

const targets: { name: string; script: string; env: Record<string, string> }[] = [
  { name: 'reference (node:http)', script: 'reference-server.ts', env: {} },
  { name: 'Fastify, no request log', script: 'fastify-floor-server.ts', env: { LOG: '0' } },
  { name: 'Fastify + one async pino line per request', script: 'fastify-floor-server.ts', env: { LOG: '1' } },
];

const children: Child[] = [];
try {
  const started: { name: string; child: Child }[] = [];
  for (const target of targets) {
    const port = await freePort();
    const child = await startChild({
      name: target.name,
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'bench', target.script)],
      env: { PORT: String(port), ...target.env },
      port,
      readyPath: '/',
      logFile: join(work, `${target.script}-${target.env.LOG ?? ''}.log`),
      cpus: pin.server,
      timeoutMs: 30_000,
    });
    children.push(child);
    await fetch(`${child.url}/__answer/get`, { method: 'PUT', body: answer });
    started.push({ name: target.name, child });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${runs} run(s) × ${durationS} s, GET of a ~${answer.length} B JSON answer; ${pin.note}`);
  out('');
  out('| conns | server | req/s (median) | p99 ms (median) | × reference req/s (median of per-run ratios) |');
  out('|---:|---|---:|---:|---:|');
  for (const c of connections) {
    const rows = new Map<string, { rps: number[]; p99: number[]; ratio: number[] }>();
    for (let run = 0; run < runs; run++) {
      let referenceRps = Number.NaN;
      for (const { name, child } of started) {
        const spec = { url: child.url, method: 'GET' as const, connections: c, next: () => ({ path: '/rest/get' }) };
        if (run === 0) await measure({ ...spec, durationS: 0.5 });
        const m = await measure({ ...spec, durationS });
        if (name.startsWith('reference')) referenceRps = m.requestsPerS;
        const row = rows.get(name) ?? { rps: [], p99: [], ratio: [] };
        row.rps.push(m.requestsPerS);
        row.p99.push(m.p99Ms);
        row.ratio.push(m.requestsPerS / referenceRps);
        rows.set(name, row);
      }
    }
    for (const [name, row] of rows) {
      out(
        `| ${c} | ${name} | ${Math.round(median(row.rps)).toLocaleString('en-US')} | ${median(row.p99).toFixed(1)} | ${median(row.ratio).toFixed(2)}× |`,
      );
    }
  }
} finally {
  await Promise.all(children.map((child) => child.stop()));
}
