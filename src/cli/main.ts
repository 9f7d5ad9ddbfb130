/** The `orderhub` command line. Every command has --help. */
import { Command, CommanderError } from 'commander';
import { OrderhubError } from '../core/errors.ts';
import { UsageError } from './context.ts';
import { registerChannelCommands } from './channel-commands.ts';
import { registerDemo } from './commands/demo.ts';
import { registerOrders } from './commands/orders.ts';
import { registerRun } from './commands/run.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerStatus } from './commands/status.ts';
import { registerSync } from './commands/sync.ts';
import { registerServe } from './commands/serve.ts';
import { registerApiKey } from './commands/apikey.ts';
import { registerWebhooks } from './commands/webhooks.ts';

// `orderhub orders export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('orderhub')
  .description('orderhub: every order from every channel in one place, in one canonical shape')
  .option('--config <file>', 'configuration file (default: ./orderhub.yaml or $ORDERHUB_CONFIG)')
  .option('--log-level <level>', 'log level on stderr: trace, debug, info, warn, error, silent (default warn; $ORDERHUB_LOG_LEVEL)')
  .showHelpAfterError()
  .exitOverride();

registerSync(program);
registerOrders(program);
registerRun(program);
registerSandbox(program);
registerStatus(program);
registerDemo(program);
registerServe(program);
registerApiKey(program);
registerWebhooks(program);
registerChannelCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof UsageError || err instanceof OrderhubError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
