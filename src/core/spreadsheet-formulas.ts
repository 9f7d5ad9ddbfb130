/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with = + - @ (or a tab
 * or carriage return, which some of them skip before looking) as a formula, so a customer name such
 * as `=HYPERLINK("http://x","y")` or `+cmd|' /C calc'!A0` from a channel would become a live link or
 * a DDE command in the operator's Excel. Such a cell gets a leading `'`, which the spreadsheet shows
 * as text and hides.
 */
import { isDecimal } from './canonical/money.ts';

// The OWASP characters, their full-width forms (Apple Numbers normalises those to the ASCII ones, as
// csv-stringify's own escape_formulas notes), and the same after leading whitespace, which
// spreadsheets strip before parsing a cell.
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/**
 * The cell as a spreadsheet will read it as text. A plain decimal ("-12.50") is left alone: it is a
 * number, not a formula, and money columns (exact decimal strings in the canonical order) must stay
 * numbers a spreadsheet can sum.
 */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !isDecimal(cell) ? `'${cell}` : cell;
}
