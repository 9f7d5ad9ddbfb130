/**
 * SQLite WAL checkpoints off the request thread.
 *
 * better-sqlite3 is synchronous: when a commit pushes the WAL past `wal_autocheckpoint` pages, that
 * commit copies the whole WAL into the database file on the event loop — with the store's 16 KiB
 * pages and ~10 pages per Insert, a 30–40 ms stall every half second at 200 Inserts/s, which alone
 * breaks a 20 ms p99. A worker thread with its own connection runs PASSIVE checkpoints every
 * `intervalMs` instead (they never block writers or readers); the WAL then stays small, is restarted
 * after each complete checkpoint, and the request thread's automatic checkpoint has nothing to do.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StoreHandle } from '../../core/store/db.ts';

// Plain CommonJS evaluated in the worker (no TypeScript loader there).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 50');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { /* busy: the next round catches up */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) {}
  db.close();
  parentPort.postMessage('stopped');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts the background checkpointer for a SQLite store; a no-op for PostgreSQL. */
export function startCheckpointer(store: StoreHandle, options: { intervalMs?: number } = {}): Checkpointer {
  if (store.dialect !== 'sqlite') return { stop: async () => undefined };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: store.location, driver, intervalMs: options.intervalMs ?? 100 },
    // the worker must not inherit a TypeScript loader it does not need
    execArgv: [],
  });
  worker.unref();
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once('message', () => void worker.terminate().then(done, done));
        worker.once('error', done);
        worker.once('exit', done);
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
