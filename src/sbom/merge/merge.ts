/**
 * Merge several SBOM inputs into one device SBOM. The device is the root;
 * each input's roots hang under it (CONTAINS). Same components are combined
 * (see identity.ts), every input edge is carried over with remapped ids, and
 * unresolved references become placeholder components so no edge is lost.
 * Every decision is recorded; `checkNoLoss` proves the output accounts for
 * every input component and edge.
 */
import { emptyComponent, type BuildRecord, type Component, type LicenseText, type Composition, type Edge, type Party, type SbomGraph } from '../model.js';
import type { InputSbom, Folded } from '../readers/types.js';
import { PROP_UNRESOLVED } from '../readers/common.js';
import { groupComponents, type IdentityDecision } from './identity.js';
import { combine, union } from './combine.js';
import { idFor, nameOfRef, sha, slug } from './ids.js';
import { checkNoLoss } from './loss.js';
import { mergeVex } from './vex.js';
import { cmp } from '../writers/common.js';
import { adoptCanonical, byTypeThenTarget } from '../writers/canonical.js';
import { addOutEdge, hasOutEdge, outNode, Walks, type InputReach, type OutNode } from './nodes.js';
import { BeambakeError } from '../../util/errors.js';

export interface DeviceInfo {
  product: string;
  productVersion: string;
  manufacturer: string;
  manufacturerUrl?: string;
  contact?: string;
}

export interface MergeOptions extends DeviceInfo {
  /** From SOURCE_DATE_EPOCH; when undefined, the newest input creation time (or none). */
  timestamp?: Date;
  toolVersion?: string;
  /** Warn (a recorded decision) instead of failing when a component is not reachable from the device and no input says why. */
  allowUnreachable?: boolean;
}

export interface Decision {
  kind: 'input' | 'root' | 'merged' | 'separate' | 'ambiguous' | 'fact-conflict' | 'placeholder' | 'resolved' | 'folded' | 'duplicate-edge' | 'note' | 'implied' | 'unreachable' | 'vex';
  text: string;
}

export interface MergeCounts {
  in: { components: number; edges: number };
  out: { components: number; edges: number };
  folded: { components: number; edges: number };
  /** Input components combined into a component of an earlier input. */
  mergedAway: number;
  placeholders: number;
  duplicateEdges: number;
  deviceEdges: number;
  /** Edges added from a format's conventions (CycloneDX top-level components under metadata.component). */
  impliedEdges: number;
  /** Output components reachable from the device over the output's edges, and those that are not. */
  reachable: number;
  unreachable: number;
  /** VEX products resolved to merged components, and those kept as references into BOMs that are not inputs. */
  vexProducts: { resolved: number; external: number };
}

export interface MergeResult {
  /** Frozen (the graph object, its component and edge lists): the writers use the order the merge gave them. */
  graph: SbomGraph;
  decisions: Decision[];
  counts: MergeCounts;
  inputs: ({ file: string; format: string; specVersion: string; key: string; created?: string; components: number; edges: number; folded: Folded[] } & InputReach)[];
}

/** An input edge with its ends remapped (the same key order as the input's edges). */
function remapped(e: Edge, from: string, to: string): Edge {
  const out: Edge = { from, to, type: e.type };
  if (e.originalType) out.originalType = e.originalType;
  return out;
}

function deviceParty(o: DeviceInfo): Party {
  return { name: o.manufacturer, ...(o.manufacturerUrl ? { urls: [o.manufacturerUrl] } : {}), ...(o.contact ? { email: o.contact } : {}) };
}

