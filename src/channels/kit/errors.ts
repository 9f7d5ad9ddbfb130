/** Errors every channel client raises the same way, so the engine and the API treat them alike. */
import { OrderhubError } from '../../core/errors.ts';

/**
 * The channel refused a read as a bad request (HTTP 400), with its own message in `message`. Not
 * retryable: our query is wrong, sending it again cannot help. (A refused write is the core's
 * ChannelRefusedError: the write-back outbox records it as refused.)
 */
export class ChannelBadRequestError extends OrderhubError {
  readonly status: number;
  /** the channel's body, cut to 2000 characters (kept for diagnostics, never sent anywhere) */
  readonly body: string;
  constructor(message: string, init: { status?: number; body: string }) {
    super('channel_bad_request', message);
    this.status = init.status ?? 400;
    this.body = init.body.slice(0, 2000);
  }
}
