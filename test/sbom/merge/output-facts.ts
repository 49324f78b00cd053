/**
 * A merged SBOM as written, read back per format by plain parsing (JSON.parse,
 * fast-xml-parser for CycloneDX XML) without `src/sbom/`: per element its
 * origins (`beambake:origin`), the facts the tests compare with the inputs,
 * and its dependency/containment edges.
 */
import { XMLParser } from 'fast-xml-parser';
import { hashKey, partyName } from './raw-inputs.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type OutFormat = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx3-json' | 'spdx2-json';

export interface OutElement {
  /** bom-ref, SPDXID or spdxId: what `sbom check` names in its findings. */
  ref: string;
  name: string;
  origins: string[];
  unresolved?: string;
  device: boolean;
  versions: string[];
  purls: string[];
  cpes: string[];
  hashes: string[];
  downloads: string[];
  declared: string[];
  concluded: string[];
  cvesFixed: string[];
  parties: string[];
}

export interface OutDoc {
  elements: Map<string, OutElement>;
  byOrigin: Map<string, string>;
  byUnresolved: Map<string, string>;
  /** `from\0to\0depends|contains` over element refs. */
  edges: Set<string>;
}

const arr = (v: unknown): J[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const edgeKey = (from: string, to: string, kind: 'depends' | 'contains') => `${from}\u0000${to}\u0000${kind}`;

function element(ref: string, name: string, props: { name: string; value: string }[]): OutElement {
  const get = (n: string) => props.filter((p) => p.name === n).map((p) => p.value);
  return {
    ref,
    name,
    origins: get('beambake:origin'),
    unresolved: get('beambake:unresolved-reference')[0],
    device: false,
    versions: get('beambake:alternative:version'),
    purls: get('beambake:alternative:purl'),
    cpes: get('beambake:cpe'),
    hashes: [],
    downloads: get('beambake:alternative:downloadLocation'),
    declared: [...get('beambake:license:declared'), ...get('beambake:declared-license-alternative')],
    concluded: get('beambake:concluded-license-alternative'),
    cvesFixed: get('yocto:cves-fixed').flatMap((v) => v.split(' ')),
    parties: [...get('beambake:alternative:supplier'), ...get('beambake:alternative:manufacturer'), ...get('beambake:author')],
  };
}

function index(elements: OutElement[], edges: Set<string>): OutDoc {
  const doc: OutDoc = { elements: new Map(), byOrigin: new Map(), byUnresolved: new Map(), edges };
  for (const e of elements) {
    doc.elements.set(e.ref, e);
    for (const o of e.origins) doc.byOrigin.set(o, e.ref);
    if (e.unresolved) doc.byUnresolved.set(e.unresolved, e.ref);
  }
  return doc;
}

// ------------------------------------------------------------------ CycloneDX

function cdx(doc: J): OutDoc {
  const all = [doc.metadata?.component, ...arr(doc.components)].filter(Boolean) as J[];
  const edges = new Set<string>();
  const elements = all.map((c) => {
    const props = arr(c.properties).map((p) => ({ name: String(p.name), value: String(p.value ?? '') }));
    const e = element(String(c['bom-ref']), String(c.name), props);
    e.device = c.type === 'device';
    if (c.version) e.versions.push(String(c.version));
    if (c.purl) e.purls.push(String(c.purl));
    if (c.cpe) e.cpes.push(String(c.cpe));
    for (const h of arr(c.hashes)) e.hashes.push(hashKey(String(h.alg), String(h.content)));
    for (const r of arr(c.externalReferences)) {
      for (const h of arr(r.hashes)) e.hashes.push(hashKey(String(h.alg), String(h.content)));
      if (r.type === 'distribution' || r.type === 'vcs') e.downloads.push(String(r.url));
    }
    // a licence that is no SPDX expression is written as beambake's LicenseRef, its text in a property
    const licenseText = (id: string) => props.find((p) => p.name === `beambake:license-text:${id}`)?.value;
    e.declared = e.declared.map((x) => expand(x, licenseText));
    for (const l of arr(c.licenses)) {
      const text = l.expression ?? l.license?.id ?? l.license?.name;
      const ack = l.acknowledgement ?? l.license?.acknowledgement;
      if (typeof text === 'string') (ack === 'concluded' ? e.concluded : e.declared).push(expand(text, licenseText));
    }
    for (const p of [c.supplier, c.manufacturer]) if (p?.name) e.parties.push(String(p.name));
    for (const a of arr(c.authors)) if (a.name) e.parties.push(String(a.name));
    for (const p of props) if (p.name === 'beambake:relationship:CONTAINS') edges.add(edgeKey(e.ref, p.value, 'contains'));
    return e;
  });
  for (const d of arr(doc.dependencies)) for (const t of arr(d.dependsOn)) edges.add(edgeKey(String(d.ref), String(t), 'depends'));
  return index(elements, edges);
}

/** CycloneDX XML into the JSON shape, for the elements `cdx()` reads. */
function cdxXmlToJson(text: string): J {
  const x = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name, jpath) => ['component', 'dependency', 'hash', 'license', 'expression', 'reference', 'property', 'author'].includes(name) && String(jpath) !== 'bom.metadata.component',
  }).parse(text) as J;
  const t = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' ? (v as J)['#text'] : undefined);
  const comp = (c: J): J => ({
    'bom-ref': c['@bom-ref'],
    type: c['@type'],
    name: t(c.name),
    version: t(c.version),
    purl: t(c.purl),
    cpe: t(c.cpe),
    supplier: c.supplier ? { name: t(c.supplier.name) } : undefined,
    manufacturer: c.manufacturer ? { name: t(c.manufacturer.name) } : undefined,
    authors: arr(c.authors?.author).map((a) => ({ name: t(a.name) })),
    hashes: arr(c.hashes?.hash).map((h) => ({ alg: h['@alg'], content: t(h) })),
    licenses: [
      ...arr(c.licenses?.license).map((l) => ({ license: { id: t(l.id), name: t(l.name), acknowledgement: l['@acknowledgement'] } })),
      ...arr(c.licenses?.expression).map((e) => ({ expression: t(e), acknowledgement: e['@acknowledgement'] })),
    ],
    externalReferences: arr(c.externalReferences?.reference).map((r) => ({ type: r['@type'], url: t(r.url), hashes: arr(r.hashes?.hash).map((h) => ({ alg: h['@alg'], content: t(h) })) })),
    properties: arr(c.properties?.property).map((p) => ({ name: p['@name'], value: t(p) ?? '' })),
  });
  const bom = x.bom as J;
  return {
    metadata: { component: bom.metadata?.component ? comp(bom.metadata.component) : undefined },
    components: arr(bom.components?.component).map(comp),
    dependencies: arr(bom.dependencies?.dependency).map((d) => ({ ref: d['@ref'], dependsOn: arr(d.dependency).map((y) => y['@ref']) })),
  };
}

