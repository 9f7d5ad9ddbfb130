/**
 * The operations console (src/console, built by scripts/build-console.mjs into dist/console): its
 * page at `/` and its assets at `/assets/…`, served from this server so it works without internet;
 * and the API routes it needs beyond the rest (sessions, failures, overview, order actions), which
 * are public API routes like every other: whatever the console does, a script can do.
 *
 * index.html is never cached (it names the current assets); assets have content hashes in their
 * names and are cached for a year.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { ApiContext, ZodApp } from './context.ts';
import { registerFailureRoutes } from './routes/failures.ts';
import { registerOrderActionRoutes } from './routes/order-actions.ts';
import { registerOverviewRoutes } from './routes/overview.ts';
import { registerSessionRoutes } from './routes/session.ts';
import type { ApiKeyVerifier } from './store/api-keys.ts';

/** The built console: $ORDERHUB_CONSOLE_DIR, or dist/console of the checkout this file belongs to. */
export function consoleDir(): string {
  if (process.env.ORDERHUB_CONSOLE_DIR) return process.env.ORDERHUB_CONSOLE_DIR;
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export async function registerConsole(app: ZodApp, ctx: ApiContext, verifier: ApiKeyVerifier): Promise<void> {
  registerSessionRoutes(app, ctx, verifier);
  registerFailureRoutes(app, ctx);
  registerOrderActionRoutes(app, ctx);
  registerOverviewRoutes(app, ctx);

  const root = consoleDir();
  const index = join(root, 'index.html');
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(index)) {
      return reply.code(503).header('content-type', 'text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build` (npm start does it).\nThe REST API is at /v1 (docs at /docs).\n');
    }
    // read per request: a rebuilt console is served without restarting the server (the file is small)
    return reply.headers(PAGE_HEADERS).header('content-type', 'text/html; charset=utf-8').send(readFileSync(index));
  });
  if (existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      wildcard: true,
      cacheControl: false,
      setHeaders: (res) => {
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
}
