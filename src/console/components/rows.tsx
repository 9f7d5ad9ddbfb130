/** A table of plain rows whose columns are their keys (for answers the console shows as they are, e.g. Alza dropship's). */
import { dateTime } from '../format.ts';

function cell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' && /At$|^validUntil$/.test(key)) return dateTime(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function RowsTable({ rows, columns }: { rows: Array<Record<string, unknown>>; columns?: string[] }) {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div class="table-wrap">
      <table>
        <thead><tr>{cols.map((c) => <th key={c}>{c}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{cols.map((c) => <td key={c}>{cell(c, r[c])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}
