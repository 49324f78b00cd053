/**
 * OSV affected-range evaluation, as the OSV schema describes it: events
 * sorted by version, `introduced` opens a range (`0` is before every version),
 * `fixed` closes it at that version, `last_affected` closes it after that
 * version, and `limit` bounds the whole range from above. Hex versions are
 * SemVer 2.0, so SEMVER and the Hex ECOSYSTEM compare with the `semver`
 * package.
 */
import semver from 'semver';
import type { OsvAffected, OsvRange } from './osv.js';

/** Outcome for one version against one affected entry. */
export type RangeVerdict =
  | { kind: 'affected'; fixed?: string }
  /** The version is past a fix of a range it was in. */
  | { kind: 'fixed'; fixed: string }
  /** The record does not cover this version. */
  | { kind: 'none' }
  /** The record cannot be evaluated for this version (a version that is not SemVer). */
  | { kind: 'unknown'; reason: string };

const parsed = new Map<string, semver.SemVer | null>();

function sv(v: string): semver.SemVer | null {
  let p = parsed.get(v);
  if (p === undefined) {
    p = semver.parse(v);
    parsed.set(v, p);
  }
  return p;
}

function cmp(a: semver.SemVer, b: semver.SemVer): number {
  return a.compare(b);
}

interface Ev {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  /** undefined: version "0" (before everything). */
  at: semver.SemVer | undefined;
  raw: string;
}

function events(range: OsvRange): Ev[] | string {
  const out: Ev[] = [];
  for (const e of range.events) {
    for (const kind of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
      const raw = e[kind];
      if (raw === undefined) continue;
      if (kind === 'introduced' && raw === '0') {
        out.push({ kind, at: undefined, raw });
        continue;
      }
      const at = sv(raw);
      if (!at) return `range event ${kind} "${raw}" is not a SemVer version`;
      out.push({ kind, at, raw });
    }
  }
  return out.sort((a, b) => (a.at === undefined ? (b.at === undefined ? 0 : -1) : b.at === undefined ? 1 : cmp(a.at, b.at)));
}

/** One SEMVER/ECOSYSTEM range. */
export function evalRange(version: semver.SemVer, range: OsvRange): RangeVerdict {
  const evs = events(range);
  if (typeof evs === 'string') return { kind: 'unknown', reason: evs };
  const limits = evs.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((l) => cmp(version, l.at!) < 0)) return { kind: 'none' };
  let affected = false;
  let closedBy: string | undefined;
  for (const e of evs) {
    if (e.kind === 'introduced') {
      if (e.at === undefined || cmp(version, e.at) >= 0) {
        affected = true;
        closedBy = undefined;
      }
    } else if (e.kind === 'fixed') {
      if (affected && cmp(version, e.at!) >= 0) {
        affected = false;
        closedBy = e.raw;
      }
    } else if (e.kind === 'last_affected') {
      if (affected && cmp(version, e.at!) > 0) {
        affected = false;
        closedBy = e.raw;
      }
    }
  }
  if (affected) {
    // the fix to upgrade to: the first fixed event above the version
    const fix = evs.find((e) => e.kind === 'fixed' && cmp(e.at!, version) > 0);
    return fix ? { kind: 'affected', fixed: fix.raw } : { kind: 'affected' };
  }
  if (closedBy !== undefined) {
    const fix = evs.filter((e) => e.kind === 'fixed' && cmp(e.at!, version) <= 0).pop();
    return { kind: 'fixed', fixed: fix?.raw ?? closedBy };
  }
  return { kind: 'none' };
}

/** An affected entry (all its version ranges and its `versions` list) for a Hex version. */
export function evalAffected(version: string, affected: OsvAffected): RangeVerdict {
  if (affected.versions?.includes(version)) {
    const v = sv(version);
    // still look for the fix version in the ranges
    if (v) for (const r of affected.ranges ?? []) if (r.type !== 'GIT') {
      const x = evalRange(v, r);
      if (x.kind === 'affected') return x;
    }
    return { kind: 'affected' };
  }
  const ranges = (affected.ranges ?? []).filter((r) => r.type === 'SEMVER' || r.type === 'ECOSYSTEM');
  if (ranges.length === 0) return { kind: 'none' };
  const v = sv(version);
  if (!v) return { kind: 'unknown', reason: `version "${version}" is not SemVer, so the record's ranges cannot be compared with it` };
  let result: RangeVerdict = { kind: 'none' };
  for (const r of ranges) {
    const x = evalRange(v, r);
    result = stronger(result, x);
  }
  return result;
}

const RANK: Record<RangeVerdict['kind'], number> = { none: 0, fixed: 1, unknown: 2, affected: 3 };

/** The verdict that wins when several ranges or records speak about one version. */
export function stronger(a: RangeVerdict, b: RangeVerdict): RangeVerdict {
  if (RANK[b.kind] > RANK[a.kind]) return b;
  // across records of one vulnerability, the fix that satisfies all of them is the highest
  if (a.kind === 'affected' && b.kind === 'affected' && b.fixed && (!a.fixed || semverGreater(b.fixed, a.fixed))) return b;
  if (a.kind === 'fixed' && b.kind === 'fixed' && semverGreater(b.fixed, a.fixed)) return b;
  return a;
}

/** True when a > b (both SemVer; otherwise a string comparison keeps the result deterministic). */
export function semverGreater(a: string, b: string): boolean {
  const x = sv(a);
  const y = sv(b);
  if (x && y) return cmp(x, y) > 0;
  return a > b;
}

/** GIT ranges answered from the record's own data only: a locked commit named by an event, or a tag in `versions`. */
export function evalGit(rev: string, tag: string | undefined, range: OsvRange, versions: string[] | undefined): RangeVerdict {
  const r = rev.toLowerCase();
  const fixes = range.events.map((e) => e.fixed).filter((x): x is string => x !== undefined);
  if (fixes.some((f) => f.toLowerCase() === r)) return { kind: 'fixed', fixed: r };
  const introduced = range.events.map((e) => e.introduced).filter((x): x is string => x !== undefined);
  const lastAffected = range.events.map((e) => e.last_affected).filter((x): x is string => x !== undefined);
  if (introduced.some((i) => i.toLowerCase() === r) || lastAffected.some((l) => l.toLowerCase() === r)) return { kind: 'affected' };
  if (tag !== undefined && versions?.includes(tag)) return { kind: 'affected' };
  // introduced at the beginning of history, never fixed and never bounded: every commit is affected
  if (introduced.includes('0') && fixes.length === 0 && lastAffected.length === 0 && !range.events.some((e) => e.limit !== undefined)) {
    return { kind: 'affected' };
  }
  return {
    kind: 'unknown',
    reason: `commit ${rev.slice(0, 12)} is not named by the record's GIT range; whether it lies between ${introduced.map((i) => i.slice(0, 12)).join(', ') || 'the start'} and ${fixes.map((f) => f.slice(0, 12)).join(', ') || 'the end'} needs the repository history`,
  };
}
