/**
 * The graph facts of an SBOM as written, per format: which identifiers it
 * declares (and where), which references it makes, which edges lead from the
 * product to what. `sbom check` reports duplicate identifiers, references
 * that point nowhere and components the product does not reach, with the same
 * verdict for the same graph in every format.
 */

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const arr = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]).filter((x) => x !== null && x !== undefined) : v === undefined || v === null ? [] : [v as J]);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export interface GraphFacts {
  /** What the document says it describes: the product. */
  roots: string[];
  /** Every identifier the document declares, with where (for duplicates). */
  ids: { id: string; where: string }[];
  /** Every reference the document makes to one of its identifiers, with where. */
  refs: { ref: string; where: string }[];
  /** from -> to, over which the product reaches its components. */
  edges: [string, string][];
}

export interface GraphVerdict {
  duplicates: { id: string; places: string[] }[];
  dangling: { ref: string; where: string }[];
  reached: Set<string>;
}

export function judgeGraph(g: GraphFacts): GraphVerdict {
  const places = new Map<string, string[]>();
  for (const { id, where } of g.ids) (places.get(id) ?? places.set(id, []).get(id)!).push(where);
  const duplicates = [...places].filter(([, p]) => p.length > 1).map(([id, p]) => ({ id, places: p }));
  const dangling = g.refs.filter((r) => !places.has(r.ref));
  const out = new Map<string, string[]>();
  for (const [f, t] of g.edges) (out.get(f) ?? out.set(f, []).get(f)!).push(t);
  const reached = new Set(g.roots);
  const stack = [...g.roots];
  while (stack.length > 0) for (const t of out.get(stack.pop()!) ?? []) if (!reached.has(t)) (reached.add(t), stack.push(t));
  return { duplicates, dangling, reached };
}

export function cyclonedxGraph(doc: J): GraphFacts {
  const g: GraphFacts = { roots: [], ids: [], refs: [], edges: [] };
  const root = doc.metadata?.component as J | undefined;
  const walk = (c: J, where: string, parent?: string): void => {
    const ref = s(c['bom-ref']);
    if (ref) g.ids.push({ id: ref, where });
    if (ref && parent) g.edges.push([parent, ref]);
    arr(c.components).forEach((x, i) => walk(x, `${where}.components[${i}]`, ref));
  };
  if (root) {
    walk(root, 'metadata.component');
    if (s(root['bom-ref'])) g.roots.push(root['bom-ref']);
  }
  arr(doc.components).forEach((c, i) => walk(c, `components[${i}]`));
  arr(doc.services).forEach((c, i) => s(c['bom-ref']) && g.ids.push({ id: c['bom-ref'], where: `services[${i}]` }));
  arr(doc.dependencies).forEach((d, i) => {
    if (s(d.ref)) g.refs.push({ ref: d.ref, where: `dependencies[${i}].ref` });
    arr(d.dependsOn).forEach((t, j) => {
      if (typeof t !== 'string') return;
      g.refs.push({ ref: t, where: `dependencies[${i}].dependsOn[${j}]` });
      if (s(d.ref)) g.edges.push([d.ref, t]);
    });
  });
  arr(doc.compositions).forEach((c, i) =>
    [...arr(c.assemblies), ...arr(c.dependencies)].forEach((r) => typeof r === 'string' && g.refs.push({ ref: r, where: `compositions[${i}]` })),
  );
  arr(doc.vulnerabilities).forEach((v, i) =>
    arr(v.affects).forEach((a, j) => {
      // a BOM-Link names a component of another BOM: not a reference into this one
      if (s(a.ref) && !a.ref.startsWith('urn:cdx:')) g.refs.push({ ref: a.ref, where: `vulnerabilities[${i}].affects[${j}]` });
    }),
  );
  arr(doc.formulation).forEach((f, i) =>
    arr(f.workflows).forEach((w, j) =>
      [...arr(w.inputs), ...arr(w.outputs)].forEach((x) => s(x.resource?.ref) && g.refs.push({ ref: x.resource.ref, where: `formulation[${i}].workflows[${j}]` })),
    ),
  );
  // a BOM without metadata.component names no product: nothing is related to one (the merge hangs such components under the device)
  return g;
}

const SPDX2_REVERSED = /_OF$|^CONTAINED_BY$|^DESCRIBED_BY$|^GENERATES$/;

