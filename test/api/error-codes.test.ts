/** The error-code catalogue: docs/api.md "Error codes" lists it as it is, and the API answers by it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, toErrorResponse } from '../../src/api/errors.ts';
import { ORDERHUB_ERRORS, OrderhubError, type OrderhubErrorCode } from '../../src/core/errors.ts';

/** The rows of the Markdown tables in the section of docs/api.md headed `## Error codes`. */
function documentedTables(): string[][][] {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const start = doc.indexOf('\n## Error codes\n');
  expect(start).toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of doc.slice(start, end === -1 ? undefined : end).split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line.slice(1, -1).split(' | ').map((c) => c.trim());
    if (cells.every((c) => /^-+$/.test(c))) continue;
    if (!current) tables.push((current = []));
    else current.push(cells); // (the first row of each table is its header)
  }
  return tables;
}

const codeOf = (cell: string) => cell.replace(/^`|`$/g, '');

describe('error codes', () => {
  it('docs/api.md lists every code the API answers, with the catalogue\'s status and meaning', () => {
    const [answered] = documentedTables();
    const documented = answered!.map(([status, code, meaning]) => [codeOf(code!), Number(status), meaning]);
    const catalogue = Object.entries(API_ERRORS).map(([code, e]) => [code, e.status, e.meaning]);
    expect(documented.sort()).toEqual(catalogue.sort());
  });

  it('docs/api.md lists every code of orderhub\'s own errors, with the catalogue\'s status and meaning', () => {
    const [, own] = documentedTables();
    const documented = own!.map(([code, status, meaning]) => [codeOf(code!), status === '—' ? null : Number(status), meaning]);
    const catalogue = Object.entries(ORDERHUB_ERRORS).map(([code, e]) => [code, e.status, e.meaning]);
    expect(documented).toEqual(catalogue);
  });

  it('an error of the core is answered with its code and status when the catalogue gives one, else as internal', () => {
    for (const [code, entry] of Object.entries(ORDERHUB_ERRORS)) {
      const { statusCode, body, internal } = toErrorResponse(new OrderhubError(code as OrderhubErrorCode, `it was ${code}`));
      if (entry.status === null) {
        expect([code, statusCode, body.error.code, internal]).toEqual([code, 500, 'internal', true]);
      } else {
        expect([statusCode, body.error, internal]).toEqual([entry.status, { code, message: `it was ${code}` }, false]);
        expect(API_ERRORS[code as keyof typeof API_ERRORS]).toEqual(entry);
      }
    }
  });
});
