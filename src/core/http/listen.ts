/** Where a local server (a simulator, a push channel's standalone API, a test's server) is reached once it listens. */
import type { AddressInfo } from 'node:net';

/** What listenLocal needs of a server (any Fastify instance, whatever its type parameters). */
interface Listener {
  listen(options: { host: string; port: number }): Promise<string>;
  server: { address(): AddressInfo | string | null };
}

/**
 * Listens on host:port (port 0 = any free port) and returns the base URL clients should use: a
 * wildcard address (0.0.0.0, ::, '') is reached at 127.0.0.1, an IPv6 address is bracketed.
 */
export async function listenLocal(app: Listener, host: string | undefined, port: number): Promise<{ port: number; baseUrl: string }> {
  await app.listen({ host: host || '127.0.0.1', port });
  const bound = (app.server.address() as AddressInfo).port;
  const reach = host === undefined || host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return { port: bound, baseUrl: `http://${reach.includes(':') ? `[${reach}]` : reach}:${bound}` };
}
