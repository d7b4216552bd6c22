// A PostgreSQL cluster for the bench, started like the test cluster (test/helpers/embedded-postgres.ts) but
// DURABLE: the test cluster runs with fsync=off, which would make the write scenarios meaningless. Here fsync,
// synchronous_commit and full_page_writes keep their defaults (on), so a commit is flushed before it returns.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  clusterUrl,
  clusterUser,
  initCluster,
  postgresBinaries,
  runPostgresTool,
  serverOptions,
  stopClusterNow,
} from '../test/helpers/embedded-postgres.js';

export interface BenchPostgres {
  /** postgres://user:password@127.0.0.1:port, without a database name. */
  readonly baseUrl: string;
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

/** Why PostgreSQL cannot run here, or null when it can. */
export async function postgresUnavailable(): Promise<string | null> {
  try {
    await postgresBinaries();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Starts a cluster on `port`; `cpus` (e.g. "1") pins it with taskset, next to the server under test.
 * Stopped by stop() or when this process exits.
 */
export async function startBenchPostgres(port: number, cpus: string | null): Promise<BenchPostgres> {
  const bin = await postgresBinaries();
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'openlines-bench-pg-'));
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopClusterNow(bin, user, data);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  let password: string;
  try {
    ({ password } = initCluster(bin, user, dir, { sync: true, timeoutMs: 120_000 }));
    const options = serverOptions(port, ['-c max_connections=100', '-c shared_buffers=128MB']);
    const pgCtl = ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options];
    // taskset pins the postmaster; its backends inherit the affinity.
    if (cpus) runPostgresTool('taskset', ['-c', cpus, bin.pg_ctl, ...pgCtl], user, 120_000);
    else runPostgresTool(bin.pg_ctl, pgCtl, user, 120_000);
  } catch (error) {
    stop();
    throw error;
  }
  const baseUrl = clusterUrl(password, port);
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
