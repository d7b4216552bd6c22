// Servers under test as child processes: spawned (pinned to the server's CPU with taskset when the machine has
// two or more), waited for until they answer HTTP, sampled for memory, and stopped.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** taskset CPU list for the servers, or null when not pinned. */
  readonly server: string | null;
  /** taskset CPU list for this process (the load generator), or null. */
  readonly load: string | null;
  readonly note: string;
}

/** Load generator on CPU 0, servers on the others; no pinning on one CPU or without taskset. */
export function pinCpus(): Pinning {
  const cpus = availableParallelism();
  if (cpus < 2) return { server: null, load: null, note: 'not pinned (one CPU)' };
  if (spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' }).status !== 0) {
    return { server: null, load: null, note: 'not pinned (taskset unavailable)' };
  }
  const server = cpus === 2 ? '1' : `1-${cpus - 1}`;
  return { server, load: '0', note: `load generator on CPU 0, servers on CPU ${server} (taskset)` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first HTTP answer. */
  readonly startupMs: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly port: number;
  /** Any HTTP answer on this path means ready. */
  readonly readyPath: string;
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cpus: string | null;
  readonly timeoutMs?: number;
}

export async function startChild(spec: SpawnSpec): Promise<Child> {
  const log = openSync(spec.logFile, 'a');
  const [command, args] = spec.cpus
    ? ['taskset', ['-c', spec.cpus, spec.command, ...spec.args]]
    : [spec.command, [...spec.args]];
  const started = performance.now();
  const child = spawn(command, args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...spec.env },
  });
  closeSync(log);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited (${code ?? signal})`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = started + (spec.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${spec.name} ${exited} before answering; see ${spec.logFile}`);
    try {
      await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(1000) }).then((r) => r.arrayBuffer());
      break;
    } catch {
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${spec.name} did not answer within ${spec.timeoutMs ?? 60_000} ms; see ${spec.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const startupMs = performance.now() - started;
  return {
    name: spec.name,
    url,
    pid: child.pid!,
    startupMs,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system, every thread) a process has used so far, in milliseconds; null off Linux. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