// ------------------------------------------------------------------ SPDX 2.3

function spdx2(doc: J): OutDoc {
  const extracted = new Map(arr(doc.hasExtractedLicensingInfos).map((l) => [String(l.licenseId), String(l.extractedText)]));
  const lic = (v: unknown): string[] => (typeof v === 'string' && v !== 'NOASSERTION' && v !== 'NONE' ? [expand(v, (id) => extracted.get(id))] : []);
  const elements = arr(doc.packages).map((p) => {
    const props = arr(p.annotations).map((a) => {
      const c = String(a.comment);
      const i = c.indexOf('=');
      return { name: c.slice(0, i), value: c.slice(i + 1) };
    });
    const e = element(String(p.SPDXID), String(p.name), props);
    e.device = p.primaryPackagePurpose === 'DEVICE';
    if (p.versionInfo) e.versions.push(String(p.versionInfo));
    for (const r of arr(p.externalRefs)) {
      if (r.referenceType === 'purl') e.purls.push(String(r.referenceLocator));
      else if (/^cpe2[23]Type$/.test(String(r.referenceType))) e.cpes.push(String(r.referenceLocator));
      else e.downloads.push(String(r.referenceLocator));
    }
    for (const h of arr(p.checksums)) e.hashes.push(hashKey(String(h.algorithm), String(h.checksumValue)));
    if (p.downloadLocation && p.downloadLocation !== 'NOASSERTION') e.downloads.push(String(p.downloadLocation));
    e.declared.push(...lic(p.licenseDeclared));
    e.concluded.push(...lic(p.licenseConcluded));
    for (const who of [p.supplier, p.originator]) if (typeof who === 'string' && who !== 'NOASSERTION') e.parties.push(partyName(who));
    return e;
  });
  const edges = new Set<string>();
  for (const r of arr(doc.relationships)) {
    const [a, b, type] = [String(r.spdxElementId), String(r.relatedSpdxElement), String(r.relationshipType)];
    if (b === 'NONE' || b === 'NOASSERTION') continue;
    if (type === 'CONTAINS') edges.add(edgeKey(a, b, 'contains'));
    else if (type === 'DEPENDS_ON') edges.add(edgeKey(a, b, 'depends'));
    else if (/_DEPENDENCY_OF$/.test(type)) edges.add(edgeKey(b, a, 'depends'));
  }
  return index(elements, edges);
}

/** A licence expression with beambake's LicenseRefs replaced by the text they stand for. */
function expand(expr: string, text: (id: string) => string | undefined): string {
  return expr.replace(/LicenseRef-beambake-[A-Za-z0-9.-]+/g, (id) => text(id) ?? id);
}

