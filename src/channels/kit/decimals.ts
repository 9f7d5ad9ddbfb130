/**
 * A channel's number as an exact decimal string. Channels send money and quantities as JSON numbers
 * or as decimal strings, often both in one API; the canonical order holds decimal strings only, so
 * every channel reads them through here and never does arithmetic on a double.
 */
import { decimalFromJsonNumber, isDecimal, type Decimal } from '../../core/canonical/money.ts';

/**
 * `499.9` or `" 499.90 "` → `"499.9"` / `"499.90"`: a JSON number through its shortest round-trip
 * literal (core decimalFromJsonNumber), a string trimmed and checked, kept as written. Throws an
 * error naming `what` (the field) when the value is neither.
 */
export function wireDecimal(value: string | number, what: string): Decimal {
  if (typeof value === 'number') {
    try {
      return decimalFromJsonNumber(value);
    } catch {
      throw new Error(`${what}: ${value} is not a finite number`);
    }
  }
  const t = value.trim();
  if (!isDecimal(t)) throw new Error(`${what}: "${value}" is not a decimal number`);
  return t;
}
