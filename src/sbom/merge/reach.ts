/**
 * Reachability from the device: an SBOM whose graph does not reach a
 * component says nothing about whether the device contains it. Every edge the
 * outputs express as reaching (contains, depends on, generated from; not
 * OTHER) is followed from its source to its target, so the path from the device to each component is the one the
 * output document states.
 */
import type { SbomGraph } from '../model.js';
import { REACHING_EDGES } from '../writers/common.js';

export interface InputReach {
  /** Output components this input contributed to. */
  outComponents: number;
  /** Of those, how many the device reaches. */
  reachable: number;
}

/** from -> to over the edges that make a component part of what reaches it. */
export function adjacency(graph: SbomGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!REACHING_EDGES.has(e.type)) continue;
    let l = out.get(e.from);
    if (!l) out.set(e.from, (l = []));
    l.push(e.to);
  }
  return out;
}

/** Ids reachable from `root` (built adjacency reused when given). */
export function reachability(graph: SbomGraph, root: string, adj: Map<string, string[]> = adjacency(graph)): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const t of adj.get(id) ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        stack.push(t);
      }
    }
  }
  return seen;
}
