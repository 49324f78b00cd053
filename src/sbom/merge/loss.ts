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
 * `outputOf` (an input id's output component, in whatever form the merge keeps
 * it), `isOutput` and `hasEdge` answer from what the merge built while adding
 * exactly the output's components and edges (rebuilding that here would double
 * a large merge's work); the counts are checked against the output's lengths.
 */
export function checkNoLoss<N>(
  inputs: InputSbom[],
  outputOf: (inputId: string) => N | undefined,
  counts: MergeCounts,
  isOutput: (n: N) => boolean,
  hasEdge: (from: N, to: N, type: string) => boolean,
): void {
  const problems: string[] = [];
  for (const i of inputs) {
    const foldedC = i.folded.filter((f) => f.kind === 'component').reduce((n, f) => n + f.count, 0);
    const foldedE = i.folded.filter((f) => f.kind === 'edge').reduce((n, f) => n + f.count, 0);
    if (i.graph.components.length + foldedC !== i.counts.components) {
      problems.push(`${i.file}: ${i.counts.components} components read, ${i.graph.components.length} carried + ${foldedC} folded`);
    }
    if (i.graph.edges.length + foldedE !== i.counts.edges) {
      problems.push(`${i.file}: ${i.counts.edges} relationships read, ${i.graph.edges.length} carried + ${foldedE} folded`);
    }
    for (const c of i.graph.components) {
      const n = outputOf(c.id);
      if (n === undefined || !isOutput(n)) problems.push(`${i.file}: component ${c.id} (${c.name}) is not in the output`);
    }
    let lastFrom: string | undefined;
    let f: N | undefined;
    for (const e of i.graph.edges) {
      // readers give a source's edges together: its output is looked up once
      if (e.from !== lastFrom) {
        lastFrom = e.from;
        f = outputOf(e.from);
      }
      const t = outputOf(e.to);
      if (f === undefined || t === undefined || !hasEdge(f, t, e.type)) problems.push(`${i.file}: edge ${e.from} ${e.type} ${e.to} is not in the output`);
    }
    for (const r of i.roots) if (outputOf(r) === undefined) problems.push(`${i.file}: root ${r} is not in the output`);
  }
  const expectC = counts.in.components - counts.folded.components - counts.mergedAway + counts.placeholders + 1;
  if (expectC !== counts.out.components) problems.push(`components: ${counts.out.components} out, expected ${expectC}`);
  const expectE = counts.in.edges - counts.folded.edges - counts.duplicateEdges + counts.deviceEdges + counts.impliedEdges;
  if (expectE !== counts.out.edges) problems.push(`edges: ${counts.out.edges} out, expected ${expectE}`);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new BeambakeError('MERGE_LOSS', `merge would drop input without a recorded reason: ${problems.slice(0, 5).join('; ')}${more}`);
  }
}
