// The one way in to the database for services, REST and the CLI: `write(work)` and `read(work)`. Repositories
// are plain functions over the `Db` these hand to `work`; capabilitiesOf(db) tells them what the database can do.

import type { StoreCapabilities } from './capabilities.js';
import type { Db } from './db.js';
import type { ModelChanges } from './model-changes.js';

export interface Store {
  /**
   * A durable write transaction: settles after its commit is on disk. On SQLite, concurrent writes share one
   * transaction and one flush (group commit, `sqlite/group-commit.ts`), each in its own savepoint. Never call
   * write() inside a write's work: to make several writes one transaction, give them `joinedStore(trx)`.
   */
  write<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /** Reads outside any transaction: each query sees the latest commit. */
  read<T>(work: (db: Db) => Promise<T>): Promise<T>;
}

/** An open database: the Store, plus what only the composition, migrations, tests and benchmarks touch. */
export interface OpenedStore extends Store {
  readonly url: string;
  readonly capabilities: StoreCapabilities;
  /** The database itself, outside write/read: for migrations, tests and benchmarks. */
  readonly db: Db;
  /** What the read model must forget: own commits, other processes' and servers' (model-changes.ts). */
  readonly changes: ModelChanges;
  close(): Promise<void>;
}

/**
 * The store as seen from inside a write: write and read run in `trx`. A service built over it joins the outer
 * transaction, so several service calls commit or roll back together (`openlines apply`).
 */
export function joinedStore(trx: Db): Store {
  return { write: (work) => work(trx), read: (work) => work(trx) };
}
