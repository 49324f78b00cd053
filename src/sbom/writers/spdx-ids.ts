/**
 * Identifiers and small value mappings shared by the two SPDX writers.
 */
import { hash } from 'node:crypto';
import type { Component, ComponentType, Party } from '../model.js';
import { isSpdxExpression } from './licenses.js';
import type { CanonicalGraph } from './canonical.js';

/** `https://spdx.org/spdxdocs/<name>-<uuid>`: the pattern the SPDX spec suggests; it need not resolve. */
export function documentNamespace(cg: CanonicalGraph): string {
  const slug = cg.graph.metadata.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'sbom';
  return `https://spdx.org/spdxdocs/${slug}-${cg.uuid}`;
}

const shortHash = (s: string): string => hash('sha256', s, 'hex').slice(0, 10);

/**
 * Map graph ids to identifiers a format accepts (`[A-Za-z0-9.-]+` for SPDX 2
 * SPDXIDs), keeping them readable and unique. Assigned in the canonical
 * component order, so the mapping is stable.
 */
export function idMap(cg: CanonicalGraph, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const c of cg.components) {
    let id = `${prefix}${c.id.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'component'}`;
    if (used.has(id)) id = `${id}-${shortHash(c.id)}`;
    used.add(id);
    out.set(c.id, id);
  }
  return out;
}

/** SPDX 2 `Organization: name (email)`; the URL stands in for a missing name. */
export function spdx2Party(p: Party | undefined, kind: 'Organization' | 'Person' = 'Organization'): string | undefined {
  if (!p) return undefined;
  const name = p.name ?? p.urls?.[0] ?? p.email;
  if (!name) return undefined;
  // SPDX 2 has no URL field for a party: a URL the CycloneDX writer keeps (supplier.url) follows the name,
  // so the same SBOM carries the same facts (and passes the same checks) in both formats
  const url = p.name !== undefined ? p.urls?.find((u) => !/[()\s]/.test(u)) : undefined;
  return `${kind}: ${name.replace(/[()]/g, '')}${url ? ` ${url}` : ''}${p.email ? ` (${p.email})` : ''}`;
}

/**
 * A licence expression the SPDX formats accept: valid SPDX text as is,
 * anything else as a LicenseRef whose text is recorded separately.
 */
export function spdxLicense(text: string, extracted: Map<string, string>): string {
  if (text === 'NONE' || text === 'NOASSERTION' || isSpdxExpression(text)) return text;
  const ref = `LicenseRef-beambake-${text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}-${shortHash(text).slice(0, 6)}`;
  extracted.set(ref, text);
  return ref;
}

export function spdx2Purpose(t: ComponentType): string {
  switch (t) {
    case 'operating-system':
      return 'OPERATING_SYSTEM';
    case 'platform':
      return 'FRAMEWORK';
    case 'data':
      return 'FILE';
    default:
      return t.toUpperCase();
  }
}

/** SPDX 3 software_primaryPurpose vocabulary. */
export function spdx3Purpose(t: ComponentType): string {
  switch (t) {
    case 'operating-system':
      return 'operatingSystem';
    case 'platform':
      return 'framework';
    case 'data':
      return 'data';
    default:
      return t;
  }
}

export function spdx2Algorithm(alg: string): string {
  return alg.replace(/^SHA-(\d+)$/, 'SHA$1').replace(/^SHA3-/, 'SHA3-');
}

export function spdx3Algorithm(alg: string): string {
  const m: Record<string, string> = {
    MD5: 'md5',
    'SHA-1': 'sha1',
    'SHA-256': 'sha256',
    'SHA-384': 'sha384',
    'SHA-512': 'sha512',
    'SHA3-256': 'sha3_256',
    'SHA3-512': 'sha3_512',
    'BLAKE2b-256': 'blake2b256',
    BLAKE3: 'blake3',
  };
  return m[alg] ?? 'other';
}

export function homepage(c: Component): string | undefined {
  return c.externalRefs.find((r) => r.type === 'website')?.url;
}

export function distributionUrl(c: Component): string | undefined {
  return c.externalRefs.find((r) => r.type === 'distribution')?.url;
}
