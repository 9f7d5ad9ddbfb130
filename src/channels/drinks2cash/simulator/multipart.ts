/**
 * A minimal multipart/form-data parser for the simulator's document endpoint (RFC 7578): split the
 * buffered body on the boundary, read each part's Content-Disposition (name, filename) and
 * Content-Type, keep the bytes exactly. Enough for what clients (undici's FormData, curl -F) send.
 */

export interface MultipartFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Record<string, MultipartFile>;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function param(header: string, name: string): string | null {
  // filename*=UTF-8''… (RFC 5987) takes precedence over filename="…"
  const star = new RegExp(`;\\s*${name}\\*=([^']*)'[^']*'([^;]+)`, 'i').exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[2]!.trim());
    } catch {
      /* fall through */
    }
  }
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]+))`, 'i').exec(header);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!.trim();
}

export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartBody {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartError('Content-Type must be multipart/form-data with a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const out: MultipartBody = { fields: {}, files: {} };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('multipart body does not contain its boundary');
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter closes the body
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    // skip the CRLF after the delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new MultipartError('multipart body is not terminated');
    // the part ends with CRLF before the next delimiter
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    else if (body[end - 1] === 0x0a) end -= 1;
    const part = body.subarray(pos, end);
    let headerEnd = part.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (headerEnd < 0) {
      headerEnd = part.indexOf('\n\n');
      sepLen = 2;
    }
    if (headerEnd < 0) throw new MultipartError('multipart part without headers');
    const headers = part.subarray(0, headerEnd).toString('utf8').split(/\r?\n/);
    const data = part.subarray(headerEnd + sepLen);
    let disposition = '';
    let type = 'application/octet-stream';
    for (const h of headers) {
      const colon = h.indexOf(':');
      if (colon < 0) continue;
      const key = h.slice(0, colon).trim().toLowerCase();
      const value = h.slice(colon + 1).trim();
      if (key === 'content-disposition') disposition = value;
      else if (key === 'content-type') type = value;
    }
    const name = param(disposition, 'name');
    if (name === null) throw new MultipartError('multipart part without a name');
    const fileName = param(disposition, 'filename');
    if (fileName !== null) out.files[name] = { fileName, contentType: type, data: Buffer.from(data) };
    else out.fields[name] = data.toString('utf8');
    pos = next;
  }
  return out;
}
