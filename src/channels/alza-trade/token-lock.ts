/**
 * Cross-process single flight for token requests, on top of the store-backed token cache.
 *
 * bearerAuth fetches at most one token at a time per instance, but the CLI, the scheduler and workers
 * are separate processes with separate instances: two of them finding the shared cache empty at the
 * same moment would both ask Alza (which blacklists clients that ask too often). The connector context
 * offers only get/set on per-connection state — no compare-and-set — so this is Fischer's timed mutual
 * exclusion: write your name into the lock, wait `settleMs` (longer than any store write takes), read
 * it back; whoever still finds their own name holds the lock. Whoever waits re-reads the token cache
 * while waiting and takes the holder's token as soon as it is stored. Its guarantee rests on store
 * writes finishing within settleMs; the worst case of a violation is one extra token request, never a
 * wrong token. (An atomic lock in the core would be better: see README.md.)
 */
import type { ConnectionState } from '../../core/connector.ts';
import type { CachedToken, TokenCache } from '../../core/http/auth.ts';
import { AuthError } from '../../core/http/errors.ts';

export const LOCK_KEY = 'alza.tokenLock';
export const FAILURE_KEY = 'alza.tokenFailure';

interface LockValue {
  owner: string;
  /** ISO time after which a dead holder's lock is ignored */
  until: string;
}

interface FailureValue {
  owner: string;
  at: string;
  message: string;
}

export interface SharedFetchOptions {
  cache: TokenCache;
  state: ConnectionState;
  /** this process/instance, unique */
  owner: string;
  /** the real token request */
  fetch(signal?: AbortSignal): Promise<CachedToken>;
  /** whether a cached token may be used instead of fetching */
  usable(token: CachedToken): boolean;
  settleMs?: number;
  pollMs?: number;
  lockTtlMs?: number;
  /** give up waiting for another holder after this long and fetch anyway */
  maxWaitMs?: number;
}

export function sharedTokenFetch(opts: SharedFetchOptions): (signal?: AbortSignal) => Promise<CachedToken> {
  const settleMs = opts.settleMs ?? 100;
  const pollMs = opts.pollMs ?? 50;
  const lockTtlMs = opts.lockTtlMs ?? 30_000;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const { cache, state, owner } = opts;

  async function cachedUsable(): Promise<CachedToken | null> {
    const t = await cache.get();
    return t !== null && opts.usable(t) ? t : null;
  }

  async function release(): Promise<void> {
    const cur = await state.get<LockValue>(LOCK_KEY);
    if (cur?.owner === owner) await state.set(LOCK_KEY, null);
  }

  return async function fetchShared(signal?: AbortSignal): Promise<CachedToken> {
    const started = Date.now();
    const startedIso = new Date(started).toISOString();
    for (;;) {
      signal?.throwIfAborted();
      // Another process may have stored a fresh token since bearerAuth looked.
      const ready = await cachedUsable();
      if (ready) return ready;
      // A holder we waited for was refused: its answer is ours too (asking again would only count
      // one more bad-credential attempt against the blacklist).
      const failure = await state.get<FailureValue>(FAILURE_KEY);
      if (failure && failure.owner !== owner && failure.at >= startedIso) {
        throw new AuthError(failure.message);
      }
      const lock = await state.get<LockValue>(LOCK_KEY);
      const busy = lock !== null && lock.owner !== owner && Date.parse(lock.until) > Date.now();
      if (busy && Date.now() - started < maxWaitMs) {
        await sleep(pollMs, signal);
        continue;
      }
      await state.set(LOCK_KEY, { owner, until: new Date(Date.now() + lockTtlMs).toISOString() } satisfies LockValue);
      await sleep(settleMs, signal);
      const check = await state.get<LockValue>(LOCK_KEY);
      if (check?.owner !== owner && Date.now() - started < maxWaitMs) continue; // someone else won
      try {
        // the previous holder may have stored its token while we took the lock
        const again = await cachedUsable();
        if (again) return again;
        let token: CachedToken;
        try {
          token = await opts.fetch(signal);
        } catch (err) {
          if (err instanceof AuthError) {
            await state.set(FAILURE_KEY, { owner, at: new Date().toISOString(), message: err.message } satisfies FailureValue);
          }
          throw err;
        }
        // stored before the lock is released, so a waiter finds it (bearerAuth stores it again)
        await cache.set(token);
        return token;
      } finally {
        await release().catch(() => undefined);
      }
    }
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
