/**
 * The merge inputs read a second time, by plain JSON.parse, without any of
 * `src/sbom/`: what each input says about each of its packages, which
 * dependency/containment edges it states, and what it counts. Tests compare
 * the merged output against this, so a fact or edge the readers or the merge
 * drop is noticed even when the merge's own loss check agrees with itself.
 *
 * Element ids follow the origin scheme the merge records in `beambake:origin`:
 * SPDX 2 `<documentNamespace>#<SPDXID>`, SPDX 3 the spdxId, CycloneDX
 * `<serialNumber or sha256:<hex of the file>>#<bom-ref>`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RawFacts {
  input: string;
  id: string;
  name: string;
  versions: string[];
  purls: string[];
  cpes: string[];
  /** `SHA-256:<lowercase hex>` */
  hashes: string[];
  downloads: string[];
  declared: string[];
  concluded: string[];
  /** CycloneDX licences without an acknowledgement: declared or concluded, the input does not say. */
  undetermined: string[];
  cvesFixed: string[];
  suppliers: string[];
  /** The input names an e-mail address or URL of the component's creator. */
  creatorContact: boolean;
  filename?: string;
  bsi: Record<'executable' | 'archive' | 'structured', string | undefined>;
  sourceUri: boolean;
  deployableUri: boolean;
  /** The input states how complete the component's dependency list is. */
  completeness: boolean;
  /** Target of a dependency/containment edge of its input, or a root of it. */
  inGraph: boolean;
}

export interface RawEdge {
  from: string;
  to: string;
  kind: 'depends' | 'contains';
  label: string;
}

export interface RawInput {
  file: string;
  components: Map<string, RawFacts>;
  /** Ids of elements that are files (folded into packages by the merge). */
  files: Set<string>;
  edges: RawEdge[];
  roots: string[];
  /** OpenEmbedded SPDX 3 alias -> id. */
  aliases: Map<string, string>;
  /** What the input holds: package-like elements plus files, and relationships as the merge report counts them. */
  counts: { components: number; edges: number };
  /** SPDX 3 build_Build ids and the relationships from them (kept as build records, not component edges). */
  builds?: Map<string, RawEdge[]>;
}

