/**
 * SPDX normalisation of the free-text `licenses` list in Hex metadata.
 *
 * Hex recommends SPDX identifiers but does not enforce them, so real packages
 * say "Apache 2.0", "MIT License", "BSD 3-Clause" and so on. Each entry is
 * matched exactly, then case-insensitively, then by a loose key (case,
 * punctuation, "license"/"version" and a trailing ".0" ignored) against the
 * SPDX list from `spdx-license-ids`; anything still ambiguous or unknown is
 * reported, never guessed.
 *
 * How entries combine: the Hex specification only says "the package's
 * licenses" (package_metadata.md), and whether a list means a choice or a
 * conjunction is an open question upstream (hexpm/hexpm#1108). We default to
 * AND, the reading that never under-states obligations: a dual-licensed
 * package declared as `A AND B` is over-reported, never non-compliant.
 * Callers that know better pass `combine: 'OR'`.
 */
import { currentSpdxIds, deprecatedSpdxIds, spdxIdList } from '../util/spdx-ids.js';
import parseSpdx from 'spdx-expression-parse';

export interface NormalizedLicense {
  /** The metadata entry as written. */
  input: string;
  /** SPDX expression for it, or null when it could not be identified. */
  spdx: string | null;
  /** How the entry was interpreted, when not verbatim SPDX. */
  note?: string;
}

export interface LicenseExpression {
  /**
   * SPDX expression for the whole package; unknown entries appear as
   * `LicenseRef-hex-<sanitised>` so the expression stays valid. Null when the
   * package declares no licence at all.
   */
  expression: string | null;
  /** True when every entry was identified. */
  complete: boolean;
  licenses: NormalizedLicense[];
  /** Entries that could not be identified, as written. */
  unknown: string[];
}

/** Hex-ecosystem spellings the loose key cannot resolve by itself. */
const ALIASES: Record<string, string> = {
  asl2: 'Apache-2.0',
  asf2: 'Apache-2.0',
  newbsd: 'BSD-3-Clause',
  modifiedbsd: 'BSD-3-Clause',
  revisedbsd: 'BSD-3-Clause',
  bsd3: 'BSD-3-Clause',
  simplifiedbsd: 'BSD-2-Clause',
  bsd2: 'BSD-2-Clause',
  mpl2: 'MPL-2.0',
  mozillapubliclicense2: 'MPL-2.0',
  mozillapublic2: 'MPL-2.0',
  erlangpubliclicense: 'ErlPL-1.1',
  erlangpublic: 'ErlPL-1.1',
  'epl1.1': 'ErlPL-1.1',
  eclipsepubliclicense1: 'EPL-1.0',
  eclipsepubliclicense2: 'EPL-2.0',
  eclipsepublic1: 'EPL-1.0',
  eclipsepublic2: 'EPL-2.0',
  isclicense: 'ISC',
  expat: 'MIT',
  wtfpl2: 'WTFPL',
  theunlicense: 'Unlicense',
  cc0: 'CC0-1.0',
};

/** GNU licences: the bare (deprecated) id means "-only", `+` / "or later" means "-or-later". */
const GNU = /^(A?GPL|LGPL|GFDL)-\d\.\d$/;

/** Lower-case, British/American spelling merged, words and punctuation that carry no identity removed. */
function looseKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/licence/g, 'license')
    .replace(/\b(the|version|only)\b/g, ' ')
    .replace(/\blicense\b(?!\w)/g, ' ')
    .replace(/v(?=\d)/g, '')
    .replace(/[\s,_()-]+/g, '')
    .replace(/(\d)\.0(?!\d)/g, '$1');
}

const exact = currentSpdxIds();
const deprecated = deprecatedSpdxIds();
const byLower = new Map<string, string>();
const byKey = new Map<string, string | null>();
for (const id of spdxIdList) {
  byLower.set(id.toLowerCase(), id);
  const k = looseKey(id);
  // A key two ids share is ambiguous: never guess between them.
  byKey.set(k, byKey.has(k) && byKey.get(k) !== id ? null : id);
}

