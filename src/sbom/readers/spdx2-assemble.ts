/**
 * One input from one or many SPDX 2 documents (spdx2.ts reads each): DocumentRefs
 * resolved by namespace, roots chosen from what the documents nobody else
 * references DESCRIBE, every relationship classified as an edge or a recorded fold.
 */
import { emptyComponent, type Component, type Edge, type EdgeType, type LicenseText, type VexStatement } from '../model.js';
import { BeambakeError } from '../../util/errors.js';
import { componentsInIdOrder, PROP_CVES_FIXED, PROP_FOLDED_FILES, type Positioned } from './common.js';
import type { Spdx2Doc } from './spdx2.js';
import { FoldLog, type InputFormat, type InputSbom } from './types.js';
import { flatJoin } from '../../util/flat.js';
import { appended } from '../../util/small-array.js';

type Norm = { from: 'a' | 'b'; type: EdgeType; keepOriginal: boolean };
/** SPDX 2 relationship -> edge direction and type (`a` = spdxElementId, `b` = relatedSpdxElement). */
const REL2: Record<string, Norm> = {
  CONTAINS: { from: 'a', type: 'CONTAINS', keepOriginal: false },
  CONTAINED_BY: { from: 'b', type: 'CONTAINS', keepOriginal: false },
  PACKAGE_OF: { from: 'b', type: 'CONTAINS', keepOriginal: true },
  OPTIONAL_COMPONENT_OF: { from: 'b', type: 'CONTAINS', keepOriginal: true },
  DEPENDS_ON: { from: 'a', type: 'DEPENDS_ON', keepOriginal: false },
  DEPENDENCY_OF: { from: 'b', type: 'DEPENDS_ON', keepOriginal: false },
  RUNTIME_DEPENDENCY_OF: { from: 'b', type: 'DEPENDS_ON', keepOriginal: true },
  PROVIDED_DEPENDENCY_OF: { from: 'b', type: 'DEPENDS_ON', keepOriginal: true },
  DYNAMIC_LINK: { from: 'a', type: 'DEPENDS_ON', keepOriginal: true },
  STATIC_LINK: { from: 'a', type: 'DEPENDS_ON', keepOriginal: true },
  HAS_PREREQUISITE: { from: 'a', type: 'DEPENDS_ON', keepOriginal: true },
  PREREQUISITE_FOR: { from: 'b', type: 'DEPENDS_ON', keepOriginal: true },
  BUILD_DEPENDENCY_OF: { from: 'b', type: 'BUILD_DEPENDS_ON', keepOriginal: false },
  BUILD_TOOL_OF: { from: 'b', type: 'BUILD_DEPENDS_ON', keepOriginal: true },
  DEV_DEPENDENCY_OF: { from: 'b', type: 'DEV_DEPENDS_ON', keepOriginal: false },
  TEST_DEPENDENCY_OF: { from: 'b', type: 'DEV_DEPENDS_ON', keepOriginal: true },
  DEV_TOOL_OF: { from: 'b', type: 'DEV_DEPENDS_ON', keepOriginal: true },
  OPTIONAL_DEPENDENCY_OF: { from: 'b', type: 'OPTIONAL_DEPENDS_ON', keepOriginal: false },
  GENERATED_FROM: { from: 'a', type: 'GENERATED_FROM', keepOriginal: false },
  GENERATES: { from: 'b', type: 'GENERATED_FROM', keepOriginal: true },
};

/** The normalised edge for an SPDX 2 relationship between two elements. */
export function spdx2Edge(a: string, type: string, b: string): Edge {
  const n = REL2[type];
  if (!n) return { from: a, to: b, type: 'OTHER', originalType: type };
  const [from, to] = n.from === 'a' ? [a, b] : [b, a];
  const e: Edge = { from, to, type: n.type };
  if (n.keepOriginal) e.originalType = type;
  return e;
}

export interface AssembleOptions {
  keepFiles?: boolean;
}

/**
 * One element id of the input: its global id (one string, shared by the
 * component and every relationship naming it, so later maps match keys by
 * identity), its component if it becomes one, and that component's position.
 */
interface Slot extends Positioned {
  id: string;
  /** Whether the id names an SPDX document, once asked (each relationship end asks). */
  doc: boolean | undefined;
  /** Whether the id is an SPDX file of one of the documents. */
  file: boolean;
}

/** The end of a relationship that names no element (NOASSERTION, NONE). */
const noElement = (id: string): Slot => ({ id, component: undefined, index: -1, doc: false, file: false });

/**
 * Link documents into one input: resolve DocumentRefs by namespace, pick the
 * roots (what the documents nobody else references DESCRIBE), classify every
 * relationship as an edge or a recorded fold.
 */