const arr = (v: unknown): J[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const val = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' && v !== 'NOASSERTION' && v !== 'NONE' ? v : undefined);
const isContact = (s: string | undefined): boolean => !!s && (/^[^\s@()]+@[^\s@()]+\.[^\s@()]+$/.test(s) || /^https?:\/\/\S+$/.test(s));

export function hashKey(alg: string, value: string): string {
  const a = alg.toUpperCase().replace(/^SHA(\d)/, 'SHA-$1').replace(/^SHA-3-/, 'SHA3-');
  return `${a}:${value.toLowerCase()}`;
}

/** `Organization: Name (email)` -> Name. */
export function partyName(s: string): string {
  return s.replace(/^(Organization|Person|Tool)\s*:\s*/, '').replace(/\s*\([^()]*\)\s*$/, '').trim();
}

function blank(input: string, id: string, name: string): RawFacts {
  return {
    input,
    id,
    name,
    versions: [],
    purls: [],
    cpes: [],
    hashes: [],
    downloads: [],
    declared: [],
    concluded: [],
    undetermined: [],
    cvesFixed: [],
    suppliers: [],
    creatorContact: false,
    bsi: { executable: undefined, archive: undefined, structured: undefined },
    sourceUri: false,
    deployableUri: false,
    completeness: false,
    inGraph: false,
  };
}

function finish(r: RawInput): RawInput {
  const targets = new Set(r.edges.map((e) => e.to));
  for (const c of r.components.values()) c.inGraph = targets.has(c.id) || r.roots.includes(c.id);
  return r;
}

// ------------------------------------------------------------------ SPDX 2 (Yocto archive)

const SPDX2_EDGES: Record<string, { kind: RawEdge['kind']; reverse: boolean }> = {
  CONTAINS: { kind: 'contains', reverse: false },
  CONTAINED_BY: { kind: 'contains', reverse: true },
  PACKAGE_OF: { kind: 'contains', reverse: true },
  DEPENDS_ON: { kind: 'depends', reverse: false },
  DEPENDENCY_OF: { kind: 'depends', reverse: true },
  RUNTIME_DEPENDENCY_OF: { kind: 'depends', reverse: true },
  BUILD_DEPENDENCY_OF: { kind: 'depends', reverse: true },
  DEV_DEPENDENCY_OF: { kind: 'depends', reverse: true },
  TEST_DEPENDENCY_OF: { kind: 'depends', reverse: true },
  OPTIONAL_DEPENDENCY_OF: { kind: 'depends', reverse: true },
  PROVIDED_DEPENDENCY_OF: { kind: 'depends', reverse: true },
};

/** Every `*.spdx.json` of a Yocto `.spdx.tar.zst`, unpacked by the system tar. */
export function readYoctoArchive(file: string): RawInput {
  const dir = mkdtempSync(join(tmpdir(), 'raw-spdx2-'));
  try {
    const r = spawnSync('tar', ['--zstd', '-xf', file, '-C', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
    const docs = readdirSync(dir)
      .filter((n) => n.endsWith('.spdx.json'))
      .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as J);
    return spdx2Docs(file, docs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spdx2Docs(file: string, docs: J[]): RawInput {
  const out: RawInput = { file, components: new Map(), files: new Set(), edges: [], roots: [], aliases: new Map(), counts: { components: 0, edges: 0 } };
  const docIds = new Set(docs.map((d) => `${d.documentNamespace}#${d.SPDXID}`));
  const referenced = new Set(docs.flatMap((d) => arr(d.externalDocumentRefs).map((x) => String(x.spdxDocument))));
  const resolver = (d: J) => {
    const refs = new Map(arr(d.externalDocumentRefs).map((x) => [String(x.externalDocumentId), String(x.spdxDocument)]));
    return (id: string): string => {
      const m = /^(DocumentRef-[^:]+):(.+)$/.exec(id);
      return m ? `${refs.get(m[1]!)}#${m[2]}` : `${d.documentNamespace}#${id}`;
    };
  };
  const completeness = new Set<string>();
  for (const d of docs) {
    const ns = String(d.documentNamespace);
    for (const f of arr(d.files)) out.files.add(`${ns}#${f.SPDXID}`);
    out.counts.components += arr(d.files).length + arr(d.packages).length;
    for (const p of arr(d.packages)) {
      const c = blank(file, `${ns}#${p.SPDXID}`, String(p.name));
      if (val(p.versionInfo)) c.versions.push(p.versionInfo);
      for (const r of arr(p.externalRefs)) {
        if (/purl$/.test(String(r.referenceType))) c.purls.push(String(r.referenceLocator));
        else if (/cpe2[23]Type$/.test(String(r.referenceType))) c.cpes.push(String(r.referenceLocator));
        else if (r.referenceCategory === 'OTHER' && /^(vcs|source-distribution)$/.test(String(r.referenceType))) c.sourceUri = true;
      }
      for (const h of arr(p.checksums)) c.hashes.push(hashKey(String(h.algorithm), String(h.checksumValue)));
      const dl = val(p.downloadLocation);
      if (dl) {
        c.downloads.push(dl);
        // a VCS location (`git+https://...@rev`) is where the source lives, anything else the deployable form
        if (/^[a-z]+\+[a-z]+:\/\//.test(dl)) c.sourceUri = true;
        else c.deployableUri = true;
      }
      if (val(p.licenseDeclared)) c.declared.push(p.licenseDeclared);
      if (val(p.licenseConcluded)) c.concluded.push(p.licenseConcluded);
      const cves = /CVEs fixed:\s*([^\n]*)/.exec(String(p.sourceInfo ?? ''))?.[1];
      if (cves) c.cvesFixed.push(...cves.split(/\s+/).filter((x) => /^CVE-/.test(x)));
      for (const who of [val(p.supplier), val(p.originator)]) if (who && partyName(who)) c.suppliers.push(partyName(who));
      const contact = /\(([^()]*)\)\s*$/.exec(String(val(p.originator) ?? ''))?.[1];
      c.creatorContact = isContact(contact);
      if (val(p.packageFileName)) c.filename = p.packageFileName;
      for (const a of arr(p.annotations)) {
        const m = /^bsi:component:(executable|archive|structured)=(.*)$/.exec(String(a.comment ?? ''));
        if (m) c.bsi[m[1] as keyof RawFacts['bsi']] = m[2];
      }
      out.components.set(c.id, c);
    }
  }
  const described: string[] = [];
  for (const d of docs) {
    const resolve = resolver(d);
    const root = !referenced.has(String(d.documentNamespace));
    const own: string[] = [];
    for (const x of arr(d.documentDescribes)) {
      out.counts.edges++;
      own.push(resolve(String(x)));
    }
    for (const r of arr(d.relationships)) {
      out.counts.edges++;
      const a = String(r.spdxElementId);
      const b = String(r.relatedSpdxElement);
      const type = String(r.relationshipType);
      if (type === 'DESCRIBES' && docIds.has(resolve(a))) own.push(resolve(b));
      if (type === 'DEPENDS_ON' && (b === 'NONE' || b === 'NOASSERTION')) completeness.add(resolve(a));
      const spec = SPDX2_EDGES[type];
      if (!spec || [a, b].some((x) => x === 'NONE' || x === 'NOASSERTION')) continue;
      const [from, to] = spec.reverse ? [resolve(b), resolve(a)] : [resolve(a), resolve(b)];
      if ([from, to].some((x) => out.files.has(x) || docIds.has(x) || x.endsWith('#SPDXRef-DOCUMENT'))) continue;
      out.edges.push({ from, to, kind: spec.kind, label: `${d.name}: ${a} ${type} ${b}` });
    }
    if (root) described.push(...(own.length > 0 ? own : arr(d.packages).map((p) => `${d.documentNamespace}#${p.SPDXID}`)));
  }
  for (const id of completeness) if (out.components.has(id)) out.components.get(id)!.completeness = true;
  out.roots = [...new Set(described)];
  return finish(out);
}

// ------------------------------------------------------------------ SPDX 3

const SPDX3_EDGES: Record<string, RawEdge['kind']> = {
  contains: 'contains',
  hasOptionalComponent: 'contains',
  dependsOn: 'depends',
  hasOptionalDependency: 'depends',
  hasProvidedDependency: 'depends',
  hasDynamicLink: 'depends',
  hasStaticLink: 'depends',
  hasPrerequisite: 'depends',
};
// build_Build records are provenance, not components: the merge keeps them as build records (formulation / build_Build)
const SPDX3_PACKAGES = new Set(['software_Package', 'ai_AIPackage', 'dataset_DatasetPackage']);
const OE_BUILD_ALIAS = /\/UNIHASH\/build\//;
const SPDX3_FILES = new Set(['software_File', 'software_Snippet']);
const OE_ALIAS = 'https://rdf.openembedded.org/spdx/3.0/alias';
/** How OpenEmbedded names files of other recipes by alias. */
const OE_FILE_ALIAS = /\/UNIHASH\/(sourcefile|sysroot|file|package-file|packagefile)\//;

export function readSpdx3File(file: string): RawInput {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as J;
  const graph = arr(doc['@graph']);
  const out: RawInput = { file, components: new Map(), files: new Set(), edges: [], roots: [], aliases: new Map(), counts: { components: 0, edges: 0 } };
  const byId = new Map<string, J>();
  for (const e of graph) {
    const id = String(e.spdxId ?? e['@id'] ?? '');
    if (id) byId.set(id, e);
    for (const x of arr(e.extension)) if (typeof x[OE_ALIAS] === 'string') out.aliases.set(x[OE_ALIAS], id);
  }
  const rels = graph.filter((e) => String(e.type).endsWith('Relationship'));
  const agent = (id: unknown): J | undefined => byId.get(String(id));
  const agentContact = (a: J | undefined): boolean => arr(a?.externalIdentifier).some((x) => isContact(String(x.identifier ?? '')));
  for (const e of graph) {
    const id = String(e.spdxId ?? '');
    if (SPDX3_FILES.has(e.type)) {
      out.files.add(id);
      out.counts.components++;
      continue;
    }
    if (!SPDX3_PACKAGES.has(e.type)) continue;
    out.counts.components++;
    const c = blank(file, id, String(e.name ?? e.build_buildType ?? id));
    if (val(e.software_packageVersion)) c.versions.push(e.software_packageVersion);
    if (val(e.software_packageUrl)) c.purls.push(e.software_packageUrl);
    for (const x of arr(e.externalIdentifier)) {
      if (x.externalIdentifierType === 'packageUrl') c.purls.push(String(x.identifier));
      if (x.externalIdentifierType === 'cpe22' || x.externalIdentifierType === 'cpe23') c.cpes.push(String(x.identifier));
    }
    for (const h of arr(e.verifiedUsing)) c.hashes.push(hashKey(String(h.algorithm), String(h.hashValue)));
    if (val(e.software_downloadLocation)) {
      c.downloads.push(e.software_downloadLocation);
      c.deployableUri = true;
    }
    for (const r of arr(e.externalRef)) {
      if (r.externalRefType === 'binaryArtifact') c.deployableUri = true;
      if (r.externalRefType === 'sourceArtifact' || r.externalRefType === 'vcs') c.sourceUri = true;
    }
    const sup = agent(e.suppliedBy);
    if (sup?.name) c.suppliers.push(String(sup.name));
    for (const o of arr(e.originatedBy)) {
      const a = agent(o);
      if (a?.name) c.suppliers.push(String(a.name));
      if (agentContact(a)) c.creatorContact = true;
    }
    for (const r of rels.filter((x) => x.from === id)) {
      const exprs = arr(r.to).map((t) => byId.get(String(t))?.simplelicensing_licenseExpression).filter((x): x is string => typeof x === 'string');
      if (r.relationshipType === 'hasDeclaredLicense') c.declared.push(...exprs);
      if (r.relationshipType === 'hasConcludedLicense') c.concluded.push(...exprs);
      if (r.completeness !== undefined) c.completeness = true;
      if (r.relationshipType === 'hasDistributionArtifact') {
        const f = arr(r.to).map((t) => byId.get(String(t))).find((x) => x?.type === 'software_File');
        if (f?.name) c.filename = String(f.name);
        for (const h of arr(f?.verifiedUsing)) c.hashes.push(hashKey(String(h.algorithm), String(h.hashValue)));
        const purposes = arr(f?.software_additionalPurpose).map(String);
        if (f) {
          c.bsi.executable = purposes.includes('executable') ? 'executable' : 'non-executable';
          c.bsi.archive = purposes.includes('archive') ? 'archive' : 'no archive';
          c.bsi.structured = purposes.includes('container') ? 'structured' : purposes.includes('firmware') ? 'unstructured' : undefined;
        }
      }
    }
    out.components.set(id, c);
  }
  const docId = graph.find((e) => e.type === 'SpdxDocument');
  out.roots.push(...arr(docId?.rootElement).map(String));
  const isFile = (x: string) => out.files.has(x) || (!byId.has(x) && !out.aliases.has(x) && OE_FILE_ALIAS.test(x));
  const isBuild = (x: string) => byId.get(x)?.type === 'build_Build' || (!byId.has(x) && OE_BUILD_ALIAS.test(x));
  out.builds = new Map(graph.filter((e) => e.type === 'build_Build').map((e) => [String(e.spdxId), []]));
  for (const r of rels) {
    const to = arr(r.to).map(String);
    out.counts.edges += Math.max(to.length, 1);
    const kind = SPDX3_EDGES[String(r.relationshipType)];
    if (!String(r.type).match(/^(Relationship|LifecycleScopedRelationship)$/)) continue;
    for (const t of to) {
      if (t === 'NoneElement' || t === 'NoAssertionElement' || isFile(String(r.from)) || isFile(t)) continue;
      if (isBuild(String(r.from)) || isBuild(t)) {
        out.builds.get(String(r.from))?.push({ from: String(r.from), to: t, kind: kind ?? 'depends', label: `${r.spdxId}: ${r.relationshipType} ${t}` });
        continue;
      }
      if (!kind) continue;
      out.edges.push({ from: String(r.from), to: t, kind, label: `${r.spdxId}: ${r.relationshipType} ${t}` });
    }
  }
  // a root that is a build stands for the components it consumed and produced
  out.roots = out.roots.flatMap((r) => (out.builds!.has(r) ? out.builds!.get(r)!.map((e) => e.to).filter((x) => out.components.has(x)) : [r]));
  return finish(out);
}

// ------------------------------------------------------------------ CycloneDX JSON

export function readCycloneDxFile(file: string): RawInput {
  const bytes = readFileSync(file);
  const doc = JSON.parse(bytes.toString('utf8')) as J;
  const serial = typeof doc.serialNumber === 'string' && !/^urn:uuid:0{8}-0{4}-0{4}-0{4}-0{12}$/.test(doc.serialNumber) ? doc.serialNumber : undefined;
  const key = serial ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const out: RawInput = { file, components: new Map(), files: new Set(), edges: [], roots: [], aliases: new Map(), counts: { components: 0, edges: 0 } };
  const seen = new Map<string, number>();
  // components without a bom-ref are named by their content, as the CycloneDX reader documents
  const localId = (o: J): string => {
    if (typeof o['bom-ref'] === 'string' && o['bom-ref']) return o['bom-ref'];
    const content = JSON.stringify([o.type, o.group, o.name, o.version, o.purl, o.cpe]);
    const n = (seen.get(content) ?? 0) + 1;
    seen.set(content, n);
    return `content:${createHash('sha256').update(content).digest('hex').slice(0, 16)}${n > 1 ? `-${n}` : ''}`;
  };
  const stated = new Set<string>();
  for (const comp of arr(doc.compositions)) for (const r of [...arr(comp.dependencies), ...arr(comp.assemblies)]) stated.add(`${key}#${r}`);
  const add = (o: J, parent?: string): string => {
    out.counts.components++;
    const id = `${key}#${localId(o)}`;
    const c = blank(file, id, String(o.name));
    if (val(o.version)) c.versions.push(o.version);
    if (val(o.purl)) {
      c.purls.push(o.purl);
      const q = /[?&]checksums?=([^&#]+)/.exec(o.purl)?.[1];
      for (const cs of q ? decodeURIComponent(q).split(',') : []) c.hashes.push(hashKey(cs.split(':')[0]!, cs.split(':')[1]!));
    }
    if (val(o.cpe)) c.cpes.push(o.cpe);
    for (const h of arr(o.hashes)) c.hashes.push(hashKey(String(h.alg), String(h.content)));
    for (const r of arr(o.externalReferences)) {
      for (const h of arr(r.hashes)) c.hashes.push(hashKey(String(h.alg), String(h.content)));
      if (r.type === 'distribution') {
        c.downloads.push(String(r.url));
        c.deployableUri = true;
      }
      if (r.type === 'vcs' || r.type === 'source-distribution') c.sourceUri = true;
    }
    for (const l of arr(o.licenses)) {
      const text = l.expression ?? l.license?.id ?? l.license?.name;
      if (typeof text !== 'string') continue;
      const ack = l.acknowledgement ?? l.license?.acknowledgement;
      (ack === 'declared' ? c.declared : ack === 'concluded' ? c.concluded : c.undetermined).push(text);
    }
    for (const p of [o.supplier, o.manufacturer]) if (p?.name) c.suppliers.push(partyName(String(p.name)));
    if (val(o.author)) c.suppliers.push(o.author);
    if (val(o.publisher)) c.suppliers.push(o.publisher);
    for (const a of arr(o.authors)) if (a.name) c.suppliers.push(String(a.name));
    c.creatorContact = arr(o.manufacturer?.contact).some((x) => isContact(x.email)) || arr(o.manufacturer?.url).some((u) => isContact(String(u)));
    for (const p of arr(o.properties)) {
      const name = String(p.name);
      if (name === 'bsi:component:filename') c.filename = String(p.value);
      const m = /^bsi:component:(executable|archive|structured)$/.exec(name);
      if (m) c.bsi[m[1] as keyof RawFacts['bsi']] = String(p.value);
      if (name === 'beambake:cpe') c.cpes.push(String(p.value));
      if (name === 'beambake:license:declared') c.declared.push(String(p.value));
    }
    c.completeness = stated.has(id);
    out.components.set(id, c);
    if (parent) {
      out.counts.edges++;
      out.edges.push({ from: parent, to: id, kind: 'contains', label: `${parent} nests ${id}` });
    }
    for (const child of arr(o.components)) add(child, id);
    return id;
  };
  if (doc.metadata?.component) out.roots.push(add(doc.metadata.component));
  const top = arr(doc.components).map((c) => add(c));
  for (const d of arr(doc.dependencies)) {
    for (const t of [...arr(d.dependsOn), ...arr(d.provides)]) out.counts.edges++;
    for (const t of arr(d.dependsOn)) out.edges.push({ from: `${key}#${d.ref}`, to: `${key}#${t}`, kind: 'depends', label: `${d.ref} dependsOn ${t}` });
  }
  if (out.roots.length === 0) {
    const targets = new Set(out.edges.map((e) => e.to));
    out.roots.push(...top.filter((id) => !targets.has(id)));
  }
  return finish(out);
}

export function readRawInput(file: string): RawInput {
  if (file.endsWith('.tar.zst')) return readYoctoArchive(file);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as J;
  if ('@graph' in doc) return readSpdx3File(file);
  if (doc.bomFormat === 'CycloneDX') return readCycloneDxFile(file);
  throw new Error(`raw-inputs: no reader for ${file}`);
}
