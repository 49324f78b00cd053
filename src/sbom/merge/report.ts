/** The merge report: counts in and out, and with --explain every recorded decision. */
import type { MergeResult } from './merge.js';

export function renderReport(r: MergeResult, explain: boolean): string {
  const c = r.counts;
  const lines: string[] = [];
  for (const i of r.inputs) lines.push(`input  ${i.file}: ${i.format} ${i.specVersion}, ${i.components} components, ${i.edges} relationships; ${i.reachable} of ${i.outComponents} output components reachable from the device`);
  lines.push(`in     ${c.in.components} components, ${c.in.edges} relationships`);
  lines.push(`folded ${c.folded.components} components, ${c.folded.edges} relationships (with recorded reasons${explain ? ' below' : '; --explain lists them'})`);
  lines.push(`merged ${c.mergedAway} components into the same component of another input`);
  lines.push(`added  1 device, ${c.placeholders} placeholders for unresolved references, ${c.deviceEdges} device CONTAINS edges, ${c.impliedEdges} edges implied by a format convention; ${c.duplicateEdges} duplicate edges collapsed`);
  lines.push(`out    ${c.out.components} components, ${c.out.edges} edges, ${r.graph.vex.length} VEX statements (${c.vexProducts.resolved} products resolved, ${c.vexProducts.external} references into BOMs that are not inputs)`);
  lines.push(`reach  ${c.reachable} of ${c.out.components} components reachable from the device (${c.out.components > 0 ? ((100 * c.reachable) / c.out.components).toFixed(1) : '100.0'}%); ${c.unreachable} not, each with a recorded reason${explain ? ' below' : ' (--explain)'}`);
  if (explain) {
    lines.push('');
    for (const d of r.decisions) lines.push(`[${d.kind}] ${d.text}`);
  }
  return lines.join('\n') + '\n';
}

export function reportJson(r: MergeResult, explain: boolean): Record<string, unknown> {
  return {
    inputs: r.inputs,
    counts: r.counts,
    vexStatements: r.graph.vex.length,
    ...(explain ? { decisions: r.decisions } : {}),
  };
}