/** RFC 4122 shape from a hash, so the same inputs give the same serial number. */
function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function mergeSboms(inputsGiven: InputSbom[], opts: MergeOptions): MergeResult {
  // process order comes from content, so the argument order does not change the output
  const inputs = inputsGiven.slice().sort((a, b) => cmp(a.key, b.key) || cmp(a.file, b.file));
  for (let k = 1; k < inputs.length; k++) {
    if (inputs[k]!.key === inputs[k - 1]!.key) {
      throw new BeambakeError('SBOM_DUPLICATE_INPUT', `the same SBOM is given twice (also as ${inputs[k - 1]!.file}; document key ${inputs[k]!.key})`, { file: inputs[k]!.file });
    }
  }
  const decisions: Decision[] = [];
  for (const i of inputs) {
    decisions.push({ kind: 'input', text: `${i.file}: ${i.format} ${i.specVersion}, ${i.counts.components} components, ${i.counts.edges} relationships read; key ${i.key}` });
    for (const n of i.notes) decisions.push({ kind: 'note', text: n });
    for (const f of i.folded) decisions.push({ kind: 'folded', text: `${i.file}: ${f.count} ${f.kind === 'component' ? 'element(s)' : 'relationship(s)'}: ${f.reason} (e.g. ${f.examples.join('; ')})` });
  }

  const { groups, groupOf, decisions: idDecisions } = groupComponents(inputs.map((i) => i.graph.components));
  for (const d of idDecisions) decisions.push(identityText(d));

  // every output node (ids are checked for collisions once they are sorted)
  const nodes: OutNode[] = [];
  const nodeOfGroup: OutNode[] = new Array(groups.length);
  /** The output node of input i's component k. */
  const componentNode = (i: number, k: number): OutNode => nodeOfGroup[groupOf[i]![k]!]!;
  for (const g of groups) {
    const n = outNode(combine(g, idFor(g.members), decisions));
    nodes.push(n);
    nodeOfGroup[g.index] = n;
  }
  // input id -> output node: an input's component is found in its list (see InputIndex); a reference no
  // component has is remembered once it is resolved (by alias, or as a placeholder)
  const inputIndexes = inputs.map((i) => new InputIndex(i.graph.components));
  const resolved = new Map<string, OutNode>();
  const byInputId = (ref: string): OutNode | undefined => {
    const known = resolved.get(ref);
    if (known !== undefined) return known;
    for (let x = 0; x < inputs.length; x++) {
      const k = inputIndexes[x]!.indexOf(ref);
      if (k >= 0) return componentNode(x, k);
    }
    return undefined;
  };
  const placeholderNodes = new Map<string, OutNode>();

  // references to elements no input holds: resolve by alias, else keep as a placeholder component
  const aliases = new Map<string, string>();
  for (const i of inputs) for (const [a, id] of i.aliases) if (!aliases.has(a)) aliases.set(a, id);
  let placeholders = 0;
  const resolveRef = (ref: string, file: string): OutNode => {
    const known = byInputId(ref);
    if (known) return known;
    const viaAlias = aliases.get(ref);
    const aliased = viaAlias ? byInputId(viaAlias) : undefined;
    if (aliased) {
      resolved.set(ref, aliased);
      decisions.push({ kind: 'resolved', text: `${file}: reference ${ref} resolved by alias to ${aliased.c.id}` });
      return aliased;
    }
    const id = `unresolved-${slug(nameOfRef(ref))}-${sha(ref).slice(0, 12)}`;
    let n = placeholderNodes.get(id);
    if (!n) {
      const c = emptyComponent(id, nameOfRef(ref));
      c.properties.push({ name: PROP_UNRESOLVED, value: ref });
      c.sources.push(file);
      placeholderNodes.set(id, (n = outNode(c)));
      nodes.push(n);
      placeholders++;
      decisions.push({ kind: 'placeholder', text: `${file}: ${ref} is referenced but in no input; kept as placeholder ${id} so its edges survive` });
    } else {
      union(n.c.sources, [file], (x) => x);
    }
    resolved.set(ref, n);
    return n;
  };

  let edgeCount = 0;
  let duplicateEdges = 0;
  const addEdge = (from: OutNode, e: Edge, to: OutNode): boolean => {
    if (!addOutEdge(from, e, to)) {
      duplicateEdges++;
      return false;
    }
    edgeCount++;
    return true;
  };
  // the nodes each input edge was linked between (2k: from, 2k + 1: to), for the no-loss check
  const edgeEnds: OutNode[][] = [];
  for (const [ii, i] of inputs.entries()) {
    const ends: OutNode[] = new Array(2 * i.graph.edges.length);
    edgeEnds.push(ends);
    // an end the reader located is followed by position (when the component there still has that id:
    // a caller may have changed the graph since); any other is looked up by id
    const known = i.edgeEnds;
    const components = i.graph.components;
    const nodeAt = (j: number, ref: string): OutNode => {
      const at = known !== undefined && j < known.length ? known[j]! : -1;
      return at >= 0 && at < components.length && components[at]!.id === ref ? componentNode(ii, at) : resolveRef(ref, i.file);
    };
    // readers give a source's edges together: its node is looked up once
    let lastFrom: string | undefined;
    let from: OutNode | undefined;
    for (let k = 0; k < i.graph.edges.length; k++) {
      const e = i.graph.edges[k]!;
      if (e.from !== lastFrom || from === undefined) from = nodeAt(2 * k, (lastFrom = e.from));
      const to = nodeAt(2 * k + 1, e.to);
      ends[2 * k] = from;
      ends[2 * k + 1] = to;
      if (!addEdge(from, remapped(e, from.c.id, to.c.id), to)) {
        decisions.push({ kind: 'duplicate-edge', text: `${i.file}: ${from.c.id} ${e.type} ${to.c.id} is already present (from another input)` });
      }
    }
  }

  let impliedEdges = 0;
  for (const i of inputs) {
    for (const e of i.impliedEdges ?? []) {
      const from = resolveRef(e.from, i.file);
      const to = resolveRef(e.to, i.file);
      if (addEdge(from, remapped(e, from.c.id, to.c.id), to)) {
        impliedEdges++;
        decisions.push({ kind: 'implied', text: `${i.file}: ${from.c.id} ${e.type} ${to.c.id}: ${e.reason}` });
      } else duplicateEdges--; // an implied edge already stated elsewhere is not a dropped input edge
    }
  }

  const party = deviceParty(opts);
  const device = emptyComponent(`device-${slug(opts.product)}-${slug(opts.productVersion, 24)}`, opts.product, 'device');
  device.version = opts.productVersion;
  device.supplier = party;
  device.sources.push('beambake sbom merge');
  // the inputs' own creation times are facts about their parts of the device
  for (const i of inputs) if (i.graph.metadata.timestamp) device.properties.push({ name: 'beambake:input-created', value: `${i.graph.metadata.timestamp} ${i.key}` });
  const deviceNode = outNode(device);
  nodes.push(deviceNode);
  let deviceEdges = 0;
  for (const i of inputs) {
    for (const r of i.roots) {
      const toNode = resolveRef(r, i.file);
      const to = toNode.c.id;
      if (addEdge(deviceNode, { from: device.id, to, type: 'CONTAINS' }, toNode)) {
        deviceEdges++;
        decisions.push({ kind: 'root', text: `${i.file}: root ${to} hangs under the device (CONTAINS)` });
      } else duplicateEdges--; // the same root reached from two inputs is one device edge, not a dropped input edge
    }
  }

  const { vex, counts: vexCounts } = mergeVex(inputs, (ref) => byInputId(ref)?.c, aliases, device, decisions);

  const compositions: Composition[] = inputs.flatMap((i) => i.graph.compositions.map((c) => ({ aggregate: c.aggregate, assemblies: [...new Set(c.assemblies.map((a) => resolveRef(a, i.file).c.id))].sort() })));
  // the device's list is exactly the inputs' roots; whether the inputs cover all of the device only the user knows
  compositions.push({ aggregate: 'unknown', assemblies: [device.id] });

  let timestamp = opts.timestamp?.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!timestamp) {
    timestamp = newestCreated(inputs);
    if (timestamp) decisions.push({ kind: 'note', text: `SOURCE_DATE_EPOCH is not set: the document time is the newest input creation time, ${timestamp}` });
  }

  const builds: BuildRecord[] = [];
  for (const i of inputs) {
    for (const b of i.graph.builds ?? []) {
      const map = (ids: string[]) => [...new Set(ids.map((x) => (byInputId(x) ?? byInputId(aliases.get(x) ?? ''))?.c.id ?? x))].sort();
      builds.push({ ...b, inputs: map(b.inputs), outputs: map(b.outputs), dependsOn: b.dependsOn.map((x) => aliases.get(x) ?? x).sort() });
    }
  }
  builds.sort((a, b) => cmp(a.id, b.id));
  const licenseTexts = new Map<string, LicenseText>();
  for (const i of inputs) for (const l of i.graph.licenseTexts ?? []) if (!licenseTexts.has(l.id)) licenseTexts.set(l.id, l);

  // Reachability, while each node's `targets` still match its `edges` (they are sorted below). Every
  // component the device does not reach needs a reason an input gives; otherwise the merge fails.
  const walks = new Walks();
  walks.from(deviceNode, (n) => (n.reached = true));
  const detached = new Map<string, string>();
  const starts: OutNode[] = [];
  for (const i of inputs) {
    for (const [id, why] of i.detached ?? []) {
      const n = byInputId(id);
      if (n === undefined || detached.has(n.c.id)) continue;
      detached.set(n.c.id, `${i.file}: ${why}`);
      starts.push(n);
    }
  }
  // what only an explained exception reaches (the files of a package that is built, not shipped) shares its reason
  const inherited = new Map<string, string>();
  for (const start of starts) {
    const why = detached.get(start.c.id)!;
    if (start.reached) continue;
    walks.from(start, (x) => {
      if (x !== start && !x.reached && !detached.has(x.c.id) && !inherited.has(x.c.id)) inherited.set(x.c.id, `part of ${start.c.name}, which stands apart: ${why}`);
    });
  }
  for (const [id, why] of inherited) detached.set(id, why);

  nodes.sort((a, b) => (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0));
  for (let k = 1; k < nodes.length; k++) if (nodes[k]!.c.id === nodes[k - 1]!.c.id) throw new Error(`internal: id collision ${nodes[k]!.c.id}`);
  const components: Component[] = new Array(nodes.length);
  // canonical edge order (source, type, target, original type: what sortEdges gives) without sorting
  // the sources again: every source is a component, and those are sorted now
  const edgeList: Edge[] = [];
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    n.output = true;
    components[k] = n.c;
    const l = n.edges;
    // most sources have one or two edges: no sort call for those
    if (l.length === 2) {
      if (byTypeThenTarget(l[0]!, l[1]!) > 0) l.reverse();
    } else if (l.length > 2) l.sort(byTypeThenTarget);
    for (const e of l) edgeList.push(e);
  }
  if (edgeList.length !== edgeCount) throw new Error(`internal: ${edgeCount - edgeList.length} edge(s) from a source that is not a component`);
  const serial = `urn:uuid:${uuidFrom(sha(JSON.stringify([opts.product, opts.productVersion, opts.manufacturer, inputs.map((i) => i.key)])))}`;
  const graph: SbomGraph = {
    metadata: {
      name: `${opts.product} ${opts.productVersion}`,
      root: device.id,
      ...(timestamp ? { timestamp } : {}),
      authors: [party],
      manufacturer: party,
      supplier: party,
      tools: [{ name: 'beambake', ...(opts.toolVersion ? { version: opts.toolVersion } : {}) }],
      serialNumber: serial,
    },
    components,
    edges: edgeList,
    compositions,
    vex,
    ...(builds.length > 0 ? { builds } : {}),
    ...(licenseTexts.size > 0 ? { licenseTexts: [...licenseTexts.values()].sort((a, b) => cmp(a.id, b.id)) } : {}),
  };

  const foldedComponents = inputs.reduce((n, i) => n + i.folded.filter((f) => f.kind === 'component').reduce((m, f) => m + f.count, 0), 0);
  const foldedEdges = inputs.reduce((n, i) => n + i.folded.filter((f) => f.kind === 'edge').reduce((m, f) => m + f.count, 0), 0);
  const counts: MergeCounts = {
    in: { components: inputs.reduce((n, i) => n + i.counts.components, 0), edges: inputs.reduce((n, i) => n + i.counts.edges, 0) },
    out: { components: components.length, edges: edgeList.length },
    folded: { components: foldedComponents, edges: foldedEdges },
    mergedAway: groups.reduce((n, g) => n + g.members.length - 1, 0),
    placeholders,
    duplicateEdges,
    deviceEdges,
    impliedEdges,
    reachable: 0,
    unreachable: 0,
    vexProducts: vexCounts,
  };
  checkNoLoss(inputs, counts, {
    componentNode,
    edgeEnds: (i) => edgeEnds[i]!,
    byId: byInputId,
    isOutput: (n) => n.output,
    hasEdge: (from, to, type) => hasOutEdge(from, to.c.id, type),
  });

  const unexplained: string[] = [];
  for (const { c, reached } of nodes) {
    if (reached) continue;
    const why = detached.get(c.id);
    if (why) decisions.push({ kind: 'unreachable', text: `${c.id} (${c.name}) is not reachable from the device: ${why}` });
    else {
      unexplained.push(`${c.name}${c.version ? ` ${c.version}` : ''} (${c.id}, from ${c.sources.join(', ')})`);
      decisions.push({ kind: 'unreachable', text: `${c.id} (${c.name}) is not reachable from the device and no input says why${opts.allowUnreachable ? ' (allowed by --allow-unreachable)' : ''}` });
    }
  }
  counts.reachable = nodes.filter((n) => n.reached).length;
  counts.unreachable = components.length - counts.reachable;
  if (unexplained.length > 0 && !opts.allowUnreachable) {
    throw new BeambakeError(
      'MERGE_UNREACHABLE',
      `${unexplained.length} component(s) are not reachable from the device and no input says why: ${unexplained.slice(0, 5).join('; ')}${unexplained.length > 5 ? ` (and ${unexplained.length - 5} more)` : ''}; --explain shows the graph decisions, --allow-unreachable writes the SBOM anyway`,
    );
  }
  const reachOf = (i: InputSbom, x: number): InputReach => {
    // each output component once: a count is a walk of its own
    const w = walks.next();
    let outComponents = 0;
    let reachable = 0;
    for (let k = 0; k < i.graph.components.length; k++) {
      const n = componentNode(x, k);
      if (n.walk === w) continue;
      n.walk = w;
      outComponents++;
      if (n.reached) reachable++;
    }
    return { outComponents, reachable };
  };
  // the writers' canonical view is what was just built: components in id order, each node's edges in
  // canonical order (it freezes the graph, so the view cannot go stale)
  adoptCanonical(
    graph,
    nodes.map((n) => n.edges),
    (id) => indexById(components, id) >= 0,
  );
  return {
    graph,
    decisions,
    counts,
    inputs: inputs.map((i, x) => ({ file: i.file, format: i.format, specVersion: i.specVersion, key: i.key, ...(i.graph.metadata.timestamp ? { created: i.graph.metadata.timestamp } : {}), components: i.counts.components, edges: i.counts.edges, folded: i.folded, ...reachOf(i, x) })),
  };
}

