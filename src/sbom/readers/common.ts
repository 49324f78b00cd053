/** Small normalisations every reader shares, so the same fact reads the same from any format. */
import type { Component, Hash, HashAlgorithm, Party, ComponentType } from '../model.js';
import { appended } from '../../util/small-array.js';

const HASH_NAMES: Record<string, HashAlgorithm> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  'sha-1': 'SHA-1',
  sha256: 'SHA-256',
  'sha-256': 'SHA-256',
  sha384: 'SHA-384',
  'sha-384': 'SHA-384',
  sha512: 'SHA-512',
  'sha-512': 'SHA-512',
  'sha3-256': 'SHA3-256',
  'sha3-512': 'SHA3-512',
  'blake2b-256': 'BLAKE2b-256',
  blake2b256: 'BLAKE2b-256',
  blake3: 'BLAKE3',
};

/** Hash from any spelling (SPDX 2 `SHA256`, SPDX 3 `sha256`, CycloneDX `SHA-256`); undefined for unknown algorithms. */
export function normHash(alg: unknown, value: unknown): Hash | undefined {
  if (typeof alg !== 'string' || typeof value !== 'string') return undefined;
  const a = HASH_NAMES[alg.toLowerCase()];
  const v = value.trim().toLowerCase();
  if (!a || !/^[0-9a-f]+$/.test(v)) return undefined;
  return { alg: a, value: v };
}

/** `list` with `h` added unless it holds it already (see appended: assign the result back). */
export function withHash(list: Hash[], h: Hash | undefined): Hash[] {
  return h && !list.some((x) => x.alg === h.alg && x.value === h.value) ? appended(list, h) : list;
}

/** SPDX "no information" values. */
export function spdxValue(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (t === '' || t === 'NOASSERTION' || t === 'NONE') return undefined;
  return t;
}

/**
 * A licence expression from an SPDX 2 document of a multi-document set:
 * `DocumentRef-recipe-x:LicenseRef-y` becomes `LicenseRef-y`, since the merged
 * output is one document.
 */
export function licenseExpr(v: unknown): string | undefined {
  const t = spdxValue(v);
  return t?.replace(/DocumentRef-[A-Za-z0-9.+-]+:(LicenseRef-)/g, '$1');
}

/** SPDX 2 `Organization: Name (email)` / `Person: ...` / `Tool: ...` into a party. */
export function parseSpdxParty(v: unknown): (Party & { kind?: string }) | undefined {
  const t = spdxValue(v);
  if (!t) return undefined;
  const m = /^(Organization|Person|Tool)\s*:\s*(.*?)\s*(?:\(([^()]*)\))?\s*$/.exec(t);
  if (!m) return { name: t };
  let name = m[2]!.trim();
  const email = m[3]?.trim();
  // beambake (and some other tools) write a party's URL after its name: `Organization: ACME https://acme.example (mail)`
  const url = /\s(https?:\/\/\S+)$/.exec(name)?.[1];
  if (url) name = name.slice(0, -url.length).trim();
  if (!name || name === 'N/A') return undefined;
  return { name, ...(url ? { urls: [url] } : {}), ...(email ? { email } : {}), kind: m[1] };
}

/** Convert a CPE 2.2 URI (`cpe:/a:vendor:product:1.0`) to a 2.3 formatted string; 2.3 strings pass through lowercased. */
export function normCpe(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (t.startsWith('cpe:2.3:')) {
    const parts = t.split(':');
    if (parts.length < 13) return undefined;
    return t;
  }
  const m = /^cpe:\/([aho]?)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/.exec(t);
  if (!m) return undefined;
  const f = (x: string | undefined) => (x === undefined || x === '' ? '*' : decodeURIComponent(x).replace(/:/g, '\\:'));
  return ['cpe', '2.3', m[1] || '*', f(m[2]), f(m[3]), f(m[4]), f(m[5]), f(m[6]), f(m[7]), '*', '*', '*', '*'].join(':');
}

/** vendor, product, version of a 2.3 CPE (lowercase), for identity matching. */
export function cpeParts(cpe: string): { vendor: string; product: string; version: string } | undefined {
  const p = cpe.split(/(?<!\\):/);
  if (p.length < 13 || p[0] !== 'cpe' || p[1] !== '2.3') return undefined;
  return { vendor: p[3]!.toLowerCase(), product: p[4]!.toLowerCase(), version: p[5]!.toLowerCase() };
}

const PURPOSES: Record<string, ComponentType> = {
  application: 'application',
  framework: 'framework',
  library: 'library',
  container: 'container',
  'operating-system': 'operating-system',
  operatingsystem: 'operating-system',
  operating_system: 'operating-system',
  device: 'device',
  firmware: 'firmware',
  file: 'file',
  data: 'data',
  platform: 'platform',
};

/** SPDX 2 primaryPackagePurpose / SPDX 3 software_primaryPurpose / CycloneDX type to the model's type. */
export function componentType(v: unknown, fallback: ComponentType = 'library'): ComponentType {
  if (typeof v !== 'string') return fallback;
  return PURPOSES[v.toLowerCase().replace(/_/g, '-')] ?? PURPOSES[v.toLowerCase()] ?? fallback;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Yocto writes fixed CVEs into SPDX 2 `sourceInfo` as "CVEs fixed: CVE-a CVE-b". */
export function cvesFixed(sourceInfo: string | undefined): string[] {
  if (!sourceInfo) return [];
  const m = /CVEs fixed:\s*([^\n]*)/i.exec(sourceInfo);
  if (!m) return [];
  return [...new Set(m[1]!.split(/[\s,]+/).filter((c) => /^CVE-\d{4}-\d+$/i.test(c)).map((c) => c.toUpperCase()))].sort();
}

export const PROP_CVES_FIXED = 'yocto:cves-fixed';
export const PROP_FOLDED_FILES = 'beambake:folded-files';
export const PROP_UNRESOLVED = 'beambake:unresolved-reference';

/**
 * A reader's record of an element id: the component read for it, if any, and that component's
 * position once the components are sorted (-1 until then, or for an id no component has).
 */
export interface Positioned {
  component: Component | undefined;
  index: number;
}

/**
 * The components of an input in id order, each owner told its position, and the two ends of every
 * edge as positions in that order (InputSbom.edgeEnds): `owners` hold the components (sorted here,
 * in place), `ends` the records at the source and target of each edge, in edge order.
 */
export function componentsInIdOrder(owners: Positioned[], ends: readonly Positioned[]): { components: Component[]; edgeEnds: Int32Array } {
  owners.sort((a, b) => {
    const x = a.component!.id;
    const y = b.component!.id;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const components: Component[] = new Array(owners.length);
  for (let k = 0; k < owners.length; k++) {
    components[k] = owners[k]!.component!;
    owners[k]!.index = k;
  }
  const edgeEnds = new Int32Array(ends.length);
  for (let j = 0; j < ends.length; j++) edgeEnds[j] = ends[j]!.index;
  return { components, edgeEnds };
}
