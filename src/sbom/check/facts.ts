/**
 * The facts the conformance profiles ask about, read from each SBOM format
 * where BSI TR-03183-2 v2.1 (§8.2 mapping tables) and the NTIA minimum
 * elements put them. One small record per component, so the profile rules
 * are written once for every format.
 */
import { XMLParser } from 'fast-xml-parser';
import { parseXml } from '../../util/xml.js';
import { isLicenseFact, isSpdxExpression } from '../writers/licenses.js';
import { cyclonedxGraph, spdx2Graph, spdx3Graph, type GraphFacts } from './graph.js';

export type SbomKind = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx2-json' | 'spdx3-json';

export interface ComponentFacts {
  /** How the report names the component: `name@version` plus its reference. */
  label: string;
  /** Its identifier in the document (bom-ref, SPDXID, spdxId). */
  ref?: string;
  name?: string;
  version?: string;
  /** E-mail or URL of the component creator (BSI). */
  creatorContact?: string;
  /** Supplier or author name (NTIA). */
  supplierName?: string;
  filename?: string;
  /** The component has a dependency statement (possibly empty) in the document. */
  dependenciesListed: boolean;
  /** Completeness of its dependency list is stated. */
  completenessStated: boolean;
  /** It is the target of a dependency/containment edge, or the root. */
  inGraph: boolean;
  distributionLicense?: string;
  originalLicense?: string;
  /** Algorithms of the deployable's hashes. */
  deployableHashAlgs: string[];
  executable?: string;
  archive?: string;
  structured?: string;
  sourceUri?: string;
  deployableUri?: string;
  identifiers: string[];
}

export interface DocumentFacts {
  kind: SbomKind;
  specVersion: string;
  creatorContact?: string;
  /** Any statement of who authored the SBOM data (NTIA). */
  author?: string;
  timestamp?: string;
  sbomUri?: string;
  components: ComponentFacts[];
  /** Identifiers, references and edges as written (duplicates, dangling references, reachability). */
  graph: GraphFacts;
}

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// null entries are schema errors the report already names; dropping them keeps the facts pass from crashing on them
const arr = (v: unknown): J[] =>
  Array.isArray(v) ? (v as J[]).filter((x) => x !== null && x !== undefined) : v === undefined || v === null ? [] : [v as J];
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const isUrl = (s: string | undefined): s is string => !!s && /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(s);
/** A VCS download location (`git+https://...@rev`) says where the source is, not the deployable. */
const isVcs = (s: string | undefined): boolean => !!s && /^[a-z0-9]+\+[a-z][a-z0-9+.-]*:\/\//i.test(s);
const isEmail = (s: string | undefined): s is string => !!s && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

function label(name: string | undefined, version: string | undefined, ref: string | undefined): string {
  return `${name ?? '(unnamed)'}${version ? `@${version}` : ''}${ref && ref !== name ? ` [${ref}]` : ''}`;
}

// ---------------------------------------------------------------- CycloneDX

function cdxContact(entity: J | undefined): string | undefined {
  if (!entity) return undefined;
  const email = arr(entity.contact).map((c) => str(c.email)).find(isEmail);
  return email ?? arr(entity.url).map(str).find(isUrl);
}

function cdxLicense(c: J, ack: 'concluded' | 'declared'): string | undefined {
  const found: string[] = [];
  for (const l of arr(c.licenses)) {
    if (l.expression !== undefined) {
      if (l.acknowledgement === ack) found.push(String(l.expression));
    } else if (l.license && l.license.acknowledgement === ack) {
      const id = str(l.license.id) ?? str(l.license.name);
      if (id) found.push(id);
    }
  }
  return found.length > 0 ? found.join(' AND ') : undefined;
}

