// The benchmark's load client: its figures are only as good as its framing, so it is tested against a
// real node:http server on 127.0.0.1.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeepAliveConnection } from '../../bench/http-load.ts';

let server: Server;
let port = 0;
const sockets = new Set<number>();

function json(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket.remotePort!);
    if (req.url === '/big') {
      // 200 kB in several writes, so the answer spans many reads
      const chunk = Buffer.alloc(50_000, 'x');
      res.writeHead(200, { 'content-length': String(4 * chunk.length + 2), 'content-type': 'application/json' });
      res.write('"');
      for (let i = 0; i < 4; i++) res.write(chunk);
      res.end('"');
    } else if (req.url === '/auth') {
      const ok = req.headers.authorization === 'Bearer k';
      json(res, ok ? 200 : 401, JSON.stringify({ ok }));
    } else if (req.url === '/chunked') {
      res.writeHead(200); // no length: node frames it chunked
      res.write('a');
      res.end('b');
    } else if (req.url === '/hangup') {
      req.socket.destroy();
    } else {
      json(res, 404, '{"error":"not_found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('KeepAliveConnection', () => {
  it('reads whole answers over one kept-alive connection, bodies only when asked', async () => {
    const conn = new KeepAliveConnection('127.0.0.1', port);
    sockets.clear();
    const big = await conn.request('/big', '', true);
    expect(big.status).toBe(200);
    expect(big.body!.length).toBe(200_002);
    expect(big.body!.toString('latin1', 0, 3)).toBe('"xx');
    const notFound = await conn.request('/nope', '', true);
    expect(notFound).toEqual({ status: 404, body: Buffer.from('{"error":"not_found"}') });
    const dumped = await conn.request('/big', '', false);
    expect(dumped).toEqual({ status: 200, body: null });
    expect((await conn.request('/auth', 'Authorization: Bearer k\r\n', true)).body!.toString()).toBe('{"ok":true}');
    expect((await conn.request('/auth', '', false)).status).toBe(401);
    expect(sockets.size).toBe(1);
    conn.close();
  });

  it('refuses an answer it cannot frame, and a connection the server dropped', async () => {
    const conn = new KeepAliveConnection('127.0.0.1', port);
    await expect(conn.request('/chunked', '', false)).rejects.toThrow(/unexpected answer head/);
    const again = new KeepAliveConnection('127.0.0.1', port);
    await expect(again.request('/hangup', '', false)).rejects.toThrow(/closed|ECONNRESET/);
    // a connection that failed opens a new socket for the next request
    expect((await again.request('/nope', '', false)).status).toBe(404);
    again.close();
  });
});
