// WAL checkpoints off the event loop (issue 10). SQLite copies the WAL back into the database file when a commit
// finds the WAL over 1 000 pages (autocheckpoint), inside that COMMIT: the copy and two fsyncs, 13–27 ms during
// which the server answers nothing (one commit in fifteen under config.add load, measured; they made the p99).
// Instead a worker thread with its own connection to the same file runs PASSIVE checkpoints (they never block
// the server's reads or writes) every CHECKPOINT_INTERVAL_MS, and the server's connection checkpoints itself
// only past SERVER_CHECKPOINT_PAGES: by then the worker has copied nearly everything, so that checkpoint is short,
// and it lets the WAL start over even when writes never pause (a PASSIVE checkpoint racing a steady stream of
// commits never finds the WAL fully copied at the moment a write begins). If the worker cannot run, the
// connection goes back to SQLite's default.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_INTERVAL_MS = 250;
/** The server connection's own autocheckpoint while the worker runs (SQLite's default is 1 000 pages). */
export const SERVER_CHECKPOINT_PAGES = 10_000;
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1_000;

/** The checkpointing thread: a PASSIVE checkpoint per interval until told to close. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failing: the next interval tries again; the server's own autocheckpoint bounds the WAL meanwhile.
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface CheckpointTarget {
  /** Sets the connection's own autocheckpoint threshold, in pages. */
  setAutocheckpoint(pages: number): void;
}

export class WalCheckpointer {
  private worker: Worker | null = null;
  private started = false;
  private ready = false;
  private closing = false;

  constructor(
    private readonly file: string,
    private readonly target: CheckpointTarget,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /**
   * Starts the thread, once (later calls do nothing); until it is ready, and if it fails, the connection
   * checkpoints as SQLite does by default.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file: this.file,
          intervalMs: this.intervalMs,
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        },
      });
    } catch {
      return;
    }
    worker.unref();
    this.worker = worker;
    worker.on('message', (message) => {
      if (message !== 'ready' || this.closing) return;
      this.ready = true;
      this.target.setAutocheckpoint(SERVER_CHECKPOINT_PAGES);
    });
    // 'error' is followed by 'exit': the first of them stands for both.
    const stopped = () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.ready = false;
      if (!this.closing) this.target.setAutocheckpoint(SQLITE_DEFAULT_CHECKPOINT_PAGES);
    };
    worker.on('error', stopped);
    worker.on('exit', stopped);
  }

  /** Whether the worker is checkpointing now (for tests and diagnostics). */
  get running(): boolean {
    return this.worker !== null && this.ready;
  }

  /** Stops the thread; the connection's close then checkpoints what is left. */
  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    this.worker = null;
    if (worker === null) return;
    // Unreferenced so that it never keeps a process alive, but waited for here: referenced for the wait.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // A thread still starting may not listen yet: terminate() ends it wherever it is.
    if (this.ready) worker.postMessage('close');
    else await worker.terminate();
    await exited;
  }
}
