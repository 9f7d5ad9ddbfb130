/**
 * Answering a request whose body was not read (over the body limit, another media type) without
 * losing the answer. Closing the connection while the client is still writing its body makes the
 * kernel reset it: the client's writes fail (EPIPE, ECONNRESET), and the answer may be lost with them
 * (issue 19: 1 in 3 uploads of a 40 MB body saw a connection error instead of the 413). So the answer
 * goes out at once, and the connection is closed only once the rest of the body has been read and
 * dropped, or after `LINGER_MS` or `LINGER_BYTES`, whichever comes first.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const LINGER_MS = 5_000;
const LINGER_BYTES = 64 * 1024 * 1024;

const lingering = new WeakSet<Socket>();

/** Call before answering `request` with an error while its body may still be arriving. */
export function answerBeforeBody(request: IncomingMessage): void {
  if (request.complete) return;
  const socket = request.socket as Socket & { destroySoon?: () => void };
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Node ends a connection that is not kept alive with destroySoon() once the answer is written;
  // the body still arriving is read (Node drops a body nobody reads) before that happens.
  const close = socket.destroySoon?.bind(socket) ?? (() => socket.end());
  let closeAsked = false;
  let drained = false;
  socket.destroySoon = () => {
    closeAsked = true;
    if (drained) close();
  };
  // (the socket's own 'data' events are not listened to: Node's parser reads the socket itself)
  const until = socket.bytesRead + LINGER_BYTES;
  const since = Date.now();
  const check = setInterval(() => {
    if (Date.now() - since > LINGER_MS || socket.bytesRead > until) socket.destroy();
  }, 100);
  check.unref();
  const done = () => {
    clearInterval(check);
    lingering.delete(socket);
  };
  request.once('end', () => {
    drained = true;
    done();
    if (closeAsked) close();
  });
  socket.once('close', done);
}

/** Whether `socket` is reading the rest of a body already answered (nothing more may be written to it). */
export function isDrainingAnsweredBody(socket: Socket): boolean {
  return lingering.has(socket);
}