export function spdx2Graph(doc: J): GraphFacts {
  const g: GraphFacts = { roots: [], ids: [], refs: [], edges: [] };
  const docId = s(doc.SPDXID) ?? 'SPDXRef-DOCUMENT';
  g.ids.push({ id: docId, where: 'SPDXID' });
  for (const k of ['packages', 'files', 'snippets'] as const) arr(doc[k]).forEach((p, i) => s(p.SPDXID) && g.ids.push({ id: p.SPDXID, where: `${k}[${i}]` }));
  const local = (x: unknown): x is string => typeof x === 'string' && x !== 'NONE' && x !== 'NOASSERTION' && !x.startsWith('DocumentRef-');
  arr(doc.documentDescribes).forEach((d, i) => {
    if (local(d)) (g.refs.push({ ref: d, where: `documentDescribes[${i}]` }), g.roots.push(d));
  });
  arr(doc.relationships).forEach((r, i) => {
    const a = r.spdxElementId;
    const b = r.relatedSpdxElement;
    const t = String(r.relationshipType);
    if (local(a)) g.refs.push({ ref: a, where: `relationships[${i}].spdxElementId` });
    if (local(b)) g.refs.push({ ref: b, where: `relationships[${i}].relatedSpdxElement` });
    if (!local(a) || !local(b)) return;
    if (t === 'DESCRIBES' && a === docId) return void g.roots.push(b);
    if (t === 'DESCRIBED_BY' && b === docId) return void g.roots.push(a);
    if (t === 'OTHER' || t === 'AMENDS' || t === 'COPY_OF' || t === 'VARIANT_OF' || t === 'DESCENDANT_OF' || t === 'ANCESTOR_OF') return; // say nothing about being part of the product
    g.edges.push(SPDX2_REVERSED.test(t) ? [b, a] : [a, b]);
  });
  arr(doc.packages).forEach((p, i) => arr(p.hasFiles).forEach((f) => local(f) && (g.refs.push({ ref: f, where: `packages[${i}].hasFiles` }), g.edges.push([p.SPDXID, f]))));
  return g;
}

/** SPDX 3 relationships along which the product reaches a component (as the writers express contains/depends/generated-from). */
const SPDX3_REACHING = new Set(['contains', 'dependsOn', 'generates', 'hasOptionalComponent', 'hasOptionalDependency', 'hasProvidedDependency', 'hasDynamicLink', 'hasStaticLink', 'hasPrerequisite', 'hasInput', 'hasOutput', 'hasDistributionArtifact', 'describes']);
const SPDX3_INDIVIDUALS = /^(NoneElement|NoAssertionElement|NoneLicense|NoAssertionLicense|SpdxOrganization)$|^https:\/\/spdx\.org\/rdf\/3\.0\.1\/terms\//;

export function spdx3Graph(doc: J): GraphFacts {
  const g: GraphFacts = { roots: [], ids: [], refs: [], edges: [] };
  const graph = arr(doc['@graph']);
  const sbomRoots = new Map<string, string[]>();
  const ref = (x: unknown, where: string): void => {
    if (typeof x === 'string' && !SPDX3_INDIVIDUALS.test(x)) g.refs.push({ ref: x, where });
  };
  graph.forEach((e, i) => {
    const id = s(e.spdxId) ?? s(e['@id']);
    const where = `@graph[${i}]`;
    if (id) g.ids.push({ id, where });
    if (e.type === 'software_Sbom' || e.type === 'SpdxDocument' || e.type === 'Bom' || e.type === 'Bundle') {
      arr(e.rootElement).forEach((r) => ref(r, `${where}.rootElement`));
      arr(e.element).forEach((r) => ref(r, `${where}.element`));
      if (id) sbomRoots.set(id, strings(e.rootElement));
    }
    if (typeof e.type === 'string' && e.type.endsWith('Relationship')) {
      ref(e.from, `${where}.from`);
      arr(e.to).forEach((t, j) => {
        ref(t, `${where}.to[${j}]`);
        if (typeof e.from !== 'string' || typeof t !== 'string' || e.type.startsWith('security_') || !SPDX3_REACHING.has(String(e.relationshipType))) return;
        // `A generates B` (a recipe and its package): the product reaches the recipe through the package
        g.edges.push(e.relationshipType === 'generates' ? [t, e.from] : [e.from, t]);
      });
    }
    ref(e.suppliedBy, `${where}.suppliedBy`);
    arr(e.originatedBy).forEach((o) => ref(o, `${where}.originatedBy`));
    if (e.type === 'Annotation') ref(e.subject, `${where}.subject`);
    ref(e.creationInfo, `${where}.creationInfo`);
    ref(e.dataLicense, `${where}.dataLicense`);
  });
  // the product: the software_Sbom's rootElement (through the document's rootElement when it names the Sbom)
  const docs = graph.filter((e) => e.type === 'SpdxDocument');
  const start = docs.flatMap((d) => strings(d.rootElement));
  const expand = (r: string, depth: number): string[] => (sbomRoots.has(r) && depth < 4 ? sbomRoots.get(r)!.flatMap((x) => expand(x, depth + 1)) : [r]);
  g.roots = (start.length > 0 ? start : [...sbomRoots.values()].flat()).flatMap((r) => expand(r, 0));
  return g;
}