/** The current id for a (possibly deprecated) GNU id, with `plus` meaning "or later". */
function gnuCurrent(id: string, plus: boolean): string | undefined {
  const base = id.replace(/-(only|or-later)$/, '');
  if (!GNU.test(base)) return undefined;
  const want = `${base}-${plus ? 'or-later' : 'only'}`;
  return exact.has(want) ? want : undefined;
}

function isValidExpression(s: string): boolean {
  try {
    parseSpdx(s);
    return true;
  } catch {
    return false;
  }
}

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };

/** Re-serialise a parsed expression with deprecated GNU ids replaced; reports whether anything changed. */
function modernise(node: SpdxNode, notes: string[]): string {
  if ('license' in node) {
    let id = node.license;
    let plus = node.plus ?? false;
    if (deprecated.has(id) || plus) {
      const current = gnuCurrent(id, plus);
      if (current) {
        notes.push(`${id}${plus ? '+' : ''} is ${current} in current SPDX`);
        id = current;
        plus = false;
      }
    }
    return id + (plus ? '+' : '') + (node.exception ? ` WITH ${node.exception}` : '');
  }
  const side = (n: SpdxNode) => {
    const s = modernise(n, notes);
    return 'conjunction' in n && n.conjunction !== node.conjunction ? `(${s})` : s;
  };
  return `${side(node.left)} ${node.conjunction.toUpperCase()} ${side(node.right)}`;
}

/** Identify one entry of a Hex `licenses` list. */
export function normalizeLicense(input: string): NormalizedLicense {
  const text = input.trim();
  if (text === '') return { input, spdx: null, note: 'empty licence name' };
  if (isValidExpression(text)) {
    const notes: string[] = [];
    const spdx = modernise(parseSpdx(text) as SpdxNode, notes);
    return notes.length > 0 ? { input, spdx, note: notes.join('; ') } : { input, spdx };
  }
  const plus = /(\+|\bor[ -]later|\bor[ -]newer|\band[ -]later)\s*$/i.test(text);
  const stem = text.replace(/(\+|\bor[ -]later|\bor[ -]newer|\band[ -]later)\s*$/i, '').trim();
  const lower = byLower.get(stem.toLowerCase());
  const key = looseKey(stem);
  const keyed = byKey.get(key);
  const found = lower ?? (keyed === null ? undefined : keyed) ?? ALIASES[key];
  if (!found) {
    const ambiguous = keyed === null ? ' (matches several SPDX identifiers)' : '';
    return { input, spdx: null, note: `not an SPDX licence identifier${ambiguous}` };
  }
  const gnu = gnuCurrent(found, plus);
  const spdx = gnu ?? (plus ? `${found}+` : found);
  return { input, spdx, note: `"${text}" read as ${spdx}` };
}

/** `LicenseRef-` id for an unidentified entry (SPDX idstring: letters, digits, `.` and `-`). */
export function licenseRefFor(input: string): string {
  const id = input.trim().replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
  return `LicenseRef-hex-${id || 'unnamed'}`;
}

/** The SPDX expression for a Hex package's `licenses` list. */
export function hexLicenseExpression(licenses: readonly string[], opts: { combine?: 'AND' | 'OR' } = {}): LicenseExpression {
  const combine = opts.combine ?? 'AND';
  const normalized = licenses.map(normalizeLicense);
  const parts: string[] = [];
  for (const n of normalized) {
    const p = n.spdx ?? licenseRefFor(n.input);
    if (!parts.includes(p)) parts.push(p);
  }
  const wrap = (p: string) => (parts.length > 1 && /\s(AND|OR)\s/.test(p) ? `(${p})` : p);
  const unknown = normalized.filter((n) => n.spdx === null).map((n) => n.input);
  return {
    expression: parts.length === 0 ? null : parts.map(wrap).join(` ${combine} `),
    complete: unknown.length === 0 && parts.length > 0,
    licenses: normalized,
    unknown,
  };
}
