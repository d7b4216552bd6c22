// Durable writes on SQLite with group commit (issue 10). A commit that survives a power loss costs one flush of
// the WAL file to disk (~4 ms here), and with synchronous=FULL SQLite flushes inside COMMIT, which blocks the
// event loop: one durable write per flush, nothing else served meanwhile. Instead:
//
// 1. Writes that arrive together run one after the other in ONE transaction, each inside its own savepoint, so
//    one write failing (a RestError, a constraint) rolls back only itself.
// 2. That transaction commits with synchronous=NORMAL (no flush inside COMMIT; set before BEGIN, as SQLite
//    requires) and the connection goes back to FULL for every other transaction.
// 3. The WAL file is then flushed with fdatasync on libuv's thread pool while the event loop serves other
//    requests and runs the next group. Each write's promise settles only after a flush that started after its
//    group committed: its answer is sent after its commit is on disk, exactly as with synchronous=FULL (which
//    in WAL mode is NORMAL plus this flush after each commit).
//
// One flush is in flight at a time; groups committed meanwhile wait for the next one, so a flush covers them all.
// Readers on this connection may see a committed write up to one flush before its writer gets the answer.
// Never call write() from inside a write's work: the inner write would wait for the group that runs it.

import { AsyncResource } from 'node:async_hooks';
import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import type { Db } from '../db.js';
import type { ModelChanges } from '../model-changes.js';

/** Writes run together in one transaction at most (bounds the wait of the last one). */
export const MAX_GROUP_WRITES = 256;

interface Job<DB> {
  readonly work: (trx: Kysely<DB>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
}

/** Flushes a file's data to disk; injectable so tests can count flushes. */
export type FlushFile = (fd: number, done: (error: Error | null) => void) => void;

export class SqliteGroupCommit<DB> {
  private queue: Job<DB>[] = [];
  private running = false;
  /** Committed, waiting for a flush that has not started yet. */
  private unflushed: Job<DB>[] = [];
  private flushing: Promise<void> | null = null;
  private walFd: number | null = null;
  private idle: (() => void)[] = [];

  /**
   * @param walPath the database file's `-wal` file, or null for an in-memory database (nothing to flush).
   */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly walPath: string | null,
    private readonly flushFile: FlushFile = fdatasync,
    /** Told of the modelled rows the group's writes changed, as soon as the group's transaction ends. */
    private readonly changes: ModelChanges | null = null,
  ) {}

  /** Runs `work` in a transaction shared with concurrent writes; settles after the commit is on disk. */
  write<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The work runs in the group's turn but in its caller's async context (AsyncLocalStorage: the REST call
      // that caused an event, domain/events/call-origin.ts).
      this.queue.push({ work: AsyncResource.bind(work), resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Requests read in the same turn of the event loop join the same group.
        setImmediate(() => void this.run());
      }
    });
  }

  /** Resolves when every write given so far is settled. */
  async drain(): Promise<void> {
    if (!this.running && this.flushing === null && this.unflushed.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Waits for the writes in progress, then closes the WAL file handle (the database is closed by its owner). */
  async close(): Promise<void> {
    await this.drain();
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_GROUP_WRITES);
      try {
        await this.commitGroup(jobs);
      } catch (error) {
        // The transaction did not commit: every write in it failed, whatever its own outcome was.
        for (const job of jobs) job.reject(error);
        continue;
      }
      if (this.walPath === null) {
        for (const job of jobs) settle(job, null);
        continue;
      }
      this.unflushed.push(...jobs);
      this.flushing ??= this.flush();
    }
    this.running = false;
    this.notifyIdle();
  }

  private async commitGroup(jobs: Job<DB>[]): Promise<void> {
    if (this.changes === null) return this.runGroup(jobs, () => {});
    // The read model forgets what the group changed when it ends (before any of its writes is answered); a
    // savepoint rolled back is forgotten too, which is only a reload.
    await this.changes.tracked((begin) => this.runGroup(jobs, (conn) => begin(conn as unknown as Db)));
  }

  private async runGroup(jobs: Job<DB>[], begin: (conn: Kysely<DB>) => void): Promise<void> {
    await this.db.connection().execute(async (conn) => {
      begin(conn);
      const durableInCommit = this.walPath === null;
      if (!durableInCommit) await sql`pragma synchronous = normal`.execute(conn);
      try {
        await sql`begin immediate`.execute(conn);
        try {
          const only = jobs.length === 1 ? jobs[0] : undefined;
          if (only) {
            // A group of one needs no savepoint (issue 20: two statements fewer): its failure rolls back the
            // transaction, which holds nothing else.
            try {
              only.outcome = { ok: true, value: await only.work(conn) };
            } catch (error) {
              only.outcome = { ok: false, error };
              // SQLite may have ended the transaction itself (some errors roll back at once): nothing to undo then.
              await sql`rollback`.execute(conn).catch(() => {});
              return;
            }
          }
          for (const job of only ? [] : jobs) {
            await sql`savepoint group_write`.execute(conn);
            try {
              job.outcome = { ok: true, value: await job.work(conn) };
              await sql`release group_write`.execute(conn);
            } catch (error) {
              job.outcome = { ok: false, error };
              await sql`rollback to group_write`.execute(conn);
              await sql`release group_write`.execute(conn);
            }
          }
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => {});
          throw error;
        }
      } finally {
        if (!durableInCommit) await sql`pragma synchronous = full`.execute(conn);
      }
    });
  }

  /** Flushes the WAL for every committed write waiting, then again while more arrived meanwhile. */
  private async flush(): Promise<void> {
    while (this.unflushed.length > 0) {
      const jobs = this.unflushed;
      this.unflushed = [];
      let error: Error | null = null;
      try {
        const fd = this.walHandle();
        error = await new Promise<Error | null>((resolve) => this.flushFile(fd, resolve));
      } catch (caught) {
        error = caught as Error;
      }
      for (const job of jobs) settle(job, error);
    }
    this.flushing = null;
    this.notifyIdle();
  }

  /** The WAL file's descriptor, reopened if SQLite replaced the file (it reuses it while the database is open). */
  private walHandle(): number {
    const path = this.walPath!;
    if (this.walFd !== null && fstatSync(this.walFd).ino === statSync(path).ino) return this.walFd;
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = openSync(path, 'r');
    return this.walFd;
  }

  private notifyIdle(): void {
    if (this.running || this.flushing !== null || this.unflushed.length > 0) return;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}

function settle<DB>(job: Job<DB>, flushError: Error | null): void {
  if (flushError) job.reject(flushError);
  else if (job.outcome?.ok) job.resolve(job.outcome.value);
  else job.reject(job.outcome?.error);
}
