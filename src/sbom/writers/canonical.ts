/**
 * The canonical (sorted, checked) view of a graph every writer maps from:
 * components by id with the root first, edges by (source, type, target,
 * original type) without duplicates, each component's outgoing edges beside
 * it, and a content-derived serial number. A graph is canonicalized once per
 * document; the merge, which builds its graph in this order anyway, hands its
 * view over (`adoptCanonical`) instead of having it rebuilt.
 */
import { createHash } from 'node:crypto';
import { BeambakeError } from '../../util/errors.js';
import type { Component, Composition, Edge, SbomGraph } from '../model.js';
import { cmp, stableJson, uuidV5FromDigest } from './common.js';

export interface CanonicalGraph {
  graph: SbomGraph;
  /** Root first, then every other component sorted by id. */
  components: readonly Component[];
  root?: Component;
  /** Component by id (made on first use: most documents never ask). */
  readonly byId: ReadonlyMap<string, Component>;
  /** Edges sorted by (from, type, to, original type), duplicates removed. */
  edges: readonly Edge[];
  /** `outgoing[i]`: the edges from `components[i]`, in `edges` order (positions, not a map: a large graph asks once per component). */
  outgoing: readonly (readonly Edge[])[];
  compositions: Composition[];
  /** Stable UUID derived from the graph content (or the graph's own serial number). */
  uuid: string;
}

const NO_EDGES: readonly Edge[] = Object.freeze([]);

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

/** Canonical views the merge built with its graph (the graph is frozen then: the view cannot go stale). */
const adopted = new WeakMap<SbomGraph, CanonicalGraph>();

/**
 * Sort and check the graph once so each writer only maps fields. Throws when an
 * edge or composition names a component that is not in the graph: such an
 * SBOM would be silently wrong in every format.
 */
export function canonicalize(graph: SbomGraph): CanonicalGraph {
  return adopted.get(graph) ?? canonicalizeAnew(graph);
}

/** canonicalize() without the views the merge handed over (the tests compare the two). */
export function canonicalizeAnew(graph: SbomGraph): CanonicalGraph {
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
  const bySource = new Map<string, Edge[]>();
  let list: Edge[] = [];
  let prev: Edge | undefined;
  for (const e of sortEdges(graph.edges)) {
    if (prev && prev.from === e.from && prev.type === e.type && prev.to === e.to && (prev.originalType ?? '') === (e.originalType ?? '')) continue;
    if (!prev || prev.from !== e.from) bySource.set(e.from, (list = []));
    list.push(e);
    edges.push(e);
    prev = e;
  }
  const outgoing = components.map((c) => bySource.get(c.id) ?? NO_EDGES);
  const compositions = canonicalCompositions(graph.compositions, (id) => byId.has(id));
  const uuid = serialUuid(graph, components, edges, compositions);
  return { graph, components, ...(root ? { root } : {}), byId, edges, outgoing, compositions, uuid };
}

/**
 * The merge's own canonical view of the graph it built: `graph.components`
 * sorted by id, `outgoingSorted[i]` the deduplicated edges of
 * `graph.components[i]` in canonical order (so `graph.edges` is their
 * concatenation), every edge between components of the graph; `isComponent`
 * answers from the merge's own index. The graph and its lists are
 * frozen, so the view stays true; the tests compare it with canonicalizeAnew().
 */
export function adoptCanonical(graph: SbomGraph, outgoingSorted: readonly (readonly Edge[])[], isComponent: (id: string) => boolean): void {
  const r = graph.metadata.root !== undefined ? graph.components.findIndex((c) => c.id === graph.metadata.root) : -1;
  if (graph.metadata.root !== undefined && r < 0) throw new Error(`internal: merge root ${graph.metadata.root} is not a component`);
  const root = r >= 0 ? graph.components[r] : undefined;
  // the root's entry moved to the front of a list in component order
  const rootFirst = <T>(xs: readonly T[]): T[] => (r >= 0 ? [xs[r]!, ...xs.slice(0, r), ...xs.slice(r + 1)] : xs.slice());
  const components = rootFirst(graph.components);
  const outgoing = rootFirst(outgoingSorted).map((l) => (l.length === 0 ? NO_EDGES : l));
  let byId: Map<string, Component> | undefined;
  const cg: CanonicalGraph = {
    graph,
    components,
    ...(root ? { root } : {}),
    get byId() {
      return (byId ??= new Map(components.map((c) => [c.id, c])));
    },
    edges: graph.edges,
    outgoing,
    compositions: [],
    uuid: '',
  };
  cg.compositions = canonicalCompositions(graph.compositions, isComponent);
  cg.uuid = serialUuid(graph, components, graph.edges, cg.compositions);
  Object.freeze(graph.components);
  Object.freeze(graph.edges);
  Object.freeze(graph);
  adopted.set(graph, cg);
}

function canonicalCompositions(list: Composition[], has: (id: string) => boolean): Composition[] {
  return list
    .map((c) => {
      for (const id of c.assemblies) {
        if (!has(id)) {
          throw new BeambakeError('SBOM_GRAPH_INVALID', `a "${c.aggregate}" composition names "${id}", which is not a component`, { entry: id });
        }
      }
      return { aggregate: c.aggregate, assemblies: [...new Set(c.assemblies)].sort(cmp) };
    })
    .filter((c) => c.assemblies.length > 0)
    .sort((a, b) => cmp(a.aggregate, b.aggregate) || cmp(a.assemblies.join('\n'), b.assemblies.join('\n')));
}

function serialUuid(graph: SbomGraph, components: readonly Component[], edges: readonly Edge[], compositions: Composition[]): string {
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
