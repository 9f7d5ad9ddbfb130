/**
 * Runs one channel simulator in its own process, so that the benchmark measures the syncing
 * process alone (its RSS and CPU). Prints {"baseUrl": …, "connection": …} on stdout, then serves
 * until killed.  Usage: node --import tsx bench/sim-process.ts <kind> <orders> <since>
 */
import { channels } from '../src/channels/registry.ts';

const [kind = 'drinks2cash', orders = '200000', since] = process.argv.slice(2);
const channel = channels.get(kind);
if (!channel.simulator) throw new Error(`${kind} has no simulator`);
const sim = await channel.simulator.start({ host: '127.0.0.1', port: 0, orders: Number(orders), seed: 1, ...(since ? { since } : {}) });
process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, connection: sim.connection })}\n`);
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
