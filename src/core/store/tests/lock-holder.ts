/**
 * Another process holding a SQLite store's write lock, for the lock tests:
 *
 *   node --import tsx lock-holder.ts <database file> <holdMs>
 *
 * Takes `BEGIN EXCLUSIVE`, prints "locked", and commits when a line "release" arrives on stdin or
 * after holdMs, whichever comes first; then prints "released on request" or "released on timeout"
 * and exits. A process that the lock froze cannot ask in time: the tests tell the two apart by that
 * line, not by measuring time.
 */
import { createInterface } from 'node:readline';
import SqliteDatabase from 'better-sqlite3';

const [file, holdMs] = process.argv.slice(2);
const db = new SqliteDatabase(file!, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');

let released = false;
const release = (how: 'request' | 'timeout') => {
  if (released) return;
  released = true;
  db.exec('COMMIT');
  db.close();
  process.stdout.write(`released on ${how}\n`, () => process.exit(0));
};
const timer = setTimeout(() => release('timeout'), Number(holdMs));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'release') {
    clearTimeout(timer);
    release('request');
  }
});
