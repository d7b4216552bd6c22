// Summarises V8 CPU profiles (`node --cpu-prof`): self time per function (top frames) and per area (our
// layers under src/, each dependency under node_modules/, Node's internals, GC, idle), as Markdown.
// Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [...]  (bench/run.ts --profile calls it too)

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules !== -1) return path.slice(inModules + '/node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function areaOf(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName;
  if (frame.url === '') {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return 'V8/native (program)';
    return `native: ${name || '(anonymous)'}`;
  }
  const url = shortUrl(frame.url);
  if (url.startsWith('node:')) return 'Node internals (node:*)';
  const src = /(?:^|\/)(?:dist|src)\/([^/]+)\//.exec(url);
  if (src && !frame.url.includes('/node_modules/')) return `openlines ${src[1]}/`;
  if (frame.url.includes('/node_modules/')) {
    const parts = url.split('/');
    return `dependency ${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  return url;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly busyMs: number;
  readonly frames: { name: string; where: string; ms: number }[];
  readonly areas: { area: string; ms: number }[];
}

export function summarise(files: readonly string[]): ProfileSummary {
  const frames = new Map<string, { name: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byId.get(profile.samples[i]!);
      if (!node) continue;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totalMs += ms;
      const frame = node.callFrame;
      const area = areaOf(frame);
      if (area === 'idle') {
        idleMs += ms;
        continue;
      }
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
      const key = `${frame.functionName}@${where}`;
      const entry = frames.get(key) ?? { name: frame.functionName || '(anonymous)', where, ms: 0 };
      entry.ms += ms;
      frames.set(key, entry);
    }
  }
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    frames: [...frames.values()].sort((a, b) => b.ms - a.ms),
    areas: [...areas.entries()].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
  };
}

export function renderProfile(summary: ProfileSummary, title: string, top = 25): string {
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1)}%`;
  const out = [
    `#### ${title}`,
    '',
    `${(summary.busyMs / 1000).toFixed(1)} s on CPU (of ${(summary.totalMs / 1000).toFixed(1)} s profiled). Self time by area:`,
    '',
    '| area | self ms | share |',
    '|---|---:|---:|',
    ...summary.areas.slice(0, 15).map((a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${pct(a.ms)} |`),
    '',
    `Top ${top} frames by self time:`,
    '',
    '| function | where | self ms | share |',
    '|---|---|---:|---:|',
    ...summary.frames
      .slice(0, top)
      .map((f) => `| \`${f.name}\` | ${f.where || '—'} | ${f.ms.toFixed(0)} | ${pct(f.ms)} |`),
    '',
  ];
  return out.join('\n');
}

const isMain = process.argv[1] !== undefined && /profile-summary\.[jt]s$/.test(process.argv[1]);
if (isMain) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [...]\n');
    process.exit(2);
  }
  process.stdout.write(renderProfile(summarise(files), files.map((f) => relative(process.cwd(), f)).join(', ')));
}
