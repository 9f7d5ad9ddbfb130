/** Plain-text tables for the terminal, and the JSON the listing commands print with --json. */

export interface TableOptions {
  /**
   * Columns whose text is never cut (error messages): on a terminal narrower than the table they are
   * wrapped onto continuation lines to fit; otherwise (a pipe, a file) they are printed whole.
   */
  wrap?: number[];
  /** the width to fit (default: the terminal's, when stdout is one) */
  width?: number | undefined;
}

/** The terminal's width when stdout is a terminal, else undefined (nothing is wrapped in a pipe). */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

const GAP = 2;
const MIN_WRAPPED = 24;

export function formatTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const flat = rows.map((r) => headers.map((_, i) => oneLine(r[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...flat.map((r) => r[i]!.length)));
  const wrap = (options.wrap ?? []).filter((i) => i < headers.length);
  const width = 'width' in options ? options.width : terminalWidth();
  const fits = wrap.length === 0 || width === undefined || fitWrapped(widths, headers, wrap, width);
  // too many columns for the terminal even with the long texts wrapped: those go under their row
  const below = fits ? [] : wrap;
  const shown = headers.map((_, i) => i).filter((i) => !below.includes(i));
  const line = (cells: string[]) => shown.map((i) => cells[i]!.padEnd(widths[i]!)).join(' '.repeat(GAP)).trimEnd();
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w)))];
  for (const cells of flat) {
    const parts = cells.map((c, i) => (wrap.includes(i) && fits ? wrapText(c, widths[i]!) : [c]));
    const height = Math.max(...parts.map((p) => p.length));
    for (let k = 0; k < height; k++) out.push(line(parts.map((p) => p[k] ?? '')));
    for (const i of below) {
      if (!cells[i]) continue;
      const indent = '    ';
      const text = wrapText(`${headers[i]}: ${cells[i]}`, Math.max(MIN_WRAPPED, (width ?? 80) - indent.length));
      out.push(...text.map((t) => `${indent}${t}`));
    }
  }
  return out.join('\n') + '\n';
}

/**
 * Narrows the wrapped columns (widest first) until the table fits the width, each to no less than
 * MIN_WRAPPED; false when even that is too wide.
 */
function fitWrapped(widths: number[], headers: string[], wrap: number[], width: number): boolean {
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total() > width) {
    const widest = wrap.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
    const floor = Math.max(MIN_WRAPPED, headers[widest]!.length);
    if (widths[widest]! <= floor) return false;
    widths[widest] = Math.max(floor, widths[widest]! - (total() - width));
  }
  return true;
}

/** Words onto lines of at most `width` characters; a word longer than a line is split. */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (let word of text.split(' ')) {
    while (word.length > width) {
      const room = current ? width - current.length - 1 : width;
      if (room >= 8 || !current) {
        lines.push(current ? `${current} ${word.slice(0, room)}` : word.slice(0, room));
        word = word.slice(room);
      } else {
        lines.push(current);
      }
      current = '';
    }
    if (!current) current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Table cells are one line: a message with line breaks has them as spaces. */
function oneLine(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/\s*[\r\n]+\s*/g, ' ') : text;
}

/** Cuts a short summary cell (a name, a checkpoint); never used for error messages, which are wrapped. */
export function truncate(text: string | null | undefined, max: number): string {
  if (!text) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An error message to print after the connection's name: without the name when the message starts
 * with it already (the HTTP layer's messages do), so no line reads `drinks-pl: drinks-pl: GET …`.
 */
export function withoutOwnName(connection: string, message: string): string {
  return message.startsWith(`${connection}: `) ? message.slice(connection.length + 2) : message;
}

/**
 * What `--json` prints: the listing's items as one JSON array, with the REST API's field names
 * (the `data` of the matching API answer where there is one), indented for reading.
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
