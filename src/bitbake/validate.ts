/**
 * BitBake quoting on top of the shared value validators (src/validate/values.ts):
 * renderers import both from here.
 */
import { BeambakeError } from '../util/errors.js';

export * from '../validate/values.js';

function show(value: string): string {
  const s = value.length > 80 ? value.slice(0, 77) + '...' : value;
  return JSON.stringify(s);
}

/**
 * Quotes, backslashes, `$` (so `${` and `${@`), backticks, and anything outside printable ASCII
 * (newlines too): every character but printable ASCII without `"` (22), `$` (24), `\` (5c) and
 * `` ` `` (60). One class, not an alternation of two: it runs over every quoted value of a recipe.
 */
const NOT_QUOTABLE = /[^\x20\x21\x23\x25-\x5b\x5d-\x5f\x61-\x7e]/;

/**
 * Quote a validated value as a BitBake double-quoted string. The validators
 * above already exclude everything this refuses; checking again here means a
 * future caller that forgets to validate fails loudly instead of writing
 * something BitBake would execute.
 */
export function bbQuote(value: string): string {
  if (NOT_QUOTABLE.test(value)) {
    throw new BeambakeError('UNSAFE_VALUE', `refusing to write ${show(value)} into a BitBake string`);
  }
  return `"${value}"`;
}

/**
 * A `#` comment line. A comment ending in a backslash would swallow the next
 * line (BitBake joins continuation lines before it skips comments).
 */
export function bbComment(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length === 0 ? '#' : `# ${clean.replace(/\\+$/, '')}`;
}
