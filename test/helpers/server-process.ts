// `openlines serve` as a real child process (issue 8): for tests that kill it (SIGKILL, SIGTERM), restart it
// on the same store, or must tell a crash of the server from a failure of the test. Loopback, port 0.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
/** What `npm start` and `npx openlines` run: the bundle made by `npm run build`. */
const BUNDLED_CLI = ['bin/openlines.js'];

export interface ServeOptions {
  readonly databaseUrl: string;
  /** The data folder (the SQLite file lives there when databaseUrl says so). */
  readonly dataDir: string;
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** How long start-up may take (tsx compiles on the fly; CI machines are slow). */
  readonly startTimeoutMs?: number;
  /** The sources through tsx (default), or the bundle `npm start` runs. */
  readonly entry?: 'source' | 'bundle';
}

export interface ServeProcess {
  readonly pid: number;
  readonly url: string;
  /** The first-start webhook URL, printed only when this process created the portal. */
  readonly firstHook: string | null;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process has exited: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the server without waiting: for killing it while it starts. */
export function spawnServe(options: ServeOptions): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: ServeProcess['exited'];
} {
  const child = spawn(
    process.execPath,
    [
      ...(options.entry === 'bundle' ? BUNDLED_CLI : CLI),
      'serve',
      '--port',
      '0',
      '--https-port',
      '-1',
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        OPENLINES_DATA: options.dataDir,
        DATABASE_URL: options.databaseUrl,
        LOG_LEVEL: 'warn',
        RATE_PLAN: 'off',
        ...options.env,
      },
    },
  );
  let out = '';
  const collect = (chunk: Buffer) => {
    // Bounded: a long soak must not grow without limit.
    out = (out + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Starts `openlines serve` and waits until its banner names the URL and the webhook line. */
export async function startServeProcess(options: ServeOptions): Promise<ServeProcess> {
  const { child, output, exited } = spawnServe(options);
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  // The last line of the banner: the webhook (first start) or how to make one (later starts).
  while (!/Incoming webhook: |Webhooks: /.test(output()) && !exitedEarly && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /listening on (http:\/\/\S+)/.exec(output())?.[1];
  if (!url || !/Incoming webhook: |Webhooks: /.test(output())) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    throw new Error(`openlines serve did not start:\n${output()}`);
  }
  return {
    pid: child.pid!,
    url,
    firstHook: /Incoming webhook: (http:\/\/\S+\/)/.exec(output())?.[1] ?? null,
    output,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
