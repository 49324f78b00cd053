/**
 * SPDX 3.0.x JSON-LD (`@context` + `@graph`), as OpenEmbedded's
 * create-spdx-3.0 writes it. `@graph` is streamed element by element;
 * relationships are kept in compact form until the end, because an element
 * may be named before it appears.
 */
import { createHash } from 'node:crypto';
import { emptyComponent, type BuildRecord, type Component, type Edge, type EdgeType, type Party, type VexStatement } from '../model.js';
import { BeambakeError } from '../../util/errors.js';
import { scanJsonFile } from './json-scan.js';
import { arr, componentType, isObj, normCpe, normHash, str, withHash, PROP_FOLDED_FILES } from './common.js';
import { appended } from '../../util/small-array.js';
import { FoldLog, type InputSbom, type ReadOptions } from './types.js';

const PACKAGE_TYPES = new Set(['software_Package', 'ai_AIPackage', 'dataset_DatasetPackage']);
/** OpenEmbedded names builds of other recipes by alias: `acl/UNIHASH/build/recipe`. */
const BUILD_ALIAS = /\/UNIHASH\/build\//;
export const SPDX3_CONTEXT_URL = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
const FILE_TYPES = new Set(['software_File', 'software_Snippet']);
const AGENT_TYPES = new Set(['Agent', 'Organization', 'Person', 'SoftwareAgent', 'Tool']);
const VEX_STATUS: Record<string, VexStatement['status']> = {
  security_VexAffectedVulnAssessmentRelationship: 'affected',
  security_VexFixedVulnAssessmentRelationship: 'fixed',
  security_VexNotAffectedVulnAssessmentRelationship: 'not_affected',
  security_VexUnderInvestigationVulnAssessmentRelationship: 'under_investigation',
};
const JUSTIFICATION: Record<string, string> = {
  componentNotPresent: 'component_not_present',
  vulnerableCodeNotPresent: 'vulnerable_code_not_present',
  vulnerableCodeNotInExecutePath: 'vulnerable_code_not_in_execute_path',
  vulnerableCodeCannotBeControlledByAdversary: 'vulnerable_code_cannot_be_controlled_by_adversary',
  inlineMitigationsAlreadyExist: 'inline_mitigations_already_exist',
};
const NONE_IDS = new Set(['NoneElement', 'NoAssertionElement', 'https://spdx.org/rdf/3.0.1/terms/Core/NoneElement', 'https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement']);
const OE_ALIAS = 'https://rdf.openembedded.org/spdx/3.0/alias';
/** Alias paths OpenEmbedded gives files of other recipes (sources, sysroot, packaged files). */
const FILE_ALIAS = /\/UNIHASH\/(sourcefile|sysroot|file|package-file|packagefile)\//;

/** SPDX 3 relationship type (+ lifecycle scope) -> edge; `rev` flips direction. */
function mapType(rel: string, scope: string | undefined): { type: EdgeType; rev?: boolean; keep?: boolean } {
  switch (rel) {
    case 'contains':
      return { type: 'CONTAINS' };
    case 'hasOptionalComponent':
      return { type: 'CONTAINS', keep: true };
    case 'dependsOn':
      if (scope === 'build') return { type: 'BUILD_DEPENDS_ON' };
      if (scope === 'dev' || scope === 'test') return { type: 'DEV_DEPENDS_ON' };
      return { type: 'DEPENDS_ON' };
    case 'hasOptionalDependency':
      return { type: 'OPTIONAL_DEPENDS_ON' };
    case 'hasProvidedDependency':
    case 'hasDynamicLink':
    case 'hasStaticLink':
    case 'hasPrerequisite':
      return { type: 'DEPENDS_ON', keep: true };
    case 'usesTool':
    case 'hasInput':
      return { type: 'BUILD_DEPENDS_ON', keep: true };
    case 'generates':
    case 'hasOutput':
      return { type: 'GENERATED_FROM', rev: true, keep: true };
    default:
      return { type: 'OTHER', keep: true };
  }
}

interface Rel {
  cls: string;
  type: string;
  from: string;
  to: string[];
  scope?: string;
  justification?: string;
  impact?: string;
  action?: string;
}

