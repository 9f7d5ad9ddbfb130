/**
 * Starts lock-holder.ts as a child process and records the order in which things happen: "locked"
 * and "released" from the child, and whatever the test notes meanwhile (`note`). `release()` notes
 * "release requested" and asks the child to commit; `releasedOn` says whether it did so on that
 * request or on its own timeout (a frozen test process cannot ask in time). Tests assert on these,
 * never on how long anything took.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface LockHolder {
  /** what happened, in order: 'locked', the test's notes, 'release requested', 'released' */
  readonly events: string[];
  note(event: string): void;
  /** resolves when the child has committed */
  readonly released: Promise<void>;
  /** how the child let go of the lock (null while it holds it) */
  readonly releasedOn: 'request' | 'timeout' | null;
  /** asks the child to commit now and waits until it has */
  release(): Promise<void>;
}

export async function holdExclusiveLock(databaseFile: string, holdMs: number): Promise<LockHolder> {
  const script = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, databaseFile, String(holdMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: string[] = [];
  let releasedOn: LockHolder['releasedOn'] = null;
  let onLocked!: () => void;
  let onFailed!: (err: Error) => void;
  let onReleased!: () => void;
  const locked = new Promise<void>((resolve, reject) => {
    onLocked = resolve;
    onFailed = reject;
  });
  const released = new Promise<void>((resolve) => (onReleased = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^released on (request|timeout)$/.exec(line);
    if (m) releasedOn = m[1] as 'request' | 'timeout';
    events.push(m ? 'released' : line);
    if (line === 'locked') onLocked();
  });
  child.on('exit', (code) => onFailed(new Error(`the lock holder exited (${code}) before it held the lock`)));
  child.on('close', () => onReleased()); // (after its last line was read)
  await locked;
  return {
    events,
    note: (event) => events.push(event),
    released,
    get releasedOn() {
      return releasedOn;
    },
    release: async () => {
      events.push('release requested');
      child.stdin.write('release\n');
      await released;
    },
  };
}
