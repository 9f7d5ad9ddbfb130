/**
 * One attempt of a Buyer API call (orderhub → Alza): the body's timestamp is "now" in Prague time
 * (it must be current even on resends [DOC]), the `?token=` is signed with client = supplierId over
 * the path of buyerApiUrl + the resource, and the answer is classified. Retries are not done here:
 * the outbox schedules them by the documented resend intervals, with a fresh timestamp and token.
 */
import type { HttpClient } from '../../../core/http/client.ts';
import { snippet } from '../../../core/http/snippet.ts';
import { OrderhubError } from '../../../core/errors.ts';
import { buyerApiPath, type AlzaDropshipConfig } from '../config.ts';
import { computeToken, signatureMessage } from '../hmac.ts';
import { ERROR_CODES, formatTimestamp } from '../protocol.ts';
import { generalResponseSchema } from '../schemas.ts';

export const TIMESTAMP_PLACEHOLDER = '"timestamp":"__TIMESTAMP__"';

/** Every status is read by us: the client must not throw or retry on its own. */
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => 100 + i);

export type AttemptOutcome =
  /** Alza took it (errorCode 0) */
  | { kind: 'accepted'; status: number; body: unknown; message: string }
  /** try again later: transport problem, 429, 5xx, no valid JSON, overload; `wait` = 'default' after a -7 or -5 */
  | { kind: 'retry'; status: number | null; message: string; wait: 'pace' | 'default' }
  /** Alza refused the content: a person has to look at it */
  | { kind: 'refused'; status: number; errorCode: number | null; message: string };

export class BuyerApiClient {
  constructor(
    private readonly config: AlzaDropshipConfig,
    private readonly http: HttpClient,
  ) {}

  /** Sends one message once. `body` is the JSON text with the timestamp placeholder. */
  async attempt(params: { method: 'POST' | 'DELETE'; path: string; body: string; now: Date; overloadIsRetryable?: boolean; signal?: AbortSignal }): Promise<AttemptOutcome> {
    const timestamp = formatTimestamp(params.now, this.config.timeZone);
    if (!params.body.includes(TIMESTAMP_PLACEHOLDER)) throw new Error('outbox message body has no timestamp placeholder');
    const body = params.body.replace(TIMESTAMP_PLACEHOLDER, `"timestamp":${JSON.stringify(timestamp)}`);
    const message = signatureMessage({ client: this.config.supplierId, method: params.method, path: `${buyerApiPath(this.config)}${params.path}`, timestamp });
    const token = computeToken(this.config.secret, message);
    let status: number;
    let text: string;
    try {
      const res = await this.http.request({
        method: params.method,
        path: params.path,
        query: { token },
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Dropship-API/1.0 (orderhub)' },
        body,
        retry: false,
        acceptStatuses: ALL_STATUSES,
        signal: params.signal,
      });
      status = res.status;
      text = res.text;
    } catch (err) {
      if (err instanceof OrderhubError && err.retryable) return { kind: 'retry', status: null, message: err.message, wait: 'pace' };
      if (err instanceof OrderhubError && (err.code === 'network_error' || err.code === 'timeout' || err.code === 'deadline_exceeded')) {
        return { kind: 'retry', status: null, message: err.message, wait: 'pace' };
      }
      throw err;
    }
    return classify(status, text, params.overloadIsRetryable ?? false);
  }
}

/** How much of Alza's answer an outcome message quotes. */
const QUOTED = 300;

/** Status + body → what the outbox does next [DOC "Error codes", "Rate limit", resend rules]. */
export function classify(status: number, text: string, overloadIsRetryable: boolean): AttemptOutcome {
  // 429 comes without a body [DOC]; 5xx and anything without a valid answer: resend per intervals.
  if (status === 429) return { kind: 'retry', status, message: 'HTTP 429 Too Many Requests', wait: 'pace' };
  if (status >= 500) return { kind: 'retry', status, message: `HTTP ${status}: ${snippet(text, QUOTED)}`, wait: 'pace' };
  if (status === 401 || status === 403) {
    return { kind: 'refused', status, errorCode: null, message: `HTTP ${status}: Alza refused our token (check supplierId, secret and buyerApiUrl): ${snippet(text, QUOTED)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'retry', status, message: `HTTP ${status} without a valid JSON answer: ${snippet(text, QUOTED)}`, wait: 'pace' };
  }
  const parsed = generalResponseSchema.safeParse(json);
  if (!parsed.success) return { kind: 'retry', status, message: `HTTP ${status} answer without an errorCode: ${snippet(text, QUOTED)}`, wait: 'pace' };
  const { errorCode, errorMessage } = parsed.data;
  const message = `HTTP ${status}, errorCode ${errorCode}${errorMessage ? `: ${errorMessage}` : ''}`;
  if (errorCode === ERROR_CODES.Success && status < 400) return { kind: 'accepted', status, body: json, message };
  if (errorCode === ERROR_CODES.ResendLimitViolated) return { kind: 'retry', status, message, wait: 'default' };
  if (errorCode === ERROR_CODES.OperationRejected && overloadIsRetryable) return { kind: 'retry', status, message, wait: 'default' };
  if (errorCode === ERROR_CODES.GenericError && status < 400) return { kind: 'retry', status, message, wait: 'default' };
  return { kind: 'refused', status, errorCode, message };
}