/** The newest creation time among the inputs (ISO 8601, seconds), or undefined when none states one. */
export function newestCreated(inputs: { graph: SbomGraph }[]): string | undefined {
  let best: number | undefined;
  for (const i of inputs) {
    const t = i.graph.metadata.timestamp ? Date.parse(i.graph.metadata.timestamp) : NaN;
    if (!Number.isNaN(t) && (best === undefined || t > best)) best = t;
  }
  return best === undefined ? undefined : new Date(best).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function identityText(d: IdentityDecision): Decision {
  switch (d.kind) {
    case 'merged':
      return { kind: 'merged', text: `${d.component} = ${d.other} (same ${d.level}: ${d.key})` };
    case 'separate':
      return { kind: 'separate', text: `${d.component} kept apart from ${d.other}: same ${d.level} ${d.key} but ${d.reason}` };
    case 'ambiguous':
      return { kind: 'ambiguous', text: `${d.component} not merged: ${d.level} ${d.key} matches ${d.other} (${d.reason})` };
  }
}

/** Position of the component with id `id` in a list sorted by id, or -1. */
function indexById(components: readonly Component[], id: string): number {
  let lo = 0;
  let hi = components.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = components[mid]!.id;
    if (x === id) return mid;
    if (x < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Where an input's component with a given id is. Every reader returns its
 * components sorted by id, so a binary search finds it while lookups are few
 * (roots, VEX products, compositions: the merge follows the positions readers
 * give for edge ends); a map is made once they are many (a reader that gives
 * no positions, SPDX 3) or when the list is in another order (built by a
 * caller). A map of every component's id cost a 110,000-component merge
 * ~60 ms to fill, for a handful of lookups.
 */
class InputIndex {
  private map: Map<string, number> | undefined;
  /** Binary searches left before the map is made (-1: the list is not sorted, only the map will do). */
  private searches: number;

  constructor(private readonly components: readonly Component[]) {
    let sorted = true;
    for (let k = 1; k < components.length && sorted; k++) sorted = components[k - 1]!.id < components[k]!.id;
    this.searches = sorted ? SEARCHES_BEFORE_MAP : -1;
  }

  indexOf(id: string): number {
    if (this.map === undefined && this.searches > 0) {
      this.searches--;
      return indexById(this.components, id);
    }
    if (this.map === undefined) {
      this.map = new Map();
      // the first of equal ids, as a list's own order would find it
      this.components.forEach((c, k) => {
        if (!this.map!.has(c.id)) this.map!.set(c.id, k);
      });
    }
    return this.map.get(id) ?? -1;
  }
}

/** About where a map of a large input's ids costs less than the binary searches it saves. */
const SEARCHES_BEFORE_MAP = 4096;
