/** Dates in the viewer's zone, money with its currency, both in the console's language (Intl). */
import { locale } from './i18n.ts';

const dateTimes = new Map<string, Intl.DateTimeFormat>();

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const key = locale.value;
  let f = dateTimes.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(key, { dateStyle: 'short', timeStyle: 'short' });
    dateTimes.set(key, f);
  }
  return f.format(new Date(iso));
}

/** A money string (exact decimal) with its currency; Intl formats the decimal string itself, so no float rounding shows. */
export function money(amount: string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  try {
    const f = new Intl.NumberFormat(locale.value, currency ? { style: 'currency', currency } : { minimumFractionDigits: 2 });
    return f.format(amount as unknown as number);
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

export function count(n: number): string {
  return new Intl.NumberFormat(locale.value).format(n);
}

/** a browser-local date-time input value (YYYY-MM-DDTHH:mm) as an ISO instant */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
