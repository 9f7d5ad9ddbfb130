/**
 * Exact decimal helpers. Money and quantities travel as decimal strings; every sum or product the hub
 * computes goes through big.js so that "0.1" + "0.2" is "0.3", never 0.30000000000000004.
 */
import Big from 'big.js';

// Division is never used for money; these settings only matter for toFixed rounding (half-up).
Big.RM = Big.roundHalfUp;

export type Decimal = string;

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** True for a plain decimal string ("-12.50", "7"): digits, an optional point, no exponent, no spaces. */
export function isDecimal(value: string): boolean {
  return DECIMAL_RE.test(value);
}

/** Parses a decimal string strictly. Throws a clear error on anything that is not one. */
export function parseDecimal(value: string, what = 'value'): Big {
  const trimmed = value.trim();
  if (!DECIMAL_RE.test(trimmed)) throw new TypeError(`${what}: "${value}" is not a decimal number`);
  return new Big(trimmed);
}

export function addDecimals(values: readonly Decimal[], scale?: number): Decimal {
  let sum = new Big(0);
  for (const v of values) sum = sum.plus(parseDecimal(v));
  return scale === undefined ? sum.toString() : sum.toFixed(scale);
}

export function multiplyDecimals(a: Decimal, b: Decimal, scale?: number): Decimal {
  const product = parseDecimal(a).times(parseDecimal(b));
  return scale === undefined ? product.toString() : product.toFixed(scale);
}

/** Number of digits after the point in a decimal string ("5.81" -> 2). */
export function scaleOf(value: Decimal): number {
  const dot = value.indexOf('.');
  return dot === -1 ? 0 : value.length - dot - 1;
}

/**
 * Gross from net and a VAT percentage, rounded to `scale` places (half-up), exactly.
 * Used where a channel gives net prices only and the hub must show gross totals.
 */
export function grossFromNet(net: Decimal, vatRatePercent: Decimal, scale = 2): Decimal {
  const factor = parseDecimal(vatRatePercent).div(100).plus(1);
  return parseDecimal(net).times(factor).toFixed(scale);
}

/**
 * A JSON number a channel sent (Dropohs sends gross prices as floats) to an exact decimal string.
 * JSON numbers are parsed by JS into doubles; the shortest round-trip representation
 * (Number#toString) is exactly the literal the channel wrote for any value with at most 15 significant
 * digits, so we read it back through that and never do arithmetic on the double.
 */
export function decimalFromJsonNumber(value: number, scale?: number): Decimal {
  if (!Number.isFinite(value)) throw new TypeError(`${value} is not a finite number`);
  const big = new Big(value.toString());
  return scale === undefined ? big.toString() : big.toFixed(scale);
}

/** Normalises a decimal string to a fixed scale ("25" -> "25.00"). */
export function toScale(value: Decimal, scale: number): Decimal {
  return parseDecimal(value).toFixed(scale);
}

/**
 * A decimal in big.js's shortest spelling ("199.90" -> "199.9", "007" -> "7"), so equal amounts are
 * equal strings. Reads a checked decimal string or big.js's own output; like big.js it writes values
 * under 1e-7 with an exponent ("0.00000001" -> "1e-8"), which plainDecimal writes out again.
 */
export function normalizeDecimal(value: Decimal): Decimal {
  return new Big(value).toString();
}

/** A decimal without an exponent ("1e-8" -> "0.00000001", "1e+21" -> "1000000000000000000000"). */
export function plainDecimal(value: Decimal): Decimal {
  return new Big(value).toFixed();
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  return parseDecimal(a).cmp(parseDecimal(b));
}
