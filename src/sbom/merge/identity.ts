/**
 * Which components of different inputs are the same thing. Keys are tried
 * in order: package URL, then CPE, then name + version (hashes must not
 * contradict). A match is only taken when it is unique; components that match
 * but differ in meta-information (version, purl, a hash of the same algorithm)
 * stay separate, as BSI TR-03183-2 §5.1 asks. Two components of one input are
 * never merged with each other: the input already says they are different.
 */
import type { Component } from '../model.js';
import { cpeParts } from '../readers/common.js';

/** Qualifiers that describe where a package was found, not which package it is. */
const INFORMATIONAL_QUALIFIERS = new Set(['checksum', 'download_url', 'vcs_url', 'repository_url', 'file_name']);

/** `pkg:type/namespace/name@version` plus identity-relevant qualifiers, or undefined without a version. */
export function purlKey(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  const m = /^pkg:([^/]+)\/([^?#]+?)(?:\?([^#]*))?(?:#(.*))?$/.exec(purl.trim());
  if (!m) return undefined;
  const path = decodeURIComponent(m[2]!);
  const at = path.lastIndexOf('@');
  if (at <= 0) return undefined;
  const quals = (m[3] ?? '')
    .split('&')
    .filter((q) => q && !INFORMATIONAL_QUALIFIERS.has(q.split('=')[0]!.toLowerCase()))
    .map((q) => decodeURIComponent(q).toLowerCase())
    .sort();
  return `pkg:${m[1]!.toLowerCase()}/${path.slice(0, at).toLowerCase()}@${path.slice(at + 1)}${quals.length ? `?${quals.join('&')}` : ''}${m[4] ? `#${m[4]}` : ''}`;
}

/** `product:version` keys of a component's CPEs (only with a concrete version), with the vendor for a compatibility check. */
export function cpeKeys(c: Component): { key: string; vendor: string }[] {
  const out: { key: string; vendor: string }[] = [];
  for (const cpe of c.cpes) {
    const p = cpeParts(cpe);
    if (!p || p.version === '*' || p.version === '-' || p.product === '*') continue;
    out.push({ key: `${p.product}:${p.version}`, vendor: p.vendor });
  }
  return out;
}

export function nameVersionKey(c: Component): string | undefined {
  return c.version ? `${c.name.toLowerCase()}@${c.version}` : undefined;
}

/**
 * A version without a local suffix: Yocto writes `2.39+git` for a recipe
 * whose CPE (and meta-cyclonedx's component) says `2.39`.
 */
export function baseVersion(v: string): string {
  return v.replace(/\+(git|svn|hg|cvs|bzr)[^+]*$/i, '');
}

export type MatchLevel = 'purl' | 'cpe' | 'name+version';

/** Why two matching components must stay separate, or undefined when they may merge. */
export function conflict(a: Component, b: Component): string | undefined {
  if (a.version && b.version && baseVersion(a.version) !== baseVersion(b.version)) return `version ${a.version} vs ${b.version}`;
  const pa = purlKey(a.purl);
  const pb = purlKey(b.purl);
  if (pa && pb && pa !== pb) return `purl ${pa} vs ${pb}`;
  for (const h of a.hashes) {
    const other = b.hashes.find((x) => x.alg === h.alg);
    if (other && other.value !== h.value) return `${h.alg} ${h.value.slice(0, 12)}… vs ${other.value.slice(0, 12)}…`;
  }
  // a CPE product both name is a conflict only when no vendor of one side is a vendor (or wildcard) of the other
  const va = cpeKeys(a);
  const vb = cpeKeys(b);
  for (const key of new Set(va.map((x) => x.key))) {
    const xs = new Set(va.filter((x) => x.key === key).map((x) => x.vendor));
    const ys = new Set(vb.filter((y) => y.key === key).map((y) => y.vendor));
    if (ys.size === 0 || xs.has('*') || ys.has('*')) continue;
    if (![...xs].some((v) => ys.has(v))) return `CPE vendor ${[...xs].join('/')} vs ${[...ys].join('/')}`;
  }
  return undefined;
}

export interface Group {
  /** Members in input order; the first one's facts win where facts disagree. */
  members: Component[];
  inputs: Set<number>;
}

export interface IdentityDecision {
  kind: 'merged' | 'separate' | 'ambiguous';
  level: MatchLevel;
  key: string;
  component: string;
  other: string;
  reason?: string;
}

/** Groups components across inputs; `inputs[i]` is the component list of input i (in processing order). */
export function groupComponents(inputs: Component[][]): { groups: Group[]; decisions: IdentityDecision[]; groupOf: Map<string, Group> } {
  const groups: Group[] = [];
  const decisions: IdentityDecision[] = [];
  const groupOf = new Map<string, Group>();
  const index: Record<MatchLevel, Map<string, Group[]>> = { purl: new Map(), cpe: new Map(), 'name+version': new Map() };
  const keysOf = (c: Component): Record<MatchLevel, string[]> => ({
    purl: [purlKey(c.purl)].filter((k): k is string => !!k),
    cpe: [...new Set(cpeKeys(c).map((k) => k.key))],
    'name+version': [nameVersionKey(c)].filter((k): k is string => !!k),
  });
  const label = (c: Component) => `${c.name}${c.version ? ` ${c.version}` : ''} (${c.id})`;

  inputs.forEach((components, inputIndex) => {
    for (const c of components) {
      const keys = keysOf(c);
      let chosen: Group | undefined;
      search: for (const level of ['purl', 'cpe', 'name+version'] as MatchLevel[]) {
        for (const key of keys[level]) {
          const all = index[level].get(key) ?? [];
          let cands = all.filter((g) => !g.inputs.has(inputIndex));
          if (cands.length === 0) {
            if (all.length > 0) {
              decisions.push({ kind: 'separate', level, key, component: label(c), other: all.map((g) => label(g.members[0]!)).join(' | '), reason: 'that component already stands for another component of the same input' });
              break search;
            }
            continue;
          }
          if (cands.length > 1) {
            const exact = cands.filter((g) => g.members[0]!.name.toLowerCase() === c.name.toLowerCase());
            if (exact.length >= 1) cands = exact;
          }
          if (cands.length > 1) {
            decisions.push({ kind: 'ambiguous', level, key, component: label(c), other: cands.map((g) => label(g.members[0]!)).join(' | '), reason: `${cands.length} candidates, none preferred by name` });
            break search;
          }
          const g = cands[0]!;
          const why = conflict(g.members[0]!, c);
          if (why) {
            decisions.push({ kind: 'separate', level, key, component: label(c), other: label(g.members[0]!), reason: `${why} (differing meta-information, BSI TR-03183-2 §5.1)` });
            break search;
          }
          decisions.push({ kind: 'merged', level, key, component: label(c), other: label(g.members[0]!) });
          chosen = g;
          break search;
        }
      }
      if (!chosen) {
        chosen = { members: [], inputs: new Set() };
        groups.push(chosen);
      }
      chosen.members.push(c);
      chosen.inputs.add(inputIndex);
      groupOf.set(c.id, chosen);
      for (const level of ['purl', 'cpe', 'name+version'] as MatchLevel[]) {
        for (const key of keys[level]) {
          const list = index[level].get(key);
          if (!list) index[level].set(key, [chosen]);
          else if (!list.includes(chosen)) list.push(chosen);
        }
      }
    }
  });
  return { groups, decisions, groupOf };
}
