/**
 * The merged graph while the merge builds it: one node per output component,
 * carrying its outgoing edges (with their target nodes), an index for sources
 * of many edges and walk marks. The merge looks components up by input id once
 * and then follows these objects: on a graph of 110,000 components, maps keyed
 * by id strings were most of its time.
 *
 * Reachability from the device: an SBOM whose graph does not reach a
 * component says nothing about whether the device contains it. Walks follow
 * every edge the outputs express as reaching (contains, depends on, generated
 * from; not OTHER, see REACHING_EDGES), so the path from the device to each
 * component is the one the output document states.
 */
import type { Component, Edge } from '../model.js';
import { REACHING_EDGES } from '../writers/common.js';
import { appended } from '../../util/small-array.js';

export interface OutNode {
  c: Component;
  /** Outgoing edges, in the order added until the merge sorts them. */
  edges: Edge[];
  /** The target node of each edge, while `edges` is in the order added. */
  targets: OutNode[];
  /** to -> type(s), for a source of more than SHORT edges. */
  index: Map<string, string | Set<string>> | undefined;
  /** Set once the node is among the output's components (the no-loss check asks). */
  output: boolean;
  /** The last walk (or count) that visited this node. */
  walk: number;
  reached: boolean;
}

export interface InputReach {
  /** Output components this input contributed to. */
  outComponents: number;
  /** Of those, how many the device reaches. */
  reachable: number;
}

export const outNode = (c: Component): OutNode => ({ c, edges: [], targets: [], index: undefined, output: false, walk: 0, reached: false });

/**
 * Whether an edge is already there: a look through its source's list, which is
 * short for nearly every source; a source with more than SHORT edges (an image
 * containing thousands of packages) gets an index of its own, so no source
 * costs quadratic time.
 */
const SHORT = 16;

function indexEdge(byTo: Map<string, string | Set<string>>, e: Edge): void {
  const types = byTo.get(e.to);
  if (types === undefined) byTo.set(e.to, e.type);
  else if (typeof types === 'string') byTo.set(e.to, new Set([types, e.type]));
  else types.add(e.type);
}

export function hasOutEdge(from: OutNode, to: string, type: string): boolean {
  if (from.index === undefined) {
    for (const e of from.edges) if (e.to === to && e.type === type) return true;
    return false;
  }
  const types = from.index.get(to);
  return types === type || (typeof types === 'object' && types.has(type));
}

/** Adds the edge from `from` to `to` (their nodes) unless it is already there; false when it was. */
export function addOutEdge(from: OutNode, e: Edge, to: OutNode): boolean {
  if (hasOutEdge(from, e.to, e.type)) return false;
  const l = (from.edges = appended(from.edges, e));
  from.targets = appended(from.targets, to);
  if (l.length === SHORT + 1) {
    from.index = new Map();
    for (const x of l) indexEdge(from.index, x);
  } else if (from.index !== undefined) indexEdge(from.index, e);
  return true;
}

/** Numbered walks over the reaching edges: a node's `walk` says whether this walk has seen it (no set per walk). */
export class Walks {
  private n = 0;

  /** A fresh mark, for a walk or a count of distinct nodes. */
  next(): number {
    return ++this.n;
  }

  /** Visits every node reachable from `start` (itself included), each once. */
  from(start: OutNode, visit: (n: OutNode) => void): void {
    const w = this.next();
    start.walk = w;
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      visit(n);
      for (let k = 0; k < n.edges.length; k++) {
        const t = n.targets[k]!;
        if (t.walk !== w && REACHING_EDGES.has(n.edges[k]!.type)) {
          t.walk = w;
          stack.push(t);
        }
      }
    }
  }
}
