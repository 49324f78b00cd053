/**
 * The no-loss proof of a merge: every component and relationship read from
 * an input is either in the output (after id remapping) or folded with a
 * recorded reason, and the totals add up. Otherwise the merge fails with
 * MERGE_LOSS rather than hand an assessor an SBOM with silent gaps.
 */
import { BeambakeError } from '../../util/errors.js';
import type { InputSbom } from '../readers/types.js';
import type { MergeCounts } from './merge.js';

/**
 * What the merge built, in whatever form it keeps its output nodes: the check
 * follows the positions the merge recorded while adding exactly the output's
 * components and edges (looking every id up again, or rebuilding the output
 * here, would double a large merge's work); the counts are checked against the
 * output's lengths.
 */
export interface MergeView<N> {
  /** The output node of input i's component k. */
  componentNode(i: number, k: number): N | undefined;
  /** The nodes input i's edges were linked between: 2k is edge k's source, 2k + 1 its target. */
  edgeEnds(i: number): readonly (N | undefined)[];
  /** The output node of an input id (roots). */
  byId(id: string): N | undefined;
  isOutput(n: N): boolean;
  hasEdge(from: N, to: N, type: string): boolean;
}

export function checkNoLoss<N>(inputs: InputSbom[], counts: MergeCounts, view: MergeView<N>): void {
  const problems: string[] = [];
  inputs.forEach((i, x) => {
    const foldedC = i.folded.filter((f) => f.kind === 'component').reduce((n, f) => n + f.count, 0);
    const foldedE = i.folded.filter((f) => f.kind === 'edge').reduce((n, f) => n + f.count, 0);
    if (i.graph.components.length + foldedC !== i.counts.components) {
      problems.push(`${i.file}: ${i.counts.components} components read, ${i.graph.components.length} carried + ${foldedC} folded`);
    }
    if (i.graph.edges.length + foldedE !== i.counts.edges) {
      problems.push(`${i.file}: ${i.counts.edges} relationships read, ${i.graph.edges.length} carried + ${foldedE} folded`);
    }
    i.graph.components.forEach((c, k) => {
      const n = view.componentNode(x, k);
      if (n === undefined || !view.isOutput(n)) problems.push(`${i.file}: component ${c.id} (${c.name}) is not in the output`);
    });
    const ends = view.edgeEnds(x);
    i.graph.edges.forEach((e, k) => {
      const f = ends[2 * k];
      const t = ends[2 * k + 1];
      if (f === undefined || t === undefined || !view.isOutput(f) || !view.isOutput(t) || !view.hasEdge(f, t, e.type)) problems.push(`${i.file}: edge ${e.from} ${e.type} ${e.to} is not in the output`);
    });
    for (const r of i.roots) if (view.byId(r) === undefined) problems.push(`${i.file}: root ${r} is not in the output`);
  });
  const expectC = counts.in.components - counts.folded.components - counts.mergedAway + counts.placeholders + 1;
  if (expectC !== counts.out.components) problems.push(`components: ${counts.out.components} out, expected ${expectC}`);
  const expectE = counts.in.edges - counts.folded.edges - counts.duplicateEdges + counts.deviceEdges + counts.impliedEdges;
  if (expectE !== counts.out.edges) problems.push(`edges: ${counts.out.edges} out, expected ${expectE}`);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new BeambakeError('MERGE_LOSS', `merge would drop input without a recorded reason: ${problems.slice(0, 5).join('; ')}${more}`);
  }
}
