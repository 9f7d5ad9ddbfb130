/**
 * Planning the creation-date windows a sync walks. Windows are half-open [from, to) in UTC; a channel
 * that filters by whole days widens them itself, and the engine dedups what comes back twice.
 */
const DAY_MS = 86_400_000;

export interface TimeWindow {
  from: Date;
  to: Date;
}

/** Splits [from, to) into consecutive windows of at most maxDays. */
export function planWindows(from: Date, to: Date, maxDays: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const step = Math.max(1, maxDays) * DAY_MS;
  for (let start = from.getTime(); start < to.getTime(); start += step) {
    windows.push({ from: new Date(start), to: new Date(Math.min(start + step, to.getTime())) });
  }
  return windows;
}

/**
 * The fewest windows that cover a sorted list of creation instants (open orders to re-poll): instants
 * less than `gapMs` apart share a window, and no window is longer than maxDays.
 */
export function windowsCovering(instants: readonly Date[], maxDays: number, gapMs = DAY_MS): TimeWindow[] {
  const sorted = [...instants].sort((a, b) => a.getTime() - b.getTime());
  const windows: TimeWindow[] = [];
  const maxLen = Math.max(1, maxDays) * DAY_MS;
  for (const t of sorted) {
    const last = windows[windows.length - 1];
    const end = new Date(t.getTime() + 1); // half-open: include t itself
    if (last && t.getTime() - last.to.getTime() < gapMs && end.getTime() - last.from.getTime() <= maxLen) {
      last.to = end;
    } else {
      windows.push({ from: new Date(t.getTime()), to: end });
    }
  }
  return windows;
}
