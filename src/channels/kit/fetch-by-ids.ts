/**
 * `Connector.fetchByIds` for a channel that can only read orders one at a time (GET /orders/{id}).
 * The engine re-polls open orders by id, sometimes thousands of them: one request after another is
 * slow, all at once floods the channel. This keeps a sliding window of `concurrency` requests in
 * flight and yields the records in id order.
 */

/** Reads one order; null (or undefined) when the channel does not know the id: it is skipped. */
export type FetchOne = (externalId: string, signal: AbortSignal) => Promise<unknown | null | undefined>;

export async function* fetchEachById(
  externalIds: readonly string[],
  fetchOne: FetchOne,
  options: { concurrency: number; signal: AbortSignal },
): AsyncGenerator<unknown> {
  const { signal } = options;
  // our own signal: requests still in flight are cancelled when the consumer stops early
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal.reason);
  if (signal.aborted) inner.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  const pending: Promise<unknown>[] = [];
  let next = 0;
  const launch = () => {
    const p = fetchOne(externalIds[next++]!, inner.signal);
    p.catch(() => {}); // observed when awaited; avoids unhandled rejections if the consumer stops early
    pending.push(p);
  };
  try {
    while (next < externalIds.length && pending.length < options.concurrency) launch();
    while (pending.length > 0) {
      const record = await pending.shift()!;
      if (next < externalIds.length) launch();
      if (record !== null && record !== undefined) yield record;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (pending.length > 0) inner.abort(new Error('fetchByIds stopped'));
  }
}
