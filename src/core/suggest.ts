/**
 * "Did you mean …?" for names a person typed: config keys, connection names, channel kinds,
 * statuses. Edit distance comes from fastest-levenshtein (small, dependency-free, widely used).
 */
import { distance } from 'fastest-levenshtein';

/**
 * The known name closest to `input`, when it is close enough to be a likely typo: case is ignored
 * (`apikey` → `apiKey`), and at most a third of the longer name may differ (so `x` suggests nothing).
 */
export function closestName(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(typed, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(typed.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "apiKey"?)`, or '' when nothing is close. */
export function didYouMean(input: string, known: readonly string[]): string {
  const near = closestName(input, known);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}