/** Reads CycloneDX 1.4-1.6 in the JSON shape (the XML is converted to it first). */
export function cyclonedxFacts(doc: J, kind: SbomKind): DocumentFacts {
  const meta: J = doc.metadata ?? {};
  const root: J | undefined = meta.component;
  const all: J[] = [];
  const walk = (list: J[]): void => {
    for (const c of list) {
      all.push(c);
      walk(arr(c.components));
    }
  };
  if (root) all.push(root);
  walk(arr(doc.components));
  const deps = new Map<string, J>();
  const targets = new Set<string>();
  for (const d of arr(doc.dependencies)) {
    if (d.ref) deps.set(String(d.ref), d);
    for (const t of arr(d.dependsOn)) targets.add(String(t));
  }
  const nested = new Set<string>();
  for (const c of all) for (const child of arr(c.components)) if (child['bom-ref']) nested.add(String(child['bom-ref']));
  const stated = new Set<string>();
  for (const comp of arr(doc.compositions)) {
    for (const r of [...arr(comp.dependencies), ...arr(comp.assemblies)]) stated.add(String(r));
  }
  const prop = (c: J, name: string): string | undefined => arr(c.properties).find((p) => p.name === name)?.value;
  const components = all.map((c): ComponentFacts => {
    const ref = str(c['bom-ref']);
    const refs = arr(c.externalReferences);
    const dist = refs.filter((r) => r.type === 'distribution');
    return {
      label: label(str(c.name), str(c.version), ref),
      ref,
      name: str(c.name),
      version: str(c.version),
      creatorContact: cdxContact(c.manufacturer),
      supplierName: str(c.supplier?.name) ?? str(c.manufacturer?.name) ?? str(c.publisher) ?? str(c.author) ?? arr(c.authors).map((a) => str(a.name)).find(Boolean),
      filename: prop(c, 'bsi:component:filename'),
      dependenciesListed: ref !== undefined && deps.has(ref),
      completenessStated: ref !== undefined && stated.has(ref),
      inGraph: c === root || (ref !== undefined && (targets.has(ref) || nested.has(ref))),
      distributionLicense: cdxLicense(c, 'concluded'),
      // beambake writes a declared licence CycloneDX cannot hold beside the concluded expression as a property
      originalLicense: cdxLicense(c, 'declared') ?? prop(c, 'beambake:license:declared'),
      deployableHashAlgs: dist.flatMap((r) => arr(r.hashes).map((h) => String(h.alg))),
      executable: prop(c, 'bsi:component:executable'),
      archive: prop(c, 'bsi:component:archive'),
      structured: prop(c, 'bsi:component:structured'),
      sourceUri: refs.find((r) => r.type === 'source-distribution' || r.type === 'vcs')?.url,
      deployableUri: dist.find((r) => str(r.url))?.url,
      identifiers: [str(c.purl), str(c.cpe), str(c.swid?.tagId)].filter((x): x is string => !!x),
    };
  });
  const creator = cdxContact(meta.manufacturer) ?? arr(meta.authors).map((a) => str(a.email)).find(isEmail);
  const tools = Array.isArray(meta.tools) ? arr(meta.tools) : [...arr(meta.tools?.components), ...arr(meta.tools?.services)];
  return {
    kind,
    specVersion: String(doc.specVersion ?? ''),
    creatorContact: creator,
    author: creator ?? str(meta.manufacturer?.name) ?? arr(meta.authors).map((a) => str(a.name)).find(Boolean) ?? str(meta.supplier?.name) ?? tools.map((t: J) => str(t.name)).find(Boolean),
    timestamp: str(meta.timestamp),
    sbomUri: str(doc.serialNumber),
    components,
    graph: cyclonedxGraph(doc),
  };
}

