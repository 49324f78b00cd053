/**
 * What every SBOM writer shares: a canonical (sorted, checked) view of the
 * graph, content-derived identifiers and the document timestamp. Writers never
 * read the clock or iterate a Map in insertion order: byte-identical output for
 * identical graphs is the contract.
 */
import { createHash } from 'node:crypto';
import { BeambakeError } from '../../util/errors.js';
import { packageVersion } from '../../util/package.js';
import type { Component, Composition, Edge, EdgeType, SbomGraph } from '../model.js';

export const TOOL_NAME = 'beambake';

/** beambake's version as the SBOM names its tool: the graph's own statement, else this package's version. */
export function toolVersion(graph: SbomGraph): string {
  return graph.metadata.tools.find((t) => t.name === TOOL_NAME)?.version ?? packageVersion();
}

/** Code-point order, independent of locale (localeCompare would vary by ICU data). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CanonicalGraph {
  graph: SbomGraph;
  /** Root first, then every other component sorted by id. */
  components: Component[];
  root?: Component;
  byId: Map<string, Component>;
  /** Edges sorted by (from, type, to), duplicates removed. */
  edges: Edge[];
  /** Outgoing edges per component id, in `edges` order. */
  outgoing: Map<string, Edge[]>;
  compositions: Composition[];
  /** Stable UUID derived from the graph content (or the graph's own serial number). */
  uuid: string;
}

/** Edges of one source in canonical order: type, target, original type. */
export const byTypeThenTarget = (a: Edge, b: Edge): number => cmp(a.type, b.type) || cmp(a.to, b.to) || cmp(a.originalType ?? '', b.originalType ?? '');

/**
 * Edges in canonical order: by source, type, target, original type. Grouped by
 * source first, so a large graph sorts many short lists and one list of
 * distinct sources instead of every edge against every other.
 */
export function sortEdges(edges: readonly Edge[]): Edge[] {
  // a merged graph arrives sorted already: one linear check instead of a second sort
  let sorted = true;
  for (let i = 1; i < edges.length && sorted; i++) {
    const a = edges[i - 1]!;
    const b = edges[i]!;
    sorted = a.from < b.from || (a.from === b.from && byTypeThenTarget(a, b) <= 0);
  }
  if (sorted) return edges.slice();
  const bySource = new Map<string, Edge[]>();
  for (const e of edges) {
    const l = bySource.get(e.from);
    if (l) l.push(e);
    else bySource.set(e.from, [e]);
  }
  const sources = [...bySource.keys()].sort(cmp);
  const out: Edge[] = [];
  for (const s of sources) {
    const l = bySource.get(s)!;
    if (l.length > 1) l.sort(byTypeThenTarget);
    for (const e of l) out.push(e);
  }
  return out;
}

/**
 * Sort and check the graph once so each writer only maps fields. Throws when an
 * edge or composition names a component that is not in the graph: such an
 * SBOM would be silently wrong in every format.
 */
export function canonicalize(graph: SbomGraph): CanonicalGraph {
  const byId = new Map<string, Component>();
  for (const c of graph.components) {
    if (byId.has(c.id)) {
      throw new BeambakeError('SBOM_GRAPH_INVALID', `component id "${c.id}" appears twice`, { entry: c.id });
    }
    byId.set(c.id, c);
  }
  const rootId = graph.metadata.root;
  const root = rootId !== undefined ? byId.get(rootId) : undefined;
  if (rootId !== undefined && !root) {
    throw new BeambakeError('SBOM_GRAPH_INVALID', `the root "${rootId}" is not a component of the graph`, { entry: rootId });
  }
  // a merged graph arrives sorted: one linear check instead of a copy and a sort
  let inOrder = true;
  for (let i = 1; i < graph.components.length && inOrder; i++) inOrder = graph.components[i - 1]!.id < graph.components[i]!.id;
  const sorted = inOrder ? graph.components.slice() : [...graph.components].sort((a, b) => cmp(a.id, b.id));
  const components = root ? [root, ...sorted.filter((c) => c !== root)] : sorted;

  let checkedFrom: string | undefined;
  for (const e of graph.edges) {
    // edges come grouped by source: each source is looked up once
    const fromKnown = e.from === checkedFrom || byId.has(e.from);
    if (fromKnown) checkedFrom = e.from;
    const missing = !fromKnown ? e.from : !byId.has(e.to) ? e.to : undefined;
    if (missing !== undefined) {
      throw new BeambakeError('SBOM_GRAPH_INVALID', `edge ${e.from} ${e.type} ${e.to} names "${missing}", which is not a component`, { entry: missing });
    }
  }
  // sorted edges put equal ones side by side: a duplicate is the one before it
  const edges: Edge[] = [];
  const outgoing = new Map<string, Edge[]>();
  let list: Edge[] = [];
  let prev: Edge | undefined;
  for (const e of sortEdges(graph.edges)) {
    if (prev && prev.from === e.from && prev.type === e.type && prev.to === e.to && (prev.originalType ?? '') === (e.originalType ?? '')) continue;
    if (!prev || prev.from !== e.from) outgoing.set(e.from, (list = []));
    list.push(e);
    edges.push(e);
    prev = e;
  }

  const compositions = graph.compositions
    .map((c) => {
      for (const id of c.assemblies) {
        if (!byId.has(id)) {
          throw new BeambakeError('SBOM_GRAPH_INVALID', `a "${c.aggregate}" composition names "${id}", which is not a component`, { entry: id });
        }
      }
      return { aggregate: c.aggregate, assemblies: [...new Set(c.assemblies)].sort(cmp) };
    })
    .filter((c) => c.assemblies.length > 0)
    .sort((a, b) => cmp(a.aggregate, b.aggregate) || cmp(a.assemblies.join('\n'), b.assemblies.join('\n')));

  const uuid = serialUuid(graph, components, edges, compositions);
  return { graph, components, root, byId, edges, outgoing, compositions, uuid };
}

function serialUuid(graph: SbomGraph, components: Component[], edges: Edge[], compositions: Composition[]): string {
  const given = graph.metadata.serialNumber?.match(/^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i);
  if (given) return given[1]!.toLowerCase();
  // Content address: the same graph always gets the same serial; any change to
  // a fact (not to input order) gives a new one, as the formats require.
  const h = createHash('sha1');
  const { serialNumber: _ignored, ...meta } = graph.metadata;
  h.update(stableJson(meta));
  // Objects are built by code with a fixed key order, so plain JSON is stable here and far cheaper than
  // stableJson. Hashed in 64 KiB pieces: the digest is that of the whole text, with one call into
  // the hash per piece instead of one per element.
  let text = '';
  const add = (v: unknown): void => {
    text += JSON.stringify(v);
    if (text.length >= 1 << 16) {
      h.update(text);
      text = '';
    }
  };
  for (const c of components) add(c);
  for (const e of edges) add(e);
  for (const c of compositions) add(c);
  h.update(text);
  return uuidV5FromDigest(h.digest());
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
