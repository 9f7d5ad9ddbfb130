/**
 * Every console action is a call of the public REST API (docs/api.md), authenticated by the session
 * cookie; writes carry the session's CSRF token. An expired session sends the user back to sign-in.
 */
import { signal } from '@preact/signals';
import type { Session } from './types.ts';

export const session = signal<Session | null | undefined>(undefined);

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function failureOf(res: Response): Promise<ApiFailure> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiFailure(res.status, body.error?.code ?? 'error', body.error?.message ?? res.statusText);
  } catch {
    return new ApiFailure(res.status, 'error', res.statusText);
  }
}

export async function call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = session.value?.csrfToken;
  if (method !== 'GET' && csrf) headers['x-orderhub-csrf'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (!res.ok) {
    const failure = await failureOf(res);
    if (res.status === 401 && path !== '/v1/session') session.value = null;
    throw failure;
  }
  return res;
}

export async function getJson<T>(path: string, query: Record<string, string | number | undefined | null> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return (await (await call('GET', qs ? `${path}?${qs}` : path)).json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await call(method, path, body, headers);
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

export async function signIn(apiKey: string): Promise<void> {
  session.value = await sendJson<Session>('POST', '/v1/session', { apiKey });
}

export async function restoreSession(): Promise<void> {
  try {
    session.value = (await getJson<{ session: Session | null }>('/v1/session')).session;
  } catch {
    session.value = null;
  }
}

export async function signOut(): Promise<void> {
  try {
    await call('DELETE', '/v1/session');
  } finally {
    session.value = null;
  }
}

export const canWrite = () => session.value?.key.scope === 'write';

/** A write-back with an Idempotency-Key, so a double click or a retried request changes the order once. */
export function writeBack<T>(orderId: string, kind: 'status' | 'tracking', body: unknown): Promise<T> {
  return sendJson<T>('POST', `/v1/orders/${encodeURIComponent(orderId)}/${kind}`, body, { 'idempotency-key': crypto.randomUUID() });
}

/** Downloads a Response body as a file (the export routes answer with content-disposition). */
export async function download(res: Response, fallbackName: string): Promise<void> {
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
