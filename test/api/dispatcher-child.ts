/**
 * A webhook dispatcher in its own process, for the kill -9 test: node --import tsx dispatcher-child.ts <database> <leaseMs>
 * Prints "started" once running; never exits by itself.
 */
import { openHubStore } from '../../src/store-modules.ts';
import { silentLogger } from '../../src/core/log.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';

const [database, leaseMs] = process.argv.slice(2);
const store = await openHubStore(database!);
const dispatcher = new WebhookDispatcher({ store, logger: silentLogger(), allowPrivateTargets: true, leaseMs: Number(leaseMs), timeoutMs: 60_000, pollIntervalMs: 20 });
dispatcher.start();
process.stdout.write('started\n');
