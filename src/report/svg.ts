/**
 * The dependency picture, drawn when the report is generated (no script, no
 * layout library in the page): nodes in columns by depth from the device,
 * straight edges between them. Large graphs arrive collapsed (see
 * collect.ts), so the picture stays readable and small.
 */
import type { GraphPicture } from './model.js';
import { esc } from './text.js';

const COL = 260;
const ROW = 26;
const BOX_W = 230;
const BOX_H = 20;
const PAD = 10;

const FILL: Record<string, string> = { device: '#1f4e79', layer: '#2e75b6', component: '#deebf7', more: '#f2f2f2' };
const TEXT: Record<string, string> = { device: '#ffffff', layer: '#ffffff', component: '#1a1a1a', more: '#555555' };

function clip(s: string, n = 34): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function graphSvg(g: GraphPicture): string {
  const columns = new Map<number, string[]>();
  for (const n of g.nodes) {
    const d = g.depth.get(n.id) ?? 0;
    const l = columns.get(d);
    if (l) l.push(n.id);
    else columns.set(d, [n.id]);
  }
  const pos = new Map<string, [number, number]>();
  let maxRows = 1;
  for (const [d, ids] of columns) {
    maxRows = Math.max(maxRows, ids.length);
    ids.forEach((id, i) => pos.set(id, [PAD + d * COL, PAD + i * ROW]));
  }
  // centre shorter columns vertically
  const height = PAD * 2 + maxRows * ROW;
  for (const ids of columns.values()) {
    const off = ((maxRows - ids.length) * ROW) / 2;
    for (const id of ids) pos.get(id)![1] += off;
  }
  const width = PAD * 2 + Math.max(1, columns.size) * COL;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" id="dependency-graph" role="img" aria-label="Dependency graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push('<g stroke="#9dc3e6" stroke-width="1" fill="none">');
  for (const [a, b] of g.edges) {
    const p = pos.get(a);
    const q = pos.get(b);
    if (!p || !q) continue;
    parts.push(`<line x1="${p[0] + BOX_W}" y1="${p[1] + BOX_H / 2}" x2="${q[0]}" y2="${q[1] + BOX_H / 2}"/>`);
  }
  parts.push('</g><g font-family="sans-serif" font-size="11">');
  for (const n of g.nodes) {
    const [x, y] = pos.get(n.id)!;
    const label = n.kind === 'layer' && g.collapsed ? `${clip(n.label, 24)} (${n.count})` : clip(n.label);
    parts.push(
      `<g class="node node-${n.kind}"><title>${esc(n.label)}${n.count > 1 ? ` — ${n.count} components` : ''}</title>` +
        `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="3" fill="${FILL[n.kind]}" stroke="#1f4e79" stroke-width="0.5"/>` +
        `<text x="${x + 6}" y="${y + 14}" fill="${TEXT[n.kind]}">${esc(label)}</text></g>`,
    );
  }
  parts.push('</g></svg>');
  return parts.join('');
}
