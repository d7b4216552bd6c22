// Medians over runs, ratios within a run, and the Markdown written to bench/results.md (between markers, so the
// hand-written sections around them stay).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './load.js';

export type TargetName =
  | 'reference'
  | 'openlines-sqlite'
  | 'openlines-sqlite-baseline'
  | 'openlines-postgres'
  | 'json-server';

/** `base`: every scenario on the base store; `sizes`: the size comparison, all sizes interleaved. */
export type Phase = 'base' | 'sizes';

export interface Sample {
  readonly phase: Phase;
  readonly target: TargetName;
  readonly scenario: string;
  readonly lines: number;
  readonly connections: number;
  readonly run: number;
  readonly m: Measurement;
  /** The server process's CPU time per answered request (all its threads; not PostgreSQL's), in µs. */
  readonly serverCpuUs: number | null;
}

export interface ServerFacts {
  readonly phase: Phase;
  readonly target: TargetName;
  readonly lines: number;
  readonly startupMs: number;
  readonly rssAfterStartMb: number | null;
  readonly rssAfterLoadMb: number | null;
  readonly peakRssMb: number | null;
}

export interface RunInfo {
  readonly date: string;
  readonly command: string;
  readonly machine: string;
  readonly settings: string;
  readonly notes: readonly string[];
  readonly skipped: readonly string[];
  readonly baseLines: number;
  readonly elapsedS: number;
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fmtMs = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '—');
const fmtRatio = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×` : '—');
const fmtMb = (n: number | null) => (n !== null && Number.isFinite(n) ? n.toFixed(0) : '—');

export interface Summary {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  readonly loadCpu: number;
  readonly cpuUs: number;
  readonly runs: number;
}

export class Results {
  readonly samples: Sample[] = [];
  readonly servers: ServerFacts[] = [];

  of(target: TargetName, scenario: string, lines: number, connections: number, phase: Phase = 'base'): Sample[] {
    return this.samples.filter(
      (s) =>
        s.phase === phase &&
        s.target === target &&
        s.scenario === scenario &&
        s.lines === lines &&
        s.connections === connections,
    );
  }

  summary(
    target: TargetName,
    scenario: string,
    lines: number,
    connections: number,
    phase: Phase = 'base',
  ): Summary | null {
    const runs = this.of(target, scenario, lines, connections, phase);
    if (runs.length === 0) return null;
    return {
      rps: median(runs.map((s) => s.m.requestsPerS)),
      p50: median(runs.map((s) => s.m.p50Ms)),
      p99: median(runs.map((s) => s.m.p99Ms)),
      failed: runs.reduce((n, s) => n + s.m.failed, 0),
      loadCpu: Math.max(...runs.map((s) => s.m.loadCpu)),
      cpuUs: median(runs.map((s) => s.serverCpuUs ?? Number.NaN)),
      runs: runs.length,
    };
  }

  /** Median over runs of (target ÷ other) within the same run number: the runs are interleaved. */
  ratio(
    target: TargetName,
    other: TargetName,
    scenario: string,
    lines: number,
    connections: number,
    otherScenario = scenario,
    pick: (m: Measurement) => number = (m) => m.requestsPerS,
  ): number {
    const mine = this.of(target, scenario, lines, connections);
    const theirs = this.of(other, otherScenario, lines, connections);
    const ratios: number[] = [];
    for (const s of mine) {
      const t = theirs.find((o) => o.run === s.run);
      if (t && pick(t.m) > 0) ratios.push(pick(s.m) / pick(t.m));
    }
    return median(ratios);
  }
}

export const TARGET_LABEL: Record<TargetName, string> = {
  reference: 'reference (node:http)',
  'openlines-sqlite': 'openlines SQLite',
  'openlines-sqlite-baseline': 'openlines SQLite, baseline build',
  'openlines-postgres': 'openlines PostgreSQL',
  'json-server': 'json-server 0.17.4',
};

export interface TargetCheck {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export function renderMarkdown(
  results: Results,
  info: RunInfo,
  scenarios: readonly { name: string; jsonServer?: unknown }[],
  connections: readonly number[],
  sizes: readonly number[],
  sizeConnections: readonly number[],
  checks: readonly TargetCheck[],
): string {
  const out: string[] = [];
  const base = info.baseLines;
  out.push(`Run of ${info.date}, ${info.elapsedS.toFixed(0)} s: \`${info.command}\``);
  out.push('');
  out.push(`- Machine: ${info.machine}`);
  out.push(`- Settings: ${info.settings}`);
  for (const note of info.notes) out.push(`- ${note}`);
  for (const skip of info.skipped) out.push(`- Skipped: ${skip}`);
  out.push('');

  if (checks.length) {
    out.push('### Targets (issue 10)');
    out.push('');
    out.push('| target | goal | measured (median) | met |');
    out.push('|---|---|---|---|');
    for (const c of checks)
      out.push(`| ${c.name} | ${c.goal} | ${c.measured} | ${c.met === null ? '—' : c.met ? 'yes' : '**no**'} |`);
    out.push('');
  }

  out.push(`### Throughput and latency, store of ${base.toLocaleString('en-US')} lines`);
  out.push('');
  out.push(
    'Medians over the runs; "× ref" is the median of the per-run ratios to the reference measured right before.',
  );
  out.push('');
  out.push(
    '| scenario | conns | server | req/s | p50 ms | p99 ms | × ref req/s | × ref p99 | server CPU µs/req | notes |',
  );
  out.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---|');
  const targets: TargetName[] = [
    'reference',
    'openlines-sqlite-baseline',
    'openlines-sqlite',
    'openlines-postgres',
    'json-server',
  ];
  for (const scenario of scenarios) {
    for (const c of connections) {
      for (const target of targets) {
        const s = results.summary(target, scenario.name, base, c);
        if (!s) continue;
        const isRef = target === 'reference';
        const notes: string[] = [];
        if (s.failed) notes.push(`${s.failed} failed`);
        if (s.loadCpu > 0.9) notes.push(`load generator at ${Math.round(s.loadCpu * 100)}% CPU`);
        out.push(
          `| ${scenario.name} | ${c} | ${TARGET_LABEL[target]} | ${fmtInt(s.rps)} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${
            isRef ? '1×' : fmtRatio(results.ratio(target, 'reference', scenario.name, base, c))
          } | ${isRef ? '1×' : fmtRatio(results.ratio(target, 'reference', scenario.name, base, c, scenario.name, (m) => m.p99Ms))} | ${fmtInt(s.cpuUs)} | ${notes.join('; ')} |`,
        );
      }
    }
  }
  out.push('');

  const versus = scenarios.filter((s) => s.jsonServer);
  if (versus.some((s) => results.of('json-server', s.name, base, connections[0] ?? 1).length)) {
    out.push('### Against json-server (same scenario, same run)');
    out.push('');
    out.push(
      '| scenario | conns | json-server req/s | openlines SQLite ÷ json-server | openlines PostgreSQL ÷ json-server |',
    );
    out.push('|---|---:|---:|---:|---:|');
    for (const scenario of versus) {
      for (const c of connections) {
        const js = results.summary('json-server', scenario.name, base, c);
        if (!js) continue;
        out.push(
          `| ${scenario.name} | ${c} | ${fmtInt(js.rps)} | ${fmtRatio(results.ratio('openlines-sqlite', 'json-server', scenario.name, base, c))} | ${fmtRatio(results.ratio('openlines-postgres', 'json-server', scenario.name, base, c))} |`,
        );
      }
    }
    out.push('');
  }

  if (sizes.length > 1) {
    out.push('### Store size');
    out.push('');
    out.push(
      `Fresh stores of each size, all running at once and measured in turn within each run. Requests/s (p50 ms) by number of lines; "cost" is the time per request at the largest store over the time at ${sizes[0]!.toLocaleString('en-US')} lines (1× = no slower).`,
    );
    out.push('');
    out.push(
      `| server | scenario | conns | ${sizes.map((n) => `${n.toLocaleString('en-US')} lines`).join(' | ')} | cost |`,
    );
    out.push(`|---|---|---:|${sizes.map(() => '---:').join('|')}|---:|`);
    const largest = sizes[sizes.length - 1]!;
    for (const target of ['openlines-sqlite-baseline', 'openlines-sqlite', 'openlines-postgres'] as const) {
      for (const scenario of scenarios) {
        for (const c of sizeConnections) {
          const cells = sizes.map((n) => results.summary(target, scenario.name, n, c, 'sizes'));
          if (cells.every((x) => x === null)) continue;
          const small = cells[0];
          const big = cells[cells.length - 1];
          const cost = small && big ? small.rps / big.rps : Number.NaN;
          out.push(
            `| ${TARGET_LABEL[target]} | ${scenario.name} | ${c} | ${cells
              .map((x) => (x ? `${fmtInt(x.rps)} (${fmtMs(x.p50)})` : '—'))
              .join(' | ')} | ${fmtRatio(cost)} at ${largest.toLocaleString('en-US')} |`,
          );
        }
      }
    }
    out.push('');
  }

  if (results.servers.length) {
    out.push('### Start-up and memory');
    out.push('');
    out.push(
      'Start-up: from spawning the process to its first HTTP answer. RSS of the server process (not of PostgreSQL).',
    );
    out.push('');
    out.push('| server | lines | after | start-up ms | RSS after start MB | RSS after load MB | peak RSS MB |');
    out.push('|---|---:|---|---:|---:|---:|---:|');
    for (const f of results.servers) {
      out.push(
        `| ${TARGET_LABEL[f.target]} | ${f.lines.toLocaleString('en-US')} | ${f.phase === 'base' ? 'every scenario' : 'get, list, update'} | ${fmtInt(f.startupMs)} | ${fmtMb(f.rssAfterStartMb)} | ${fmtMb(f.rssAfterLoadMb)} | ${fmtMb(f.peakRssMb)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

export const BEGIN = '<!-- bench:results:begin (written by npm run bench) -->';
export const END = '<!-- bench:results:end -->';

/** Replaces the generated section of results.md, keeping everything around it. */
export function writeResultsSection(file: string, markdown: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n${BEGIN}\n${markdown}\n${END}\n`
      : `${current.slice(0, start + BEGIN.length)}\n${markdown}\n${current.slice(end)}`;
  writeFileSync(file, next);
}
