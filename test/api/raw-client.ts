/**
 * HTTP/1.1 clients on a raw TCP socket, for what an HTTP library does not let a test do: drip a body
 * byte by byte, or keep writing a body the server has already answered.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** the status of the answer, null when the connection ended without one */
  status: number | null;
  /** the whole answer as received (head and body) */
  text: string;
  /** body bytes the client had written when the answer (or the end of the connection) came */
  bodyBytesSent: number;
  /** a socket error, if the connection failed instead of ending */
  error: string | null;
}

function statusOf(text: string): number | null {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : null;
}

/** The head of a request with a body of `length` bytes. */
function head(url: URL, method: string, length: number, headers: Record<string, string>): string {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, `Content-Length: ${length}`];
  for (const [k, v] of Object.entries({ 'content-type': 'application/json', ...headers })) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A connection to `target` that collects what the server sends; `done` resolves when it is closed. */
function rawConnection(target: string): { url: URL; socket: Socket; answer: () => RawAnswer; sent: (n: number) => void; done: Promise<RawAnswer> } {
  const url = new URL(target);
  const socket = connect(Number(url.port), url.hostname);
  let text = '';
  let bodyBytesSent = 0;
  let error: string | null = null;
  const answer = (): RawAnswer => ({ status: statusOf(text), text, bodyBytesSent, error });
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  socket.on('error', (err) => {
    error = err.message;
  });
  const done = new Promise<RawAnswer>((resolve) => socket.on('close', () => resolve(answer())));
  return { url, socket, answer, sent: (n) => (bodyBytesSent += n), done };
}

/**
 * Sends the head, then the body one byte every `intervalMs`, and stops dripping as soon as an answer
 * arrives. The answer is read until the server closes the connection.
 */
export function dripBody(
  target: string,
  options: { method?: string; length: number; intervalMs: number; headers?: Record<string, string> },
): Promise<RawAnswer> {
  const c = rawConnection(target);
  let timer: NodeJS.Timeout | undefined;
  c.socket.on('connect', () => {
    c.socket.write(head(c.url, options.method ?? 'POST', options.length, options.headers ?? {}));
    timer = setInterval(() => {
      const { text, bodyBytesSent } = c.answer();
      if (text.length > 0 || bodyBytesSent >= options.length) return clearInterval(timer);
      c.socket.write('{');
      c.sent(1);
    }, options.intervalMs);
  });
  c.socket.on('close', () => clearInterval(timer));
  return c.done;
}

/**
 * Writes a `length`-byte body as fast as the socket takes it, reading whatever the server answers
 * meanwhile, and keeps the connection until the server closes it (or `idleMs` pass without data after
 * the body was written).
 */
export function uploadBody(target: string, options: { length: number; method?: string; headers?: Record<string, string>; idleMs?: number }): Promise<RawAnswer> {
  const c = rawConnection(target);
  const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace, never a complete value
  let sent = 0;
  const pump = (): void => {
    while (sent < options.length && !c.socket.destroyed) {
      const n = Math.min(chunk.length, options.length - sent);
      sent += n;
      c.sent(n);
      if (!c.socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        c.socket.once('drain', pump);
        return;
      }
    }
    if (sent >= options.length) c.socket.setTimeout(options.idleMs ?? 5_000, () => c.socket.end());
  };
  c.socket.on('connect', () => {
    c.socket.write(head(c.url, options.method ?? 'POST', options.length, options.headers ?? {}));
    pump();
  });
  return c.done;
}
