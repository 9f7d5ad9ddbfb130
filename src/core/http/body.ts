/** Request bodies, encoded once before the first attempt so that every retry sends the same bytes. */
import { Response, type FormData } from 'undici';

/** At most one of these is given. */
export interface RequestBody {
  /** JSON body (also with DELETE) */
  json?: unknown;
  /** application/x-www-form-urlencoded */
  form?: Record<string, string>;
  /** multipart/form-data (undici's FormData) */
  multipart?: FormData;
  body?: string | Buffer;
}

export interface EncodedBody {
  body: string | Buffer | undefined;
  /** the content type the encoding implies; undefined for a raw body */
  contentType: string | undefined;
}

export async function encodeBody(req: RequestBody): Promise<EncodedBody> {
  if (req.json !== undefined) return { body: JSON.stringify(req.json), contentType: 'application/json; charset=utf-8' };
  if (req.form) return { body: new URLSearchParams(req.form).toString(), contentType: 'application/x-www-form-urlencoded' };
  if (req.multipart) {
    // serialised once into a Buffer so that a retry can send the very same bytes again
    const r = new Response(req.multipart);
    return { body: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get('content-type') ?? undefined };
  }
  return { body: req.body, contentType: undefined };
}