// ------------------------------------------------------------------ SPDX 3.0.1

function spdx3(doc: J): OutDoc {
  const graph = arr(doc['@graph']);
  const byId = new Map(graph.filter((e) => e.spdxId).map((e) => [String(e.spdxId), e]));
  const props = new Map<string, { name: string; value: string }[]>();
  for (const a of graph.filter((e) => e.type === 'Annotation')) {
    const s = String(a.statement);
    const i = s.indexOf('=');
    if (!props.has(a.subject)) props.set(a.subject, []);
    props.get(a.subject)!.push({ name: s.slice(0, i), value: s.slice(i + 1) });
  }
  const rels = graph.filter((e) => e.type === 'Relationship' || e.type === 'LifecycleScopedRelationship');
  const licenseText = (id: string): string => {
    const l = byId.get(id);
    const t = /^not an SPDX expression: (.*)$/s.exec(String(l?.comment ?? ''))?.[1];
    return t ?? String(l?.simplelicensing_licenseExpression ?? id);
  };
  const elements = graph
    .filter((e) => e.type === 'software_Package')
    .map((p) => {
      const id = String(p.spdxId);
      const e = element(id, String(p.name), props.get(id) ?? []);
      e.device = p.software_primaryPurpose === 'device';
      if (p.software_packageVersion) e.versions.push(String(p.software_packageVersion));
      if (p.software_packageUrl) e.purls.push(String(p.software_packageUrl));
      for (const x of arr(p.externalIdentifier)) {
        if (x.externalIdentifierType === 'packageUrl') e.purls.push(String(x.identifier));
        if (/^cpe2[23]$/.test(String(x.externalIdentifierType))) e.cpes.push(String(x.identifier));
      }
      for (const h of arr(p.verifiedUsing)) e.hashes.push(hashKey(String(h.algorithm), String(h.hashValue)));
      if (p.software_downloadLocation) e.downloads.push(String(p.software_downloadLocation));
      for (const r of arr(p.externalRef)) for (const l of arr(r.locator)) e.downloads.push(String(l));
      for (const a of [p.suppliedBy, ...arr(p.originatedBy)]) if (a && byId.get(String(a))?.name) e.parties.push(String(byId.get(String(a))!.name));
      for (const r of rels.filter((x) => x.from === id)) {
        if (r.relationshipType === 'hasDeclaredLicense') e.declared.push(...arr(r.to).map((t) => licenseText(String(t))));
        if (r.relationshipType === 'hasConcludedLicense') e.concluded.push(...arr(r.to).map((t) => licenseText(String(t))));
        if (r.relationshipType === 'hasDistributionArtifact') {
          for (const f of arr(r.to).map((t) => byId.get(String(t)))) for (const h of arr(f?.verifiedUsing)) e.hashes.push(hashKey(String(h.algorithm), String(h.hashValue)));
        }
      }
      return e;
    });
  const edges = new Set<string>();
  for (const r of rels) {
    const kind = r.relationshipType === 'contains' ? 'contains' : r.relationshipType === 'dependsOn' ? 'depends' : undefined;
    if (kind) for (const t of arr(r.to)) edges.add(edgeKey(String(r.from), String(t), kind));
  }
  return index(elements, edges);
}

export function readOutput(text: string, format: OutFormat): OutDoc {
  switch (format) {
    case 'cyclonedx-json':
      return cdx(JSON.parse(text) as J);
    case 'cyclonedx-xml':
      return cdx(cdxXmlToJson(text));
    case 'spdx2-json':
      return spdx2(JSON.parse(text) as J);
    case 'spdx3-json':
      return spdx3(JSON.parse(text) as J);
  }
}

export function hasEdge(doc: OutDoc, from: string, to: string, kind: 'depends' | 'contains'): boolean {
  return doc.edges.has(edgeKey(from, to, kind));
}

/** Licence ids and names an expression mentions (operators and brackets dropped, DocumentRef prefixes stripped). */
export function licenseTokens(expr: string): string[] {
  return expr
    .replace(/DocumentRef-[A-Za-z0-9.+-]+:/g, '')
    .split(/[\s()]+/)
    .filter((t) => t && !/^(AND|OR|WITH)$/.test(t));
}

/** `part:vendor:product:version` of a CPE 2.2 URI or 2.3 string, lowercase. */
export function cpeCore(cpe: string): string {
  if (cpe.startsWith('cpe:2.3:')) return cpe.split(/(?<!\\):/).slice(2, 6).join(':').toLowerCase();
  const p = cpe.replace(/^cpe:\//, '').split(':');
  return [0, 1, 2, 3].map((i) => (p[i] ? decodeURIComponent(p[i]!) : '*')).join(':').toLowerCase();
}
