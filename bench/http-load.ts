/**
 * A minimal keep-alive HTTP/1.1 GET client for the API load phases.
 *
 * Why not undici: the load generator shares the machine's two cores with the server it measures, and
 * undici's Pool cost 125–200 µs of CPU per request here, a third of what the server spends answering
 * one; every microsecond the client burns is taken from the server, so the benchmark would measure the
 * client. This one writes a request line and reads a `Content-Length` framed answer on a plain socket
 * (about a quarter of undici's cost), and still checks what it gets: status line, framing, length.
 */
import { connect, type Socket } from 'node:net';

export interface LoadResponse {
  status: number;
  /** only when asked for */
  body: Buffer | null;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One connection, one request at a time (no pipelining). */
export class KeepAliveConnection {
  private socket: Socket | null = null;
  private pending: { resolve(r: LoadResponse): void; reject(e: Error): void; wantBody: boolean } | null = null;
  private head: Buffer | null = null; // header bytes seen so far
  private status = 0;
  private remaining = -1; // body bytes still to come; -1 while in the header
  private bodyParts: Buffer[] = [];

  constructor(private readonly host: string, private readonly port: number) {}

  request(path: string, headerLines: string, wantBody: boolean): Promise<LoadResponse> {
    if (this.pending) throw new Error('KeepAliveConnection: a request is already in flight');
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, wantBody };
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n${headerLines}\r\n`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    // Reads land in one reused buffer (no allocation per chunk of a 64 kB answer); bytes that must
    // outlive the callback (a header split over reads, a wanted body) are copied out.
    const socket = connect({
      host: this.host, port: this.port, noDelay: true,
      onread: { buffer: Buffer.allocUnsafe(256 * 1024), callback: (n: number, buf: Uint8Array) => {
        this.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      } },
    });
    const fail = (err: Error) => {
      if (this.socket !== socket) return; // (an 'error' and then a 'close' of a socket already replaced)
      this.socket = null;
      const p = this.pending;
      this.reset();
      p?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
    this.socket = socket;
    return socket;
  }

  private reset(): void {
    this.pending = null;
    this.head = null;
    this.remaining = -1;
    this.bodyParts = [];
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      this.socket?.destroy(new Error(`unexpected ${chunk.length} bytes with no request in flight`));
      return;
    }
    let body = chunk;
    if (this.remaining < 0) {
      const head = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = head.indexOf(HEADER_END);
      if (end < 0) {
        this.head = Buffer.from(head); // (a copy: `chunk` is the reused read buffer)
        return;
      }
      this.parseHead(head.toString('latin1', 0, end));
      body = head.subarray(end + HEADER_END.length);
      if (this.remaining < 0) return; // parseHead failed the request
    }
    if (body.length > this.remaining) {
      this.socket?.destroy(new Error(`answer longer than its Content-Length (${body.length - this.remaining} bytes more)`));
      return;
    }
    this.remaining -= body.length;
    if (this.pending.wantBody && body.length > 0) this.bodyParts.push(Buffer.from(body));
    if (this.remaining === 0) {
      const p = this.pending;
      const result = { status: this.status, body: p.wantBody ? Buffer.concat(this.bodyParts) : null };
      this.reset();
      p.resolve(result);
    }
  }

  private parseHead(head: string): void {
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!m || !length) {
      // (the API frames every answer with Content-Length; anything else is a failure of the test)
      this.socket?.destroy(new Error(`unexpected answer head: ${JSON.stringify(head.slice(0, 200))}`));
      return;
    }
    this.status = Number(m[1]);
    this.remaining = Number(length[1]);
  }
}