export function assembleSpdx2(
  docs: Spdx2Doc[],
  file: string,
  format: InputFormat,
  key: string,
  opts: AssembleOptions = {},
): InputSbom {
  const fold = new FoldLog();
  const notes: string[] = [];
  const byNs = new Map<string, Spdx2Doc>();
  for (const d of docs) {
    const before = byNs.get(d.namespace);
    if (before) throw new BeambakeError('SBOM_DUPLICATE_ID', `documentNamespace ${d.namespace} is also the namespace of ${before.file}`, { file: d.file, entry: 'documentNamespace' });
    byNs.set(d.namespace, d);
  }
  // the slots of the elements that are components, in the order read
  const owned: Slot[] = [];
  let files = 0;
  const docIds = new Set<string>();
  // namespace -> SPDXID -> slot
  const interned = new Map<string, Map<string, Slot>>();
  const idsOf = (ns: string): Map<string, Slot> => {
    let ids = interned.get(ns);
    if (!ids) interned.set(ns, (ids = new Map()));
    return ids;
  };
  const slotOf = (ids: Map<string, Slot>, ns: string, local: string): Slot => {
    let slot = ids.get(local);
    if (slot === undefined) ids.set(local, (slot = { id: flatJoin(ns, '#', local), component: undefined, index: -1, doc: undefined, file: false }));
    return slot;
  };
  const globalId = (ns: string, local: string): Slot => slotOf(idsOf(ns), ns, local);
  for (const d of docs) {
    docIds.add(`${d.namespace}#${d.documentId}`);
    const ids = idsOf(d.namespace);
    for (let k = 0; k < d.components.length; k++) {
      const c = d.components[k]!;
      const slot: Slot = { id: c.id, component: c, index: -1, doc: undefined, file: false };
      ids.set(d.localIds[k]!, slot);
      owned.push(slot);
    }
    for (const local of d.files.keys()) slotOf(ids, d.namespace, local).file = true;
    files += d.files.size;
  }
  // documents other documents point at are parts; the rest are the roots of this input
  const referenced = new Set<string>();
  for (const d of docs) for (const ns of d.externalRefs.values()) if (ns !== d.namespace) referenced.add(ns);
  const rootDocs = docs.filter((d) => !referenced.has(d.namespace));

  const NOASSERTION = noElement('NOASSERTION');
  const NONE = noElement('NONE');
  const resolve = (d: Spdx2Doc, ref: string, own = idsOf(d.namespace)): Slot => {
    if (ref === 'NOASSERTION') return NOASSERTION;
    if (ref === 'NONE') return NONE;
    const m = ref.startsWith('DocumentRef-') ? /^(DocumentRef-[^:]+):(.+)$/.exec(ref) : null;
    if (!m) return slotOf(own, d.namespace, ref);
    const ns = d.externalRefs.get(m[1]!);
    if (!ns) throw new BeambakeError('SBOM_PARSE', `relationship names ${m[1]}, which externalDocumentRefs does not declare`, { file: d.file, entry: ref });
    return globalId(ns, m[2]!);
  };

  const edges: Edge[] = [];
  // the slots of each edge's source and target, in the order of `edges`
  const ends: Slot[] = [];
  const filesOf = new Map<Slot, number>();
  const described = new Map<Spdx2Doc, string[]>();
  let edgeCount = 0;
  const isDoc = (s: Slot): boolean => (s.doc ??= docIds.has(s.id) || s.id.endsWith('#SPDXRef-DOCUMENT'));
  for (const d of docs) {
    const desc = d.describes.map((r) => resolve(d, r).id);
    for (const r of desc) edgeCount++, fold.add('edge', 'documentDescribes: becomes the link from the device to this input', `${d.name} -> ${r}`);
    described.set(d, desc);
    const own = idsOf(d.namespace);
    const rels = d.relationships;
    for (let k = 0; k < rels.length; k += 3) {
      const r = { from: rels[k]!, type: rels[k + 1]!, to: rels[k + 2]! };
      edgeCount++;
      const sa = resolve(d, r.from, own);
      const sb = resolve(d, r.to, own);
      const a = sa.id;
      const b = sb.id;
      const label = () => `${r.from} ${r.type} ${r.to}`;
      if (sa === NOASSERTION || sa === NONE || sb === NOASSERTION || sb === NONE) {
        fold.add('edge', `${r.type} with a NOASSERTION/NONE end (no element to link)`, label());
        continue;
      }
      if (r.type === 'DESCRIBES' && isDoc(sa)) {
        described.get(d)!.push(b);
        fold.add('edge', 'DESCRIBES from a document: becomes the link from the device to this input', label());
        continue;
      }
      if (r.type === 'DESCRIBED_BY' && isDoc(sb)) {
        described.get(d)!.push(a);
        fold.add('edge', 'DESCRIBED_BY a document: becomes the link from the device to this input', label());
        continue;
      }
      if (isDoc(sa) || isDoc(sb)) {
        fold.add('edge', `${r.type} between documents (Yocto runtime/amend links; the packages they link are read directly)`, label());
        continue;
      }
      const aFile = sa.file;
      const bFile = sb.file;
      if ((aFile || bFile) && !opts.keepFiles) {
        if (r.type === 'CONTAINS' && !aFile && bFile) filesOf.set(sa, (filesOf.get(sa) ?? 0) + 1);
        fold.add('edge', `${r.type} with a file (files are folded into their package)`, label());
        continue;
      }
      const e = spdx2Edge(a, r.type, b);
      edges.push(e);
      if (e.from === a) ends.push(sa, sb);
      else ends.push(sb, sa);
    }
  }
  if (opts.keepFiles) {
    for (const d of docs) {
      for (const [local, name] of d.files) {
        const slot = globalId(d.namespace, local);
        slot.component = emptyComponent(slot.id, name.split('/').pop() || name, 'file');
        slot.component.filename = name;
        owned.push(slot);
      }
    }
  } else {
    for (const d of docs) {
      for (const [pkg, files] of d.hasFiles) {
        const slot = globalId(d.namespace, pkg);
        if (!filesOf.has(slot)) filesOf.set(slot, files.length);
      }
    }
    for (const d of docs) for (const name of d.files.values()) fold.add('component', 'SPDX file: folded into its package (counted in beambake:folded-files)', name);
    for (const [slot, n] of filesOf) slot.component?.properties.push({ name: PROP_FOLDED_FILES, value: String(n) });
  }

  // roots: what the root documents describe, minus what another described element already contains or depends on
  // Yocto's image document DESCRIBES nothing: its own packages are then the roots
  for (const d of rootDocs) {
    if ((described.get(d) ?? []).length > 0) continue;
    const own = d.components.map((c) => c.id);
    described.set(d, own);
    if (own.length > 0) notes.push(`${file}: ${d.name} describes nothing; its own package(s) are taken as the root`);
  }
  let roots = rootDocs.flatMap((d) => described.get(d) ?? []);
  const rootSet = new Set(roots);
  const childOfRoot = new Set(edges.filter((e) => rootSet.has(e.from) && rootSet.has(e.to) && e.from !== e.to).map((e) => e.to));
  const trimmed = roots.filter((r) => !childOfRoot.has(r));
  if (trimmed.length > 0 && trimmed.length < roots.length) {
    notes.push(`${file}: described elements ${roots.filter((r) => childOfRoot.has(r)).join(', ')} are linked from another described element, so they are not roots`);
    roots = trimmed;
  }
  roots = [...new Set(roots)].sort();
  if (docs.length > 1) {
    notes.push(`${file}: ${docs.length} SPDX documents linked by namespace; root document(s): ${rootDocs.map((d) => d.name).sort().join(', ') || 'none'}`);
  }

  const vex: VexStatement[] = [];
  for (const { component: c } of owned) {
    const cves = c!.properties.find((p) => p.name === PROP_CVES_FIXED);
    if (!cves) continue;
    for (const cve of cves.value.split(' ')) {
      vex.push({ vulnerability: cve, status: 'fixed', products: [c!.id], statement: 'Yocto: patched in the recipe (CVEs fixed in sourceInfo)' });
    }
  }

  // LicenseRef texts: documents of one Yocto build name the same licence alike; a different text under the same id is noted
  const licenseTexts: LicenseText[] = [];
  const byRef = new Map<string, LicenseText>();
  for (const d of docs) {
    for (const l of d.licenseTexts) {
      const before = byRef.get(l.id);
      if (!before) (byRef.set(l.id, l), licenseTexts.push(l));
      else if (before.text !== l.text) notes.push(`${file}: ${l.id} has another text in ${d.name}; the first one read is kept`);
    }
  }
  licenseTexts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const first = rootDocs[0] ?? docs[0]!;
  const { components: comps, edgeEnds } = componentsInIdOrder(owned, ends);
  for (const c of comps) c.sources = appended(c.sources, file);
  return {
    file,
    format,
    specVersion: first.spdxVersion,
    key,
    graph: {
      metadata: {
        name: first.name,
        ...(first.created ? { timestamp: first.created } : {}),
        authors: [],
        tools: first.creators.filter((c) => c.startsWith('Tool:')).map((c) => ({ name: c.slice(5).trim() })),
        serialNumber: first.namespace,
      },
      components: comps,
      edges,
      compositions: [],
      vex,
      ...(licenseTexts.length > 0 ? { licenseTexts } : {}),
    },
    roots,
    edgeEnds,
    aliases: new Map(),
    folded: fold.list(),
    counts: { components: comps.length + (opts.keepFiles ? 0 : files), edges: edgeCount },
    notes,
  };
}
