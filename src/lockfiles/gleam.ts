/**
 * Gleam's manifest.toml:
 *   packages = [{ name, version, build_tools, requirements, otp_app?, source = "hex",
 *                 outer_checksum } | { ..., source = "git", repo, commit, path? }
 *               | { ..., source = "local", path }]
 *   [requirements]  name = { version = "..." } | { path = ... } | { git = ..., ref = ... }
 *                   (Gleam 0.19-era files: name = "~> 0.5")
 * Requirements name packages; the model keys packages by OTP app (`otp_app`
 * when it differs from the package name, e.g. hpack_erl -> hpack).
 */
import { parseTomlText } from '../util/toml.js';
import type { TermLoc } from '../terms/index.js';
import type { Package, UnlockedDependency } from '../model.js';
import { LockContext, checkSha256, type LockRead } from './common.js';

type Table = Record<string, unknown>;

export function parseGleamManifest(text: string, file: string): LockRead {
  const cx = new LockContext(file);
  const doc: Table = parseTomlText(text, file);
  const locate = textLocator(text);

  const rawPackages = doc.packages ?? [];
  if (!Array.isArray(rawPackages)) throw cx.invalid('packages must be an array of tables', locate('packages'));
  const requirements = doc.requirements ?? {};
  if (!isTable(requirements)) throw cx.invalid('[requirements] must be a table', locate('requirements'));

  const byName = new Map<string, { pkg: Package; requires: string[] }>();
  for (const raw of rawPackages) {
    const read = readPackage(cx, locate, raw);
    const name = (raw as Table).name as string;
    if (byName.has(name)) throw cx.invalid(`duplicate package ${name}`, read.pkg.location, name);
    byName.set(name, read);
  }

  const unlocked: UnlockedDependency[] = [];
  for (const [name, { pkg, requires }] of byName) {
    const apps = new Set<string>();
    for (const r of requires) {
      const target = byName.get(r);
      if (target) apps.add(target.pkg.app);
      else {
        unlocked.push({ app: r, requiredBy: pkg.app });
        cx.warn(`requires ${r}, which is not in the manifest`, pkg.location, name);
      }
    }
    pkg.dependencies = [...apps].sort();
  }
  for (const name of Object.keys(requirements)) {
    const found = byName.get(name);
    if (found) found.pkg.direct = true;
    else cx.warn(`[requirements] names ${name}, which is not in packages`, locate(name));
  }
  unlocked.sort((a, b) => (a.requiredBy !== b.requiredBy ? (a.requiredBy < b.requiredBy ? -1 : 1) : a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return { packages: [...byName.values()].map((v) => v.pkg), warnings: cx.warnings, unlocked };
}

function readPackage(cx: LockContext, locate: Locate, raw: unknown): { pkg: Package; requires: string[] } {
  if (!isTable(raw) || typeof raw.name !== 'string') {
    throw cx.invalid('every entry of packages must be a table with a name', locate('packages'));
  }
  const name = raw.name;
  const loc = locate(`name = ${JSON.stringify(name)}`);
  const str = (key: string, optional = false): string | undefined => {
    const v = raw[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') throw cx.invalid(`${key} must be a string, found ${describe(v)}`, loc, name);
    return v;
  };
  const strings = (key: string): string[] => {
    const v = raw[key] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw cx.invalid(`${key} must be an array of strings`, loc, name);
    return v as string[];
  };
  const version = str('version')!;
  const app = str('otp_app', true) ?? name;
  const requires = strings('requirements');
  const base = { app, direct: false, dependencies: [] as string[], location: cx.where(loc) };
  const source = str('source')!;
  switch (source) {
    case 'hex': {
      const outer = str('outer_checksum')!;
      const outerChecksum = checkSha256(outer, () =>
        cx.invalid(`outer_checksum must be 64 hexadecimal digits (SHA-256), found ${JSON.stringify(outer)}`, loc, name),
      );
      return {
        pkg: { ...base, source: 'hex', name, version, repository: 'hexpm', outerChecksum, innerChecksum: null, buildTools: strings('build_tools') },
        requires,
      };
    }
    case 'git': {
      const path = str('path', true);
      return {
        pkg: { ...base, source: 'git', url: str('repo')!, rev: str('commit')!, ...(path !== undefined ? { subdir: path } : {}) },
        requires,
      };
    }
    case 'local':
      return { pkg: { ...base, source: 'path', path: str('path')!, version }, requires };
    default:
      throw cx.invalid(`unknown package source ${JSON.stringify(source)} (expected hex, git or local)`, loc, name);
  }
}

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'a table' : `${typeof v} ${JSON.stringify(v)}`;
}

type Locate = (needle: string) => TermLoc | undefined;

/**
 * TOML parsers do not report where values sit; Gleam writes one package per
 * line, so the first occurrence of the package's `name = "..."` is where a
 * reader should look. Only used to point error messages at a line.
 *
 * Every `name = "..."` is indexed in one pass and lines are found by binary
 * search, so locating all n packages costs O(text) once, not O(text) each.
 */
function textLocator(text: string): Locate {
  let lineStarts: number[] | undefined;
  let names: Map<string, number> | undefined;
  const at = (idx: number): TermLoc => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lineStarts.push(k + 1);
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= idx) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: Array.from(text.slice(lineStarts[lo]!, idx)).length + 1 };
  };
  return (needle) => {
    let idx: number | undefined;
    if (needle.startsWith('name = "')) {
      if (!names) {
        names = new Map();
        for (const m of text.matchAll(/name = "(?:[^"\\\n]|\\.)*"/g)) if (!names.has(m[0])) names.set(m[0], m.index);
      }
      idx = names.get(needle);
      // a name with escapes is spelt differently in the text: fall back to a search
      if (idx === undefined && /[\\"]/.test(needle.slice(8, -1))) idx = text.indexOf(needle);
    } else idx = text.indexOf(needle);
    return idx === undefined || idx < 0 ? undefined : at(idx);
  };
}
