/**
 * Reachability from the device: an SBOM whose graph does not reach a
 * component says nothing about whether the device contains it. Every edge the
 * outputs express as reaching (contains, depends on, generated from; not
 * OTHER) is followed from its source to its target, so the path from the device to each component is the one the
 * output document states.
 */
import type { Edge } from '../model.js';
import { REACHING_EDGES } from '../writers/common.js';

export interface InputReach {
  /** Output components this input contributed to. */
  outComponents: number;
  /** Of those, how many the device reaches. */
  reachable: number;
}

/** Outgoing edges per source id (all types; reachability follows the reaching ones). */
export function outgoingEdges(edges: readonly Edge[]): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>();
  for (const e of edges) {
    const l = out.get(e.from);
    if (l) l.push(e);
    else out.set(e.from, [e]);
  }
  return out;
}

/** Ids reachable from `root` over the reaching edges of `outgoing` (see outgoingEdges). */
export function reachability(root: string, outgoing: ReadonlyMap<string, readonly Edge[]>): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const list = outgoing.get(stack.pop()!);
    if (list === undefined) continue;
    for (const e of list) {
      if (!seen.has(e.to) && REACHING_EDGES.has(e.type)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return seen;
}
