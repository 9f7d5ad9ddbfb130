/**
 * The status a write-back asks for, in the channel's own name. It may be named as the channel names
 * it (`REALIZED`) or canonically (`shipped`, the names every filter takes): a canonical status is set
 * as the one settable channel status that maps to it (the channel's status table). A canonical status
 * that none or several settable statuses map to, or a name that is neither, is a WriteBackRuleError
 * naming the channel's settable statuses with their canonical meaning.
 */
import { CANONICAL_STATUSES } from '../core/canonical/status.ts';
import type { WriteBack } from '../core/connector.ts';
import { WriteBackRuleError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';

type StatusNames = Pick<WriteBack, 'settableStatuses' | 'statusTable'>;

/** `NEW (new), RECEIVED_BY_DISTRIBUTOR (confirmed), …` */
export function describeSettable(names: StatusNames): string {
  return names.settableStatuses.map((s) => (names.statusTable?.[s] ? `${s} (${names.statusTable[s]})` : s)).join(', ');
}

export function channelStatusFor(title: string, names: StatusNames, requested: string): string {
  const { settableStatuses: settable, statusTable: table } = names;
  // the channel's own name first: where a channel name is also a canonical one (ecom.md's `new`) it is that status
  if (settable.includes(requested)) return requested;
  const choices = `settable ${title} statuses: ${describeSettable(names)}`;
  if ((CANONICAL_STATUSES as readonly string[]).includes(requested)) {
    if (!table) throw new WriteBackRuleError(`${title} takes its own status names only, not canonical ones like "${requested}"; ${choices}`);
    const matches = settable.filter((s) => table[s] === requested);
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new WriteBackRuleError(`no ${title} status that can be set means "${requested}"; ${choices}`);
    throw new WriteBackRuleError(`"${requested}" is ambiguous at ${title}: ${matches.join(', ')} all mean it, name one of them; ${choices}`);
  }
  const suggestion = didYouMean(requested, [...settable, ...(table ? CANONICAL_STATUSES : [])]);
  const what = table ? `neither a settable ${title} status nor a canonical status` : `not a settable ${title} status`;
  throw new WriteBackRuleError(`"${requested}" is ${what}${suggestion}; ${choices}`);
}