export async function readSpdx3(file: string, opts: ReadOptions = {}): Promise<InputSbom> {
  const fold = new FoldLog();
  const components = new Map<string, Component>();
  const files = new Map<string, string>();
  const licenses = new Map<string, string>();
  const vulns = new Map<string, string>();
  const agents = new Map<string, Party>();
  const aliases = new Map<string, string>();
  const rels: Rel[] = [];
  const supplierOf = new Map<Component, string>();
  const sha = createHash('sha256');
  let context: unknown;
  let docId: string | undefined;
  let docName: string | undefined;
  let rootElements: string[] = [];
  const sbomRoots = new Map<string, string[]>();
  const builds = new Map<string, BuildRecord>();
  const idWhere = new Map<string, number>();
  let created: string | undefined;
  let specVersion = '3.0';
  const tools: string[] = [];

  const onElement = (e: unknown, i: number) => {
    if (!isObj(e)) throw new BeambakeError('SBOM_PARSE', 'expected an object', { file, entry: `@graph[${i}]` });
    const type = str(e.type) ?? str(e['@type']);
    if (!type) throw new BeambakeError('SBOM_PARSE', 'element without "type"', { file, entry: `@graph[${i}]` });
    const id = str(e.spdxId) ?? str(e['@id']);
    for (const x of arr(e.extension)) {
      if (isObj(x) && typeof x[OE_ALIAS] === 'string' && id) aliases.set(x[OE_ALIAS] as string, id);
    }
    if (type === 'CreationInfo') {
      created ??= str(e.created);
      if (str(e.specVersion)) specVersion = String(e.specVersion);
      return;
    }
    if (!id) {
      if (type.endsWith('Relationship') || PACKAGE_TYPES.has(type) || FILE_TYPES.has(type)) {
        throw new BeambakeError('SBOM_PARSE', `${type} without spdxId`, { file, entry: `@graph[${i}]` });
      }
      return;
    }
    const before = idWhere.get(id);
    if (before !== undefined) {
      throw new BeambakeError('SBOM_DUPLICATE_ID', `spdxId ${id} is used twice (first at @graph[${before}])`, { file, entry: `@graph[${i}]` });
    }
    idWhere.set(id, i);
    if (type === 'build_Build') {
      // provenance, not a component: kept as a build record (CycloneDX formulation, SPDX 3 build_Build)
      const b: BuildRecord = { id, inputs: [], outputs: [], dependsOn: [], properties: [], sources: [file] };
      if (str(e.name)) b.name = String(e.name);
      if (str(e.build_buildType)) b.buildType = String(e.build_buildType);
      if (str(e.build_buildId)) b.properties.push({ name: 'spdx3:buildId', value: String(e.build_buildId) });
      for (const k of ['build_buildStartTime', 'build_buildEndTime'] as const) if (str(e[k])) b.properties.push({ name: `spdx3:${k.slice(6)}`, value: String(e[k]) });
      builds.set(id, b);
      return;
    }
    if (type === 'software_Sbom') {
      sbomRoots.set(id, arr(e.rootElement).filter((x): x is string => typeof x === 'string'));
      return;
    }
    if (type.endsWith('Relationship')) {
      const from = str(e.from);
      const rt = str(e.relationshipType);
      if (!from || !rt) throw new BeambakeError('SBOM_PARSE', `${type} needs "from" and "relationshipType"`, { file, entry: `@graph[${i}] ${id}` });
      const r: Rel = { cls: type, type: rt, from, to: arr(e.to).filter((x): x is string => typeof x === 'string') };
      if (str(e.scope)) r.scope = String(e.scope);
      if (str(e.security_justificationType)) r.justification = String(e.security_justificationType);
      if (str(e.security_impactStatement)) r.impact = String(e.security_impactStatement);
      if (str(e.security_actionStatement)) r.action = String(e.security_actionStatement);
      rels.push(r);
      return;
    }
    if (FILE_TYPES.has(type)) {
      files.set(id, str(e.name) ?? id);
      if (!opts.keepFiles) return;
    }
    if (PACKAGE_TYPES.has(type) || FILE_TYPES.has(type)) {
      const name = str(e.name) ?? id;
      const c = emptyComponent(id, name, FILE_TYPES.has(type) ? 'file' : componentType(e.software_primaryPurpose, 'library'));
      if (type !== 'software_Package') c.properties.push({ name: 'spdx3:type', value: type });
      if (str(e.software_primaryPurpose)) c.properties.push({ name: 'spdx3:primaryPurpose', value: String(e.software_primaryPurpose) });
      const v = str(e.software_packageVersion);
      if (v) c.version = v;
      if (str(e.software_packageUrl)) c.purl = String(e.software_packageUrl);
      for (const x of arr(e.externalIdentifier)) {
        if (!isObj(x)) continue;
        const t = str(x.externalIdentifierType);
        const val = str(x.identifier);
        if (!val) continue;
        if (t === 'cpe23' || t === 'cpe22') {
          const cpe = normCpe(val);
          if (cpe && !c.cpes.includes(cpe)) c.cpes.push(cpe);
        } else if (t === 'packageUrl') c.purl ??= val;
      }
      for (const h of arr(e.verifiedUsing)) if (isObj(h)) c.hashes = withHash(c.hashes, normHash(h.algorithm, h.hashValue));
      const dl = str(e.software_downloadLocation);
      if (dl) c.downloadLocation = dl;
      if (str(e.software_homePage)) c.externalRefs.push({ type: 'website', url: String(e.software_homePage) });
      for (const x of arr(e.externalRef)) {
        if (!isObj(x)) continue;
        for (const loc of arr(x.locator)) if (typeof loc === 'string') c.externalRefs.push({ type: 'other', url: loc, comment: str(x.externalRefType) });
      }
      const desc = str(e.description) ?? str(e.summary);
      if (desc) c.description = desc;
      if (str(e.software_copyrightText)) c.copyright = String(e.software_copyrightText);
      if (str(e.software_sourceInfo)) c.properties.push({ name: 'spdx:sourceInfo', value: String(e.software_sourceInfo) });
      const sup = str(e.suppliedBy);
      if (sup) supplierOf.set(c, sup);
      for (const o of arr(e.originatedBy)) if (typeof o === 'string') c.authors.push(o);
      if (FILE_TYPES.has(type)) c.filename = name;
      components.set(id, c);
      return;
    }
    if (type === 'simplelicensing_LicenseExpression') {
      if (str(e.simplelicensing_licenseExpression)) licenses.set(id, String(e.simplelicensing_licenseExpression));
    } else if (type.startsWith('expandedlicensing_')) {
      const lid = str(e.expandedlicensing_licenseId) ?? str(e.name);
      if (lid) licenses.set(id, lid);
    } else if (type === 'security_Vulnerability') {
      let name = str(e.name);
      for (const x of arr(e.externalIdentifier)) if (isObj(x) && str(x.identifier) && !name) name = String(x.identifier);
      vulns.set(id, name ?? id.split('/').pop()!);
    } else if (AGENT_TYPES.has(type)) {
      const party: Party = {};
      if (str(e.name)) party.name = String(e.name);
      for (const x of arr(e.externalIdentifier)) {
        if (!isObj(x) || !str(x.identifier)) continue;
        if (x.externalIdentifierType === 'email') party.email ??= String(x.identifier);
        else if (x.externalIdentifierType === 'urlScheme' || /^https?:\/\//.test(String(x.identifier))) (party.urls ??= []).push(String(x.identifier));
      }
      if (party.name || party.email || party.urls) agents.set(id, party);
      if (type === 'Tool' && str(e.name)) tools.push(String(e.name));
    } else if (type === 'SpdxDocument') {
      docId ??= id;
      docName ??= str(e.name);
      rootElements = arr(e.rootElement).filter((x): x is string => typeof x === 'string');
    }
  };

  await scanJsonFile(
    file,
    {
      streamed: (k) => k === '@graph',
      onValue(k, v) {
        if (k === '@context') context = v;
      },
      onElement: (_k, v, i) => onElement(v, i),
    },
    (b) => {
      sha.update(b);
      opts.onBytes?.(b.length);
    },
  );
  const ctx = JSON.stringify(context ?? '');
  if (!/spdx\.org\/rdf\/3\./.test(ctx)) {
    throw new BeambakeError('SBOM_UNSUPPORTED', `not an SPDX 3 JSON-LD document (@context ${ctx.slice(0, 80)})`, { file, entry: '@context' });
  }
  // terms mean what this version's context says: a document written against another context is not read as if it were 3.0.1
  if (!arr(context).includes(SPDX3_CONTEXT_URL)) {
    throw new BeambakeError('SBOM_UNSUPPORTED', `@context ${ctx.slice(0, 100)} is not the SPDX 3.0.1 context (${SPDX3_CONTEXT_URL}); only SPDX 3.0.1 is read`, { file, entry: '@context' });
  }
  const key = docId ?? `sha256:${sha.digest('hex')}`;

  for (const [c, agent] of supplierOf) {
    const party = agents.get(agent);
    if (party) c.supplier = structuredClone(party);
  }
  // originatedBy is the creator (BSI "component creator"), as the writers map it; further originators are authors
  for (const c of components.values()) {
    const [creator, ...others] = c.authors;
    if (creator !== undefined) c.manufacturer = structuredClone(agents.get(creator) ?? { name: creator });
    c.authors = others.map((a) => agents.get(a)?.name ?? a);
  }

  const edges: Edge[] = [];
  const vex: VexStatement[] = [];
  const filesOf = new Map<string, number>();
  const roots = new Set(rootElements);
  let edgeCount = 0;
  const isFile = (x: string) => !opts.keepFiles && (files.has(x) || (!components.has(x) && FILE_ALIAS.test(x)));
  for (const r of rels) {
    const targets = r.to.length > 0 ? r.to : [''];
    edgeCount += targets.length;
    const label = (t: string) => `${r.from} ${r.type} ${t}`;
    const status = VEX_STATUS[r.cls];
    if (status) {
      const stmt: VexStatement = { vulnerability: vulns.get(r.from) ?? r.from, status, products: r.to.slice() };
      if (r.justification) stmt.justification = JUSTIFICATION[r.justification] ?? r.justification;
      if (r.impact || r.action) stmt.statement = r.impact ?? r.action;
      vex.push(stmt);
      for (const t of targets) fold.add('edge', 'VEX assessment: exported as OpenVEX, not into the SBOM (BSI TR-03183-2 §3.1)', label(t));
      continue;
    }
    if (r.type === 'hasDeclaredLicense' || r.type === 'hasConcludedLicense') {
      const exprs = r.to.filter((t) => !NONE_IDS.has(t)).map((t) => licenses.get(t) ?? t);
      const c = components.get(r.from);
      if (c && exprs.length > 0) {
        const expr = exprs.length === 1 ? exprs[0]! : exprs.map((x) => `(${x})`).join(' AND ');
        if (r.type === 'hasDeclaredLicense') c.licenses.declared = expr;
        else c.licenses.concluded = expr;
      }
      const why = c ? 'licence relationship: kept as the component’s declared/concluded licence' : isFile(r.from) ? 'licence of a file (files are folded into their package)' : 'licence relationship of a non-component element';
      for (const t of targets) fold.add('edge', NONE_IDS.has(t) ? `${r.type} NoneElement (no licence stated)` : why, label(t));
      continue;
    }
    if (vulns.has(r.from) || r.to.some((t) => vulns.has(t))) {
      for (const t of targets) fold.add('edge', `${r.type} with a vulnerability: not SBOM content (BSI TR-03183-2 §3.1)`, label(t));
      continue;
    }
    for (const t of targets) {
      if (t === '' || NONE_IDS.has(t) || NONE_IDS.has(r.from)) {
        fold.add('edge', `${r.type} with a NoneElement/NoAssertionElement end`, label(t));
        continue;
      }
      if (r.type === 'describes' && r.from === docId) {
        roots.add(t);
        fold.add('edge', 'describes from the document: becomes the link from the device to this input', label(t));
        continue;
      }
      if (isFile(r.from) || isFile(t)) {
        if (!isFile(r.from) && ['contains', 'hasInput', 'hasOutput'].includes(r.type)) filesOf.set(r.from, (filesOf.get(r.from) ?? 0) + 1);
        fold.add('edge', `${r.type} with a file (files are folded into their package or build)`, label(t));
        continue;
      }
      const isBuild = (x: string) => builds.has(x) || (!components.has(x) && BUILD_ALIAS.test(x));
      if (isBuild(r.from) || isBuild(t)) {
        const b = builds.get(r.from);
        if (b) {
          if (isBuild(t)) b.dependsOn.push(t);
          else if (r.type === 'hasOutput') b.outputs.push(t);
          else b.inputs.push(t);
        }
        fold.add('edge', `${r.type} of a build: kept with the build record (CycloneDX formulation, SPDX 3 build_Build), builds are not components`, label(t));
        continue;
      }
      const m = mapType(r.type, r.scope);
      const [from, to] = m.rev ? [t, r.from] : [r.from, t];
      const originalType = r.scope ? `${r.type}(${r.scope})` : r.type;
      edges.push({ from, to, type: m.type, ...(m.keep || r.cls !== 'Relationship' ? { originalType } : {}) });
    }
  }
  if (!opts.keepFiles) {
    for (const name of files.values()) fold.add('component', 'SPDX 3 software_File/Snippet: folded into its package or build (counted in beambake:folded-files)', name);
    for (const [id, n] of filesOf) components.get(id)?.properties.push({ name: PROP_FOLDED_FILES, value: String(n) });
  }
  const comps = [...components.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const c of comps) c.sources = appended(c.sources, file);
  // the document's roots: through a software_Sbom to its rootElements; a build root stands for what it consumed and produced
  const notes: string[] = [];
  const rootSet = new Set<string>();
  const expand = (r: string, depth: number): void => {
    if (r === docId || depth > 4) return;
    const viaSbom = sbomRoots.get(r);
    if (viaSbom) return viaSbom.forEach((x) => expand(x, depth + 1));
    const b = builds.get(r);
    if (b) {
      const parts = [...b.inputs, ...b.outputs].filter((x) => components.has(x));
      notes.push(`${file}: root element ${b.name ?? r} is a build (kept in formulation); ${parts.length > 0 ? `its component input(s)/output(s) ${parts.map((x) => components.get(x)!.name).join(', ')} hang under the device` : 'it consumed and produced no component'}`);
      parts.forEach((x) => rootSet.add(x));
      return;
    }
    rootSet.add(r);
  };
  const given = roots.size > 0 ? [...roots] : [...sbomRoots.values()].flat();
  for (const r of given) expand(r, 0);
  // a build's component outputs are generated from its component inputs (hasOutput / hasInput): so the sources of
  // a package the document contains are reachable through it; outputs nothing contains are built, not shipped
  const implied: (Edge & { reason: string })[] = [];
  const detached = new Map<string, string>();
  for (const b of builds.values()) {
    const ins = [...new Set(b.inputs.filter((x) => components.has(x)))];
    const outs = [...new Set(b.outputs.filter((x) => components.has(x)))];
    for (const o of outs) for (const i of ins) implied.push({ from: o, to: i, type: 'GENERATED_FROM', originalType: 'hasOutput/hasInput of a build', reason: `output and input of build ${b.name ?? b.id}` });
    for (const o of outs) detached.set(o, `output of build ${b.name ?? b.id} that nothing in the document contains (built, not shown as part of the product)`);
    for (const i of ins) detached.set(i, `input of build ${b.name ?? b.id}, none of whose outputs the product contains`);
  }
  if (rootSet.size === 0) {
    const targets = new Set(edges.map((e) => e.to));
    for (const c of components.values()) if (!targets.has(c.id)) rootSet.add(c.id);
    notes.push(`${file}: the document names no rootElement; its ${rootSet.size} top-level component(s) (nothing links to them) hang under the device`);
  }
  const rootList = [...rootSet].sort();
  return {
    file,
    format: 'spdx3-jsonld',
    specVersion,
    key,
    graph: {
      metadata: { name: docName ?? file, ...(created ? { timestamp: created } : {}), authors: [], tools: tools.sort().map((name) => ({ name })), serialNumber: key },
      components: comps,
      edges,
      compositions: [],
      vex,
      ...(builds.size > 0 ? { builds: [...builds.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) } : {}),
    },
    roots: rootList,
    aliases,
    folded: fold.list(),
    counts: { components: comps.length + (opts.keepFiles ? 0 : files.size), edges: edgeCount },
    notes,
    ...(implied.length > 0 ? { impliedEdges: implied } : {}),
    ...(detached.size > 0 ? { detached } : {}),
  };
}
