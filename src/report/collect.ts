/**
 * Gather the report's data: the device SBOM read with the SBOM readers (any
 * format beambake reads), the components' layers found by walking the graph
 * from the device, and the optional inputs: `beambake vuln` JSON or OpenVEX,
 * `beambake verify --json` output, and the `sbom check` profile evaluation.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BeambakeError, ioError } from '../util/errors.js';
import { parseJsonText } from '../util/json.js';
import { isLicenseFact } from '../sbom/writers/licenses.js';
import type { Component, SbomGraph } from '../sbom/model.js';
import { countBy, type ComponentRow, type GraphPicture, type ReportData, type VerifyRow, type VulnRow } from './model.js';
import type { Profile } from '../sbom/check/index.js';

export interface ReportOptions {
  sbom: string;
  vuln?: string;
  verify?: string[];
  checkProfile?: Profile;
  generated?: string;
  toolVersion: string;
}

/** Graphs up to this many components are drawn whole; larger ones collapse to layers with counts. */
export const FULL_GRAPH_LIMIT = 80;

function shortInput(origin: string | undefined): string {
  if (!origin) return '';
  const doc = origin.includes('#') ? origin.slice(0, origin.lastIndexOf('#')) : origin;
  // Yocto namespaces end in a UUID; the readable part is the document name before it
  const m = /\/([^/]+?)(?:-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/.exec(doc);
  return m ? m[1]! : doc;
}

function row(c: Component, layer: string): ComponentRow {
  const lic = c.licenses.concluded ?? c.licenses.declared;
  return {
    id: c.id,
    name: c.name,
    version: c.version ?? '',
    type: c.type,
    supplier: c.supplier?.name ?? c.manufacturer?.name ?? '',
    license: isLicenseFact(lic) ? lic : '',
    purl: c.purl ?? '',
    cpe: c.cpes[0] ?? '',
    hashes: c.hashes.map((h) => `${h.alg}:${h.value}`),
    input: shortInput(c.properties.find((p) => p.name === 'beambake:origin')?.value ?? c.sources[0]),
    layer,
  };
}

/** Direct children of the root are the device's parts ("layers"); every component is labelled with the first part that reaches it. */
function layersOf(g: SbomGraph, root: string | undefined): { layerOf: Map<string, string>; children: Map<string, string[]> } {
  const children = new Map<string, string[]>();
  for (const e of g.edges) {
    if (e.type === 'DESCRIBES') continue;
    const l = children.get(e.from);
    if (l) l.push(e.to);
    else children.set(e.from, [e.to]);
  }
  for (const l of children.values()) l.sort();
  const byId = new Map(g.components.map((c) => [c.id, c]));
  const layerOf = new Map<string, string>();
  if (!root) return { layerOf, children };
  layerOf.set(root, '(device)');
  const queue: string[] = [];
  for (const top of children.get(root) ?? []) {
    if (layerOf.has(top)) continue;
    const c = byId.get(top);
    layerOf.set(top, c ? `${c.name}${c.version ? ` ${c.version}` : ''}` : top);
    queue.push(top);
  }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const ch of children.get(id) ?? []) {
      if (layerOf.has(ch)) continue;
      layerOf.set(ch, layerOf.get(id)!);
      queue.push(ch);
    }
  }
  return { layerOf, children };
}

