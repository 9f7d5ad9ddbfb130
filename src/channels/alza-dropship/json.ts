/**
 * JSON as the Drop API writes it, read and written without losing digits.
 *
 * Ids are Id64 (orderItemId, packageId: up to 9223372036854775807) and money is decimal(15,2), both
 * sent as JSON numbers. JSON.parse turns every number into a double, which silently changes any
 * integer beyond 2^53. So number literals that a double cannot hold exactly are turned into strings
 * before parsing (the schemas accept ids and money as numbers or digit strings), and numbers we send
 * are written from their exact decimal text.
 */

export class JsonBodyError extends Error {}

/** Significant digits a double reproduces exactly for every literal (DBL_DIG). */
const SAFE_DIGITS = 15;

function needsQuoting(literal: string): boolean {
  const mantissa = literal.replace(/^-/, '').split(/[eE]/)[0]!;
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  return digits.replace(/0+$/, '').length > SAFE_DIGITS;
}

/**
 * Deepest nesting of objects and arrays a body may have. JSON.parse's reviver recurses: a 100 000-deep
 * body answered "Maximum call stack size exceeded". Alza's bodies nest four levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Quotes the number literals of a JSON text that a double would not keep exactly. Walks the text
 * once, skipping strings, so it never touches a digit inside a string; on the way it refuses a text
 * that nests deeper than `maxDepth`, before anything parses it.
 */
export function quoteUnsafeNumbers(text: string, maxDepth = MAX_JSON_DEPTH): string {
  let out = '';
  let last = 0;
  let i = 0;
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) throw new JsonBodyError(`the body nests deeper than ${maxDepth} levels`);
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    }
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      const literal = text.slice(start, i);
      if (needsQuoting(literal)) {
        out += `${text.slice(last, start)}"${literal}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Parses a request body. Keys that could pollute prototypes are refused (400), like Fastify does. */
export function parseJsonBody(text: string): unknown {
  const quoted = quoteUnsafeNumbers(text); // (throws JsonBodyError for a body nested too deep)
  try {
    return JSON.parse(quoted, (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new JsonBodyError(`the key "${key}" is not allowed`);
      }
      return value;
    });
  } catch (err) {
    if (err instanceof JsonBodyError) throw err;
    throw new JsonBodyError(`the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A number to be written exactly as this decimal text (an Id64 or a money amount). */
export class JsonNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new TypeError(`"${text}" is not a decimal number`);
  }
  toJSON(): string {
    return `${MARK}${this.text}${MARK}`;
  }
}

// A private-use character pair no legitimate string we send contains; JSON.stringify keeps it as is.
const MARK = '\uE000\uE001';
const MARK_RE = /"\uE000\uE001(-?\d+(?:\.\d+)?)\uE000\uE001"/g;

/** JSON.stringify that writes JsonNumber values as bare number literals. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value).replace(MARK_RE, '$1');
}

export function jsonNumber(text: string): JsonNumber {
  return new JsonNumber(text);
}
