/**
 * The layer templates in meta-beam-templates/templates/ and the little
 * filler that renders them. Placeholders are `@@NAME@@`; values must be
 * `BbText`, which only the builders in this folder produce from validated
 * values, so raw lockfile strings cannot be spliced into a recipe.
 */
import { packageRoot } from '../util/package.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bbComment, bbQuote } from './validate.js';

declare const bbTextBrand: unique symbol;
/** Text that is already valid BitBake: quoted strings, whole assignments, comments. */
export type BbText = string & { readonly [bbTextBrand]: true };

/** Mark text built by this folder's builders as BitBake-safe. Not for raw input. */
export function trusted(text: string): BbText {
  return text as BbText;
}

export const EMPTY = trusted('');

export function quoted(validated: string): BbText {
  return trusted(bbQuote(validated));
}

export function comments(lines: string[]): BbText {
  return trusted(lines.map(bbComment).join('\n'));
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(:[A-Za-z0-9_-]+)*(\[[A-Za-z0-9_.-]+\])?$/;

/**
 * `NAME op "value"` for a validated value: the hook other modules (hardware
 * profiles, vendoring) use to add recipe lines without writing BitBake text
 * themselves.
 */
export function assignment(name: string, value: string, op: '=' | '?=' | '+=' | ':=' = '='): BbText {
  if (!VAR_NAME.test(name)) throw new Error(`internal: not a BitBake variable name: ${JSON.stringify(name)}`);
  return trusted(`${name} ${op} ${bbQuote(value)}`);
}

/**
 * `NAME op "${VAR}/rest"`: a value that starts with a BitBake variable this
 * module chose (WORKDIR, UNPACKDIR, ...) followed by a validated suffix.
 */
export function assignUnder(name: string, variable: string, rest: string, op: '=' | ':=' = '='): BbText {
  if (!VAR_NAME.test(name) || !/^[A-Z_]+$/.test(variable)) throw new Error(`internal: bad assignment ${name} / ${variable}`);
  const suffix = rest === '' ? '' : bbQuote(rest).slice(1, -1);
  return trusted(`${name} ${op} "\${${variable}}${suffix}"`);
}

/**
 * A multi-line list assignment in the style of oe-core's generated files:
 * `NAME += " \` then one item per line, then `"`.
 */
export function listAssignment(name: string, op: '=' | '+=', items: string[], opts: { tightOpen?: boolean } = {}): BbText {
  if (!VAR_NAME.test(name)) throw new Error(`internal: not a BitBake variable name: ${JSON.stringify(name)}`);
  for (const item of items) bbQuote(item);
  if (items.length === 0) return trusted(`${name} ${op} ""`);
  const open = opts.tightOpen ? '"\\' : '" \\';
  return trusted([`${name} ${op} ${open}`, ...items.map((i) => `    ${i} \\`), '"'].join('\n'));
}

export function lines(parts: BbText[]): BbText {
  return trusted(parts.filter((p) => p.length > 0).join('\n'));
}

/** meta-beam-templates/ of this installation (the same directory from src/ and dist/). */
export function templatesRoot(): string {
  return join(packageRoot(), 'meta-beam-templates');
}

export function loadTemplate(name: string): string {
  return readFileSync(join(templatesRoot(), 'templates', name), 'utf8');
}

/**
 * Fill `@@NAME@@` placeholders. A placeholder alone on its line may expand to
 * several lines, or to nothing (the line is dropped). Every placeholder must
 * be given and every value used, so a template and its renderer cannot drift
 * apart silently. Runs of blank lines collapse to one.
 */
export function fill(template: string, values: Record<string, BbText>): string {
  const used = new Set<string>();
  const get = (key: string): string => {
    const value = values[key];
    if (value === undefined) throw new Error(`internal: template placeholder @@${key}@@ has no value`);
    used.add(key);
    return value;
  };
  const out: string[] = [];
  for (const line of template.split('\n')) {
    const whole = /^@@([A-Z_]+)@@$/.exec(line);
    if (whole) {
      const value = get(whole[1]!);
      if (value.length > 0) out.push(value);
      continue;
    }
    out.push(
      line.replace(/@@([A-Z_]+)@@/g, (_, key: string) => {
        const value = get(key);
        if (value.includes('\n')) throw new Error(`internal: multi-line value for inline placeholder @@${key}@@`);
        return value;
      }),
    );
  }
  for (const key of Object.keys(values)) {
    if (!used.has(key)) throw new Error(`internal: value for @@${key}@@ is not used by the template`);
  }
  const text = out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');
  // one line break at the end: what .replace(/\n*$/, '\n') does, without trying every position of the text
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return text.slice(0, end) + '\n';
}
