/** The `orderhub` command line. Every command has --help. */
import { Command } from 'commander';
import { describeFailure, EXIT_CODES_HELP, oneLineCommanderError } from './errors.ts';
import { registerChannelCommands } from './channel-commands.ts';
import { logFileNotice } from './context.ts';
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
  .option('--log-level <level>', 'log level: trace, debug, info, warn, error, silent (default warn, info with --verbose; $ORDERHUB_LOG_LEVEL)')
  .option('--log-format <format>', 'json or pretty (default: pretty on a terminal, json otherwise)')
  .option('--log-file <file>', 'append the log to this file (default on a terminal: orderhub.log beside the SQLite store)')
  .option('-v, --verbose', 'log on stderr as readable lines, from level info')
  .addHelpText('after', EXIT_CODES_HELP)
  // one line for a mistake on the command line (with commander's "did you mean"), not the whole help
  .configureOutput({ outputError: (text, write) => write(oneLineCommanderError(text)) })
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

/** Every failure ends the same way: one clear line, a documented exit code (src/cli/errors.ts). */
function fail(err: unknown): void {
  const { exitCode, message } = describeFailure(err);
  if (message) process.stderr.write(`${message}\n`);
  process.exitCode = exitCode;
}

// Errors outside the awaited command (a stream's 'error' event, a timer) end the same way.
process.on('uncaughtException', (err) => {
  fail(err);
  process.exit();
});
process.on('unhandledRejection', (err) => {
  fail(err);
  process.exit();
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
// on a terminal the log went to a file: say where, when anything was written to it
const notice = logFileNotice();
if (notice) process.stderr.write(`${notice}\n`);
