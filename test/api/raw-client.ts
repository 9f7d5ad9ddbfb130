/**
 * HTTP/1.1 clients on a raw TCP socket, for what an HTTP library does not let a test do: drip a body
 * byte by byte, or keep writing a body the server has already answered.
 */
import { connect } from 'node:net';

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

/**
 * Sends the head, then the body one byte every `intervalMs`, and stops dripping as soon as an answer
 * arrives. The answer is read until the server closes the connection.
 */
export function dripBody(
  target: string,
  options: { method?: string; length: number; intervalMs: number; headers?: Record<string, string> },
): Promise<RawAnswer> {
  const url = new URL(target);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let sent = 0;
    let error: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(head(url, options.method ?? 'POST', options.length, options.headers ?? {}));
      timer = setInterval(() => {
        if (text.length > 0 || sent >= options.length) return clearInterval(timer);
        socket.write('{');
        sent++;
      }, options.intervalMs);
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    socket.on('error', (err) => {
      error = err.message;
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: statusOf(text), text, bodyBytesSent: sent, error });
    });
  });
}

/**
 * Writes a `length`-byte body as fast as the socket takes it, reading whatever the server answers
 * meanwhile, and keeps the connection until the server closes it (or `idleMs` pass without data after
 * the body was written).
 */
export function uploadBody(target: string, options: { length: number; method?: string; headers?: Record<string, string>; idleMs?: number }): Promise<RawAnswer> {
  const url = new URL(target);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let sent = 0;
    let error: string | null = null;
    let done = false;
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace, never a complete value
    const finish = () => {
      if (done) return;
      done = true;
      resolve({ status: statusOf(text), text, bodyBytesSent: sent, error });
    };
    const pump = () => {
      while (sent < options.length && !socket.destroyed) {
        const n = Math.min(chunk.length, options.length - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once('drain', pump);
      }
      if (sent >= options.length) socket.setTimeout(options.idleMs ?? 5_000, () => socket.end());
      return undefined;
    };
    socket.on('connect', () => {
      socket.write(head(url, options.method ?? 'POST', options.length, options.headers ?? {}));
      pump();
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    socket.on('error', (err) => {
      error = err.message;
    });
    socket.on('close', finish);
  });
}