/** CycloneDX XML -> the JSON shape, for the elements the profiles read. */
export function cyclonedxXmlToJsonShape(text: string, file = ''): J {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    // metadata/component is the one singular `component` element.
    isArray: (name, jpath) =>
      ['component', 'dependency', 'composition', 'reference', 'hash', 'license', 'expression', 'property', 'url', 'contact', 'author'].includes(name) &&
      String(jpath) !== 'bom.metadata.component',
  });
  const x = parseXml(parser, text, file) as J;
  const bom: J = x.bom ?? {};
  const text_ = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' ? str((v as J)['#text']) : undefined);
  const entity = (e: J | undefined): J | undefined =>
    e ? { name: text_(e.name), url: arr(e.url).map(text_), contact: arr(e.contact).map((c) => ({ name: text_(c.name), email: text_(c.email) })) } : undefined;
  const comp = (c: J): J => ({
    'bom-ref': c['@bom-ref'],
    type: c['@type'],
    name: text_(c.name),
    version: text_(c.version),
    supplier: entity(c.supplier),
    manufacturer: entity(c.manufacturer),
    publisher: text_(c.publisher),
    author: typeof c.author === 'string' ? c.author : undefined,
    authors: arr(c.authors?.author).map((a) => ({ name: text_(a.name) })),
    purl: text_(c.purl),
    cpe: text_(c.cpe),
    swid: c.swid ? { tagId: c.swid['@tagId'] } : undefined,
    licenses: [
      ...arr(c.licenses?.license).map((l) => ({ license: { id: text_(l.id), name: text_(l.name), acknowledgement: l['@acknowledgement'] } })),
      ...arr(c.licenses?.expression).map((e) => ({ expression: text_(e), acknowledgement: typeof e === 'object' ? e['@acknowledgement'] : undefined })),
    ],
    externalReferences: arr(c.externalReferences?.reference).map((r) => ({
      type: r['@type'],
      url: text_(arr(r.url)[0]),
      hashes: arr(r.hashes?.hash).map((h) => ({ alg: h['@alg'], content: text_(h) })),
    })),
    properties: arr(c.properties?.property).map((p) => ({ name: p['@name'], value: text_(p) })),
    components: arr(c.components?.component).map(comp),
  });
  const meta: J = bom.metadata ?? {};
  return {
    // removeNSPrefix drops xmlns, so take the version from the namespace in the text.
    specVersion: /xmlns(?::\w+)?="http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)"/.exec(text)?.[1] ?? '',
    serialNumber: bom['@serialNumber'],
    metadata: {
      timestamp: text_(meta.timestamp),
      manufacturer: entity(meta.manufacturer),
      supplier: entity(meta.supplier),
      authors: arr(meta.authors?.author).map((a) => ({ name: text_(a.name), email: text_(a.email) })),
      tools: { components: arr(meta.tools?.components?.component).map(comp), services: [] },
      component: meta.component ? comp(meta.component) : undefined,
    },
    components: arr(bom.components?.component).map(comp),
    dependencies: arr(bom.dependencies?.dependency).map((d) => ({ ref: d['@ref'], dependsOn: arr(d.dependency).map((t) => t['@ref']) })),
    compositions: arr(bom.compositions?.composition).map((c) => ({
      aggregate: text_(c.aggregate),
      dependencies: arr(c.dependencies?.dependency).map((t) => t['@ref']),
      assemblies: arr(c.assemblies?.assembly).map((t) => t['@ref']),
    })),
  };
}

// ---------------------------------------------------------------- SPDX 2

function spdx2Contact(party: string | undefined): string | undefined {
  if (typeof party !== 'string' || !party) return undefined;
  const email = /\(([^()\s]+@[^()\s]+)\)\s*$/.exec(party)?.[1];
  if (isEmail(email)) return email;
  const url = /(https?:\/\/\S+?)(?:\s|\)|$)/.exec(party)?.[1];
  return isUrl(url) ? url : undefined;
}

const spdx2Name = (party: string | undefined): string | undefined =>
  typeof party === 'string' && party !== 'NOASSERTION' ? party.replace(/^(Organization|Person|Tool):\s*/, '').replace(/\s*\([^)]*\)\s*$/, '') || undefined : undefined;

