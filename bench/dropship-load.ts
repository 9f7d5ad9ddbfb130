/**
 * The simulated Alza for bench/dropship.ts, in its own process (as Alza is another machine): sends
 * Insert orders open-loop at a fixed rate and prints one JSON line with the latencies, measured from
 * when each request was due. Usage (stdin-free, one run per process):
 *   node --import tsx bench/dropship-load.ts <supplierApiUrl> <secret> <rate> <warmupCount> <count>
 * The warm-up requests (same rate, not measured) let both processes' JIT and connections settle.
 */
import { AlzaDriver } from '../src/channels/alza-dropship/simulator/driver.ts';

const [url, secret, rateText, warmupText, countText] = process.argv.slice(2);
if (!url || !secret) throw new Error('usage: dropship-load.ts <supplierApiUrl> <secret> <rate> <warmupCount> <count>');
const rate = Number(rateText);
const driver = new AlzaDriver({ customerId: 1, supplierId: 4242, supplierBranchId: 1, secret, seed: 11, products: 200, supplierUrl: url, maxResends: 0 });
await load(Number(warmupText), 0);
process.stdout.write(`${JSON.stringify(await load(Number(countText), 1_000_000))}\n`);
await driver.close();

// Open loop: request i is sent at t0 + i/rate whatever the previous ones are doing, so a slow answer
// cannot hide the queueing it causes (no coordinated omission).
async function load(count: number, startIndex: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let maxLag = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxLag = Math.max(maxLag, performance.now() - due);
    inflight.push((async () => {
      const r = await driver.placeOrder({ index: startIndex + i });
      latencies.push(performance.now() - due);
      statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    })());
  }
  await Promise.all(inflight);
  return { latencies, statuses, elapsed: (performance.now() - t0) / 1000, maxLag };
}
