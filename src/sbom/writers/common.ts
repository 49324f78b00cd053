/**
 * What every SBOM writer shares: a canonical (sorted, checked) view of the
 * graph, content-derived identifiers and the document timestamp. Writers never
 * read the clock or iterate a Map in insertion order: byte-identical output for
 * identical graphs is the contract.
 */
import { createHash } from 'node:crypto';
import { packageVersion } from '../../util/package.js';
import type { Component, Composition, EdgeType, SbomGraph } from '../model.js';
import type { CanonicalGraph } from './canonical.js';

export const TOOL_NAME = 'beambake';

/** beambake's version as the SBOM names its tool: the graph's own statement, else this package's version. */
export function toolVersion(graph: SbomGraph): string {
  return graph.metadata.tools.find((t) => t.name === TOOL_NAME)?.version ?? packageVersion();
}

/** Code-point order, independent of locale (localeCompare would vary by ICU data). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so hashing does not depend on construction order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort(cmp)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** RFC 4122 name-based UUID (version 5 layout) from a SHA-1 digest. */
export function uuidV5FromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidV5(name: string): string {
  return uuidV5FromDigest(createHash('sha1').update(name).digest());
}

/** The document timestamp, or the Unix epoch for formats that require one (SPDX) when none was given. */
export function requiredTimestamp(graph: SbomGraph): string {
  return graph.metadata.timestamp ?? '1970-01-01T00:00:00Z';
}

/** Edge types that mean "from needs to" in formats with a single dependency notion. */
export const DEPENDENCY_EDGES: ReadonlySet<EdgeType> = new Set(['DEPENDS_ON', 'BUILD_DEPENDS_ON', 'DEV_DEPENDS_ON', 'OPTIONAL_DEPENDS_ON']);

/**
 * Edges along which the device reaches a component, in every output format
 * (CycloneDX dependsOn, SPDX contains/dependsOn/generates): `OTHER` edges
 * are kept but say nothing about being part of the device.
 */
export const REACHING_EDGES: ReadonlySet<EdgeType> = new Set(['DEPENDS_ON', 'BUILD_DEPENDS_ON', 'DEV_DEPENDS_ON', 'OPTIONAL_DEPENDS_ON', 'CONTAINS', 'GENERATED_FROM']);

/** Per component id: the aggregate of the composition that covers it, if any. */
export function completenessById(cg: CanonicalGraph): Map<string, Composition['aggregate']> {
  const out = new Map<string, Composition['aggregate']>();
  for (const c of cg.compositions) for (const id of c.assemblies) if (!out.has(id)) out.set(id, c.aggregate);
  return out;
}

export function componentProperty(c: Component, name: string): string | undefined {
  return c.properties.find((p) => p.name === name)?.value;
}

/** Properties sorted by name then value (the formats treat them as a bag). */
export function sortedProperties(c: Component): { name: string; value: string }[] {
  return [...c.properties].sort((a, b) => cmp(a.name, b.name) || cmp(a.value, b.value));
}

const BATCH_OPEN = '{\n  "a": [\n';
const BATCH_CLOSE = '\n  ]\n}';

/**
 * Array items as they appear two levels deep in a document pretty-printed
 * with two spaces ("    {...},\n    {...}"), a batch of items per string, each
 * batch after the first starting with the ",\n" that separates it from the
 * one before: one JSON.stringify per batch does what a stringify and a
 * re-indent did per item.
 */
export function* itemsAtDepth2(items: Iterable<unknown>, batchSize = 256): Generator<string> {
  let batch: unknown[] = [];
  let separator = '';
  const text = (): string => {
    const t = JSON.stringify({ a: batch }, null, 2);
    batch = [];
    const out = separator + t.slice(BATCH_OPEN.length, t.length - BATCH_CLOSE.length);
    separator = ',\n';
    return out;
  };
  for (const x of items) {
    batch.push(x);
    if (batch.length >= batchSize) yield text();
  }
  if (batch.length > 0) yield text();
}

/** Indent every line of a JSON fragment (for streaming pretty output equal to JSON.stringify(x, null, 2)). */
export function indentJson(value: unknown, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${pad}`);
}

/** Drop undefined and empty-array members so output has no noise keys. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  // for...in, not Object.entries: no array of pairs per call (the objects are literals: no inherited keys)
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as T;
}