export function spdx2Facts(doc: J): DocumentFacts {
  const rels = arr(doc.relationships);
  const described = new Set<string>([...arr(doc.documentDescribes).map(String)]);
  const hasDeps = new Set<string>();
  const targets = new Set<string>();
  // SPDX 2 states how complete a dependency list is only as DEPENDS_ON NONE (complete, none) / NOASSERTION (unknown)
  const completeness = new Set<string>();
  for (const r of rels) {
    const t = String(r.relationshipType);
    if (t === 'DEPENDS_ON' && (r.relatedSpdxElement === 'NONE' || r.relatedSpdxElement === 'NOASSERTION')) completeness.add(String(r.spdxElementId));
    if (t === 'DESCRIBES' && r.spdxElementId === 'SPDXRef-DOCUMENT') described.add(String(r.relatedSpdxElement));
    if (t === 'DEPENDS_ON' || t === 'CONTAINS') {
      hasDeps.add(String(r.spdxElementId));
      targets.add(String(r.relatedSpdxElement));
    }
    if (/_DEPENDENCY_OF$|^CONTAINED_BY$|^PACKAGE_OF$/.test(t)) {
      targets.add(String(r.spdxElementId));
      hasDeps.add(String(r.relatedSpdxElement));
    }
  }
  const components = arr(doc.packages).map((p): ComponentFacts => {
    const id = String(p.SPDXID);
    const ann = (name: string): string | undefined =>
      arr(p.annotations)
        .map((a) => String(a.comment ?? ''))
        .find((c) => c.startsWith(`${name}=`))
        ?.slice(name.length + 1);
    const refs = arr(p.externalRefs);
    const dl = str(p.downloadLocation);
    return {
      label: label(str(p.name), str(p.versionInfo), id),
      ref: id,
      name: str(p.name),
      version: str(p.versionInfo),
      creatorContact: spdx2Contact(p.originator),
      supplierName: spdx2Name(p.supplier) ?? spdx2Name(p.originator),
      filename: str(p.packageFileName),
      dependenciesListed: hasDeps.has(id),
      completenessStated: completeness.has(id) || ann('beambake:dependencies') !== undefined,
      inGraph: described.has(id) || targets.has(id),
      distributionLicense: isLicenseFact(p.licenseConcluded) ? p.licenseConcluded : undefined,
      originalLicense: isLicenseFact(p.licenseDeclared) ? p.licenseDeclared : undefined,
      deployableHashAlgs: arr(p.checksums).map((c) => String(c.algorithm).replace(/^SHA(\d)/, 'SHA-$1')),
      executable: ann('bsi:component:executable'),
      archive: ann('bsi:component:archive'),
      structured: ann('bsi:component:structured'),
      sourceUri: refs.find((r) => r.referenceCategory === 'OTHER' && /^(vcs|source-distribution)$/.test(String(r.referenceType)))?.referenceLocator ?? (isVcs(dl) ? dl : undefined) ?? str(p.sourceInfo),
      deployableUri: dl && dl !== 'NOASSERTION' && dl !== 'NONE' && !isVcs(dl) ? dl : undefined,
      identifiers: refs.filter((r) => /purl|cpe2[23]Type|swid/.test(String(r.referenceType))).map((r) => String(r.referenceLocator)),
    };
  });
  const creators = arr(doc.creationInfo?.creators).map(String);
  return {
    kind: 'spdx2-json',
    specVersion: String(doc.spdxVersion ?? '').replace(/^SPDX-/, ''),
    creatorContact: creators.filter((c) => !c.startsWith('Tool:')).map(spdx2Contact).find(Boolean),
    author: creators.find((c) => !c.startsWith('Tool:')) ?? creators[0],
    timestamp: str(doc.creationInfo?.created),
    sbomUri: str(doc.documentNamespace),
    components,
    graph: spdx2Graph(doc),
  };
}

// ---------------------------------------------------------------- SPDX 3

