/** `orderhub apikey create|list|revoke`: keys for the REST API (stored hashed; shown once). */
import type { Command } from 'commander';
import { API_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiScope } from '../../api/store/api-keys.ts';
import { openContext, UsageError, type GlobalOptions } from '../context.ts';
import { formatTable, printJson } from '../format.ts';

export function registerApiKey(program: Command): void {
  const apikey = program.command('apikey').description('API keys for `orderhub serve` (Authorization: Bearer <key>)');

  apikey
    .command('create')
    .description('create a key; it is printed once and only its hash is stored')
    .requiredOption('--scope <scope>', 'read (GET only) or write (everything)')
    .option('--name <name>', 'a name to recognise the key by')
    .option('--json', 'print { id, name, scope, key } as JSON')
    .action(async (opts: { scope: string; name?: string; json?: boolean }, cmd: Command) => {
      if (!(API_SCOPES as readonly string[]).includes(opts.scope)) throw new UsageError(`--scope must be one of ${API_SCOPES.join(', ')}`);
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const { key, info } = await createApiKey(ctx.store.db, { name: opts.name, scope: opts.scope as ApiScope });
        if (opts.json) process.stdout.write(`${JSON.stringify({ id: info.id, name: info.name, scope: info.scope, key })}\n`);
        else {
          process.stdout.write(`${key}\n`);
          process.stderr.write(`created ${info.scope} key ${info.id} (${info.name}); store it now, it cannot be shown again\n`);
        }
      } finally {
        await ctx.close();
      }
    });

  apikey
    .command('list')
    .description('keys with their scope and last use (never the keys themselves)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const keys = await listApiKeys(ctx.store.db);
        if (opts.json) return printJson(keys);
        process.stdout.write(
          formatTable(
            ['id', 'name', 'scope', 'prefix', 'created', 'last used', 'revoked'],
            keys.map((k) => [k.id, k.name, k.scope, `${k.prefix}…`, k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? '-']),
          ),
        );
      } finally {
        await ctx.close();
      }
    });

  apikey
    .command('revoke <key>')
    .description('revoke a key by id, name or prefix (takes effect within seconds on running servers)')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const n = await revokeApiKey(ctx.store.db, ref);
        if (n === 0) throw new UsageError(`no active key "${ref}" (see orderhub apikey list)`);
        process.stdout.write(`revoked ${n} key${n === 1 ? '' : 's'}\n`);
      } finally {
        await ctx.close();
      }
    });
}
