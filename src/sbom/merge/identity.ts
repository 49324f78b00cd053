/**
 * Which components of different inputs are the same thing (BSI TR-03183-2
 * §5.1): the same package URL with a version, or the same CPE *and* the same
 * name and type, with hashes that do not contradict. An unversioned purl
 * (OTP applications) only matches with the same OTP release. Yocto's
 * `-native`, `-cross-*` and `nativesdk-` builds never match a target build. A match is only taken when it is unique; components that match
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

/**
 * Which build of a Yocto recipe a name denotes: `-native`, `-cross-<arch>` /
 * `-crosssdk`, `nativesdk-` and target builds are different components (a
 * host tool must never stand for a target library), even when they share a
 * CPE or a version.
 */
export function buildVariant(name: string): 'native' | 'cross' | 'nativesdk' | 'target' {
  const n = name.toLowerCase();
  if (n.startsWith('nativesdk-')) return 'nativesdk';
  if (/-cross(?:-canadian)?(?:-[a-z0-9_]+)?$|-crosssdk(?:-[a-z0-9_]+)?$/.test(n)) return 'cross';
  if (n.endsWith('-native')) return 'native';
  return 'target';
}

/** The purl without version (and informational qualifiers) when it has no version: OTP apps written without one. */
export function unversionedPurlKey(purl: string | undefined): string | undefined {
  if (!purl) return undefined;
  const m = /^pkg:([^/]+)\/([^?#]+?)(?:\?([^#]*))?(?:#(.*))?$/.exec(purl.trim());
  if (!m) return undefined;
  const path = decodeURIComponent(m[2]!);
  if (path.lastIndexOf('@') > 0) return undefined;
  return `pkg:${m[1]!.toLowerCase()}/${path.toLowerCase()}`;
}

/**
 * A version without a local suffix: Yocto writes `2.39+git` for a recipe
 * whose CPE (and meta-cyclonedx's component) says `2.39`.
 */
export function baseVersion(v: string): string {
  return v.replace(/\+(git|svn|hg|cvs|bzr)[^+]*$/i, '');
}

/** The OTP release a component came with (beambake writes it on OTP applications). */
export function otpRelease(c: Component): string | undefined {
  return c.properties.find((p) => p.name === 'beambake:otp_release' || p.name === 'beambake:otp-release')?.value;
}

export type MatchLevel = 'purl' | 'purl+otp-release' | 'cpe+name';

/** Why two matching components must stay separate, or undefined when they may merge. */
export function conflict(a: Component, b: Component, level: MatchLevel = 'purl'): string | undefined {
  const va0 = buildVariant(a.name);
  const vb0 = buildVariant(b.name);
  if (va0 !== vb0) return `${a.name} is a ${va0} build, ${b.name} a ${vb0} build`;
  if (level === 'cpe+name') {
    if (a.name.toLowerCase() !== b.name.toLowerCase()) return `name ${a.name} vs ${b.name}`;
    if (a.type !== b.type) return `type ${a.type} vs ${b.type}`;
  }
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
  /** Position in the list groupComponents returns. */
  index: number;
  /** The input of the first member. */
  firstInput: number;
  /** Members in input order; the first one's facts win where facts disagree. */
  members: Component[];
  /**
   * The input of the newest member. Inputs are grouped one after the other, so a group holds a
   * component of the input being grouped exactly when this is that input (no set per group).
   */
  lastInput: number;
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
export function groupComponents(inputs: Component[][]): { groups: Group[]; groupOf: Int32Array[]; decisions: IdentityDecision[] } {
  const groups: Group[] = [];
  /** `groupOf[i][k]`: the group of input i's component k (positions, so the merge can follow them without looking ids up). */
  const groupOf = inputs.map((components) => new Int32Array(components.length));
  const decisions: IdentityDecision[] = [];
  const LEVELS: MatchLevel[] = ['purl', 'purl+otp-release', 'cpe+name'];
  const index: Record<MatchLevel, Map<string, Group[]>> = { purl: new Map(), 'purl+otp-release': new Map(), 'cpe+name': new Map() };
  const unversioned = new Map<string, Group[]>();
  const NONE: string[] = [];
  const keysOf = (c: Component): Record<MatchLevel, string[]> & { unversioned?: string } => {
    // a purl either has a version (purl key) or not (unversioned key), never both
    const versioned = purlKey(c.purl);
    const u = versioned === undefined ? unversionedPurlKey(c.purl) : undefined;
    const rel = u !== undefined ? otpRelease(c) : undefined;
    return {
      purl: versioned !== undefined ? [versioned] : NONE,
      'purl+otp-release': u && rel ? [`${u} (OTP ${rel})`] : NONE,
      'cpe+name': c.cpes.length > 0 ? [...new Set(cpeKeys(c).map((k) => `${k.key} ${c.name.toLowerCase()}`))] : NONE,
      ...(u !== undefined ? { unversioned: u } : {}),
    };
  };
  const label = (c: Component) => `${c.name}${c.version ? ` ${c.version}` : ''} (${c.id})`;

  inputs.forEach((components, inputIndex) => {
    // the first input has nothing to match against; a single input is matched by nothing either, and its
    // components are groups of their own without computing their keys
    const search = inputIndex > 0;
    const register = inputs.length > 1;
    const mine = groupOf[inputIndex]!;
    if (!search && !register) {
      for (let k = 0; k < components.length; k++) {
        mine[k] = groups.length;
        groups.push({ index: groups.length, firstInput: inputIndex, members: [components[k]!], lastInput: inputIndex });
      }
      return;
    }
    components.forEach((c, k) => {
      const keys = keysOf(c);
      let chosen: Group | undefined;
      search: for (const level of search ? LEVELS : []) {
        for (const key of keys[level]) {
          const all = index[level].get(key) ?? [];
          let cands = all.filter((g) => g.lastInput !== inputIndex);
          if (cands.length === 0) {
            if (all.length > 0) {
              // recorded when the group that took another component of this input holds a component of another
              // input: duplicates inside one input are that input's own statement, not a merge decision
              if (all.some((g) => g.firstInput !== inputIndex)) {
                decisions.push({ kind: 'separate', level, key, component: label(c), other: all.map((g) => label(g.members[0]!)).join(' | '), reason: 'that component already stands for another component of the same input' });
              }
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
          const why = conflict(g.members[0]!, c, level);
          if (why) {
            decisions.push({ kind: 'separate', level, key, component: label(c), other: label(g.members[0]!), reason: `${why} (differing meta-information, BSI TR-03183-2 §5.1)` });
            break search;
          }
          decisions.push({ kind: 'merged', level, key, component: label(c), other: label(g.members[0]!) });
          chosen = g;
          break search;
        }
      }
      const u = keys.unversioned;
      if (search && !chosen && u) {
        const others = (unversioned.get(u) ?? []).filter((g) => g.lastInput !== inputIndex);
        if (others.length > 0) {
          const release = otpRelease(c);
          decisions.push({
            kind: 'separate',
            level: 'purl+otp-release',
            key: u,
            component: label(c),
            other: others.map((g) => label(g.members[0]!)).join(' | '),
            reason: `the purl has no version and the OTP releases differ or are unknown (${release ?? 'unknown'} vs ${others.map((g) => otpRelease(g.members[0]!) ?? 'unknown').join('/')}): the same application name from different OTP releases is not the same component`,
          });
        }
      }
      if (!chosen) {
        chosen = { index: groups.length, firstInput: inputIndex, members: [], lastInput: inputIndex };
        groups.push(chosen);
      }
      chosen.members.push(c);
      chosen.lastInput = inputIndex;
      mine[k] = chosen.index;
      if (u) {
        const list = unversioned.get(u);
        if (!list) unversioned.set(u, [chosen]);
        else if (!list.includes(chosen)) list.push(chosen);
      }
      for (const level of LEVELS) {
        for (const key of keys[level]) {
          const list = index[level].get(key);
          if (!list) index[level].set(key, [chosen]);
          else if (!list.includes(chosen)) list.push(chosen);
        }
      }
    });
  });
  return { groups, groupOf, decisions };
}