export function spdx3Facts(doc: J): DocumentFacts {
  const graph = arr(doc['@graph']);
  const byId = new Map<string, J>();
  for (const e of graph) {
    const id = str(e.spdxId) ?? str(e['@id']);
    if (id) byId.set(id, e);
  }
  const rels = graph.filter((e) => e.type === 'Relationship' || e.type === 'LifecycleScopedRelationship');
  const from = new Map<string, J[]>();
  const targets = new Set<string>();
  for (const r of rels) {
    const f = String(r.from);
    if (!from.has(f)) from.set(f, []);
    from.get(f)!.push(r);
    if (r.relationshipType === 'dependsOn' || r.relationshipType === 'contains') for (const t of arr(r.to)) targets.add(String(t));
  }
  const roots = new Set<string>();
  for (const e of graph) if (e.type === 'software_Sbom' || e.type === 'SpdxDocument') for (const r of arr(e.rootElement)) roots.add(String(r));
  const agentContact = (id: unknown): string | undefined => {
    const a = byId.get(String(id));
    if (!a) return undefined;
    const ids = arr(a.externalIdentifier);
    return (
      ids.filter((x) => x.externalIdentifierType === 'email').map((x) => str(x.identifier)).find(isEmail) ??
      ids.filter((x) => x.externalIdentifierType === 'urlScheme' || x.externalIdentifierType === 'other').map((x) => str(x.identifier)).find(isUrl)
    );
  };
  const licenseVia = (id: string, type: string): string | undefined => {
    const exprs = (from.get(id) ?? [])
      .filter((r) => r.relationshipType === type)
      .flatMap((r) => arr(r.to))
      .map((t) => byId.get(String(t)))
      .map((l) => str(l?.simplelicensing_licenseExpression));
    const found = exprs.filter((e): e is string => !!e);
    return found.length > 0 ? found.join(' AND ') : undefined;
  };
  const components = graph
    .filter((e) => e.type === 'software_Package')
    .map((p): ComponentFacts => {
      const id = String(p.spdxId);
      const out = from.get(id) ?? [];
      const file = out
        .filter((r) => r.relationshipType === 'hasDistributionArtifact')
        .flatMap((r) => arr(r.to))
        .map((t) => byId.get(String(t)))
        .find((f) => f?.type === 'software_File');
      const purposes = file ? arr(file.software_additionalPurpose).map(String) : [];
      const deps = out.filter((r) => r.relationshipType === 'dependsOn' || r.relationshipType === 'contains');
      const ext = arr(p.externalIdentifier);
      const refs = [...arr(p.externalRef), ...arr(file?.externalRef)];
      const locator = (type: string): string | undefined => refs.filter((r) => r.externalRefType === type).flatMap((r) => arr(r.locator)).map(str).find(Boolean);
      return {
        label: label(str(p.name), str(p.software_packageVersion), id),
        ref: id,
        name: str(p.name),
        version: str(p.software_packageVersion),
        creatorContact: arr(p.originatedBy).map(agentContact).find(Boolean),
        supplierName: str(byId.get(String(p.suppliedBy))?.name) ?? arr(p.originatedBy).map((a) => str(byId.get(String(a))?.name)).find(Boolean),
        filename: str(file?.name),
        dependenciesListed: deps.length > 0,
        completenessStated: deps.some((r) => str(r.completeness) !== undefined),
        inGraph: roots.has(id) || targets.has(id),
        distributionLicense: licenseVia(id, 'hasConcludedLicense'),
        originalLicense: licenseVia(id, 'hasDeclaredLicense'),
        deployableHashAlgs: arr(file?.verifiedUsing).map((h) => String(h.algorithm).toUpperCase().replace(/^SHA(\d)/, 'SHA-$1')),
        executable: file ? (purposes.includes('executable') ? 'executable' : 'non-executable') : undefined,
        archive: file ? (purposes.includes('archive') ? 'archive' : 'no archive') : undefined,
        structured: purposes.includes('container') ? 'structured' : purposes.includes('firmware') ? 'unstructured' : undefined,
        sourceUri: locator('sourceArtifact') ?? locator('vcs') ?? (isVcs(str(p.software_downloadLocation)) ? str(p.software_downloadLocation) : undefined),
        deployableUri: locator('binaryArtifact') ?? (isVcs(str(p.software_downloadLocation)) ? undefined : str(p.software_downloadLocation)),
        identifiers: [
          str(p.software_packageUrl),
          ...ext.filter((x) => ['packageUrl', 'cpe22', 'cpe23', 'swid'].includes(String(x.externalIdentifierType))).map((x) => str(x.identifier)),
        ].filter((x): x is string => !!x),
      };
    });
  const ci = graph.find((e) => e.type === 'CreationInfo') ?? {};
  const sbom = graph.find((e) => e.type === 'software_Sbom');
  const creators = arr(ci.createdBy);
  return {
    kind: 'spdx3-json',
    specVersion: String(ci.specVersion ?? ''),
    creatorContact: creators.map(agentContact).find(Boolean),
    author: creators.map((a) => str(byId.get(String(a))?.name)).find(Boolean),
    timestamp: str(ci.created),
    sbomUri: str(sbom?.spdxId),
    components,
    graph: spdx3Graph(doc),
  };
}

export { isSpdxExpression };
