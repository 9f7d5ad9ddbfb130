/** A table of plain rows whose columns are their keys, named from the catalogue (col.<key>), for answers shown as they are (Alza dropship's). */
import { dateTime } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';

function cell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' && /At$|^validUntil$/.test(key)) return dateTime(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    // the orders holding stock: "DD123 ×2, DD124 ×1"
    return v.map((x: { orderNumber?: unknown; quantity?: unknown }) => (x && x.orderNumber !== undefined ? `${String(x.orderNumber)} ×${String(x.quantity ?? '')}` : JSON.stringify(x))).join(', ');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function RowsTable({ rows, columns }: { rows: Array<Record<string, unknown>>; columns?: string[] }) {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div class="table-wrap">
      <table>
        <thead><tr>{cols.map((c) => <th key={c}>{t(`col.${c}` as MessageKey, {}, c)}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{cols.map((c) => <td key={c}>{cell(c, r[c])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}