function picture(g: SbomGraph, root: string | undefined, children: Map<string, string[]>, layerOf: Map<string, string>): GraphPicture {
  const byId = new Map(g.components.map((c) => [c.id, c]));
  const label = (id: string) => {
    const c = byId.get(id);
    return c ? `${c.name}${c.version ? ` ${c.version}` : ''}` : id;
  };
  const depth = new Map<string, number>();
  const nodes: GraphPicture['nodes'] = [];
  const edges: GraphPicture['edges'] = [];
  if (!root) return { nodes, edges, depth, collapsed: true };
  nodes.push({ id: root, label: label(root), count: 1, kind: 'device' });
  depth.set(root, 0);
  if (g.components.length <= FULL_GRAPH_LIMIT) {
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const ch of children.get(id) ?? []) {
        if (!byId.has(ch)) continue;
        edges.push([id, ch]);
        if (depth.has(ch)) continue;
        depth.set(ch, depth.get(id)! + 1);
        nodes.push({ id: ch, label: label(ch), count: 1, kind: depth.get(ch) === 1 ? 'layer' : 'component' });
        queue.push(ch);
      }
    }
    return { nodes, edges, depth, collapsed: false };
  }
  // collapsed: the device, its parts with their component counts, and each part's direct children (a few, then "+N more")
  const perLayer = countBy([...layerOf.values()].filter((l) => l !== '(device)'), (l) => l);
  const sizes = new Map(perLayer);
  for (const top of children.get(root) ?? []) {
    if (!byId.has(top) || depth.has(top)) continue;
    depth.set(top, 1);
    nodes.push({ id: top, label: label(top), count: sizes.get(layerOf.get(top) ?? '') ?? 1, kind: 'layer' });
    edges.push([root, top]);
    const kids = (children.get(top) ?? []).filter((k) => byId.has(k) && !depth.has(k));
    for (const k of kids.slice(0, 6)) {
      depth.set(k, 2);
      nodes.push({ id: k, label: label(k), count: 1, kind: 'component' });
      edges.push([top, k]);
    }
    if (kids.length > 6) {
      const more = `${top}\u0000more`;
      depth.set(more, 2);
      nodes.push({ id: more, label: `+${kids.length - 6} more direct dependencies`, count: kids.length - 6, kind: 'more' });
      edges.push([top, more]);
    }
  }
  return { nodes, edges, depth, collapsed: true };
}

type J = Record<string, unknown>;
const isObj = (x: unknown): x is J => typeof x === 'object' && x !== null && !Array.isArray(x);
const s = (x: unknown) => (typeof x === 'string' ? x : '');

async function readJson(file: string, code: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw ioError(e, file, 'cannot read');
  }
  return parseJsonText(text, file, code);
}

/** `beambake vuln -f json`, OpenVEX, or CycloneDX VEX. */
export async function readVulnFile(file: string, names: Map<string, string>): Promise<VulnRow[]> {
  const doc = await readJson(file, 'REPORT_INPUT');
  if (isObj(doc) && Array.isArray(doc.findings)) {
    return doc.findings.filter(isObj).map((f) => {
      const c = isObj(f.component) ? f.component : {};
      return {
        id: s(f.id),
        aliases: Array.isArray(f.aliases) ? f.aliases.map(String) : [],
        component: `${s(c.name)}${c.version ? ` ${s(c.version)}` : ''}`,
        status: s(f.status),
        severity: s(f.severity),
        fixedVersion: s(f.fixedVersion),
        justification: s(f.justification),
        statement: s(f.statement),
      };
    });
  }
  if (isObj(doc) && typeof doc['@context'] === 'string' && doc['@context'].startsWith('https://openvex.dev/') && Array.isArray(doc.statements)) {
    const rows: VulnRow[] = [];
    for (const st of doc.statements.filter(isObj)) {
      const v = isObj(st.vulnerability) ? st.vulnerability : {};
      for (const p of Array.isArray(st.products) ? st.products.filter(isObj) : []) {
        const pid = s(p['@id']);
        const ids = isObj(p.identifiers) ? p.identifiers : {};
        rows.push({
          id: s(v.name),
          aliases: Array.isArray(v.aliases) ? v.aliases.map(String) : [],
          component: names.get(pid) ?? names.get(s(ids.purl)) ?? pid,
          status: s(st.status),
          severity: '',
          fixedVersion: '',
          justification: s(st.justification),
          statement: s(st.impact_statement) || s(st.action_statement) || s(st.status_notes),
        });
      }
    }
    return rows;
  }
  throw new BeambakeError('REPORT_INPUT', 'not `beambake vuln -f json` output or an OpenVEX document', { file });
}

export async function readVerifyFile(file: string): Promise<VerifyRow[]> {
  const doc = await readJson(file, 'REPORT_INPUT');
  if (!isObj(doc) || !Array.isArray(doc.artifacts)) throw new BeambakeError('REPORT_INPUT', 'not `beambake verify --json` output (no "artifacts" list)', { file });
  return doc.artifacts.filter(isObj).map((a) => ({
    artifact: s(a.artifact),
    result: s(a.result),
    checks: Array.isArray(a.checks) ? a.checks.filter(isObj).map((c) => ({ check: s(c.check), result: s(c.result), ...(c.reason ? { reason: s(c.reason) } : {}) })) : [],
  }));
}

export async function collectReport(opts: ReportOptions): Promise<ReportData> {
  const { readSbom } = await import('../sbom/readers/index.js');
  const input = await readSbom(opts.sbom);
  const g = input.graph;
  let bytes: Buffer;
  try {
    bytes = await readFile(opts.sbom);
  } catch (e) {
    throw ioError(e, opts.sbom, 'cannot read');
  }
  const root = g.metadata.root ?? input.roots[0];
  const { layerOf, children } = layersOf(g, root);
  const rows = g.components.filter((c) => c.id !== root).map((c) => row(c, layerOf.get(c.id) ?? '(not connected to the device)'));
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : a.id < b.id ? -1 : 1));
  const rootC = g.components.find((c) => c.id === root);
  const maker = g.metadata.manufacturer ?? rootC?.manufacturer ?? rootC?.supplier;
  const names = new Map<string, string>();
  for (const c of g.components) {
    const label = `${c.name}${c.version ? ` ${c.version}` : ''}`;
    names.set(c.id, label);
    if (c.purl) names.set(c.purl, label);
  }
  const data: ReportData = {
    title: `${rootC?.name ?? g.metadata.name}${rootC?.version ? ` ${rootC.version}` : ''}`,
    product: {
      name: rootC?.name ?? g.metadata.name,
      version: rootC?.version ?? '',
      manufacturer: maker?.name ?? '',
      manufacturerUrl: maker?.urls?.[0] ?? '',
      contact: maker?.email ?? g.metadata.authors.find((a) => a.email)?.email ?? '',
    },
    sbom: {
      file: opts.sbom,
      format: input.format,
      specVersion: input.specVersion,
      serialNumber: g.metadata.serialNumber ?? input.key,
      timestamp: g.metadata.timestamp ?? '',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      tools: g.metadata.tools.map((t) => `${t.name}${t.version ? ` ${t.version}` : ''}`),
    },
    components: rows,
    edges: g.edges.length,
    byLayer: countBy(rows, (r) => r.layer),
    byType: countBy(rows, (r) => r.type),
    byLicense: countBy(rows, (r) => r.license || '(unknown)'),
    unknownLicense: rows.filter((r) => !r.license),
    graph: picture(g, root, children, layerOf),
    generated: opts.generated ?? g.metadata.timestamp ?? '',
    toolVersion: opts.toolVersion,
  };
  if (opts.vuln) data.vulns = { file: opts.vuln, rows: await readVulnFile(opts.vuln, names) };
  if (opts.verify && opts.verify.length > 0) {
    const rowsV: VerifyRow[] = [];
    for (const f of opts.verify) rowsV.push(...(await readVerifyFile(f)));
    data.verify = { files: opts.verify, rows: rowsV };
  }
  if (opts.checkProfile) {
    const { checkSbomText } = await import('../sbom/check/index.js');
    data.check = await checkSbomText(bytes.toString('utf8'), opts.sbom, opts.checkProfile);
  }
  return data;
}
