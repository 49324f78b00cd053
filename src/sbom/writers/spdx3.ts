/**
 * SPDX 3.0.1 JSON-LD (core, software, simpleLicensing profiles), laid out as
 * BSI TR-03183-2 v2.1 §8.2 maps its fields:
 * - SBOM creator: CreationInfo.createdBy -> Organization/Person with an
 *   `email` or `urlScheme` external identifier; SBOM-URI: the software_Sbom's spdxId.
 * - component creator: software_Package.originatedBy; the deployable file as a
 *   software_File (name = filename, verifiedUsing = its hashes, BSI properties
 *   as software_additionalPurpose) linked by `hasDistributionArtifact`.
 * - licences: `hasDeclaredLicense` / `hasConcludedLicense` relationships to
 *   simplelicensing_LicenseExpression elements.
 * - dependencies: one `dependsOn`/`contains` relationship per source with
 *   `completeness` from the graph's compositions; a complete leaf points at
 *   NoneElement, an unknown one at NoAssertionElement.
 * Other component properties become Annotations (SPDX 3 has no free properties).
 */
import { hash } from 'node:crypto';
import type { Component, Edge, Hash, Party } from '../model.js';
import { cmp, completenessById, componentProperty, itemsAtDepth2, requiredTimestamp, sortedProperties, TOOL_NAME, toolVersion } from './common.js';
import type { CanonicalGraph } from './canonical.js';
import { isLicenseFact } from './licenses.js';
import { distributionUrl, documentNamespace, homepage, idMap, spdx3Algorithm, spdx3Purpose, spdxLicense } from './spdx-ids.js';

type Json = Record<string, unknown>;

export const SPDX3_CONTEXT = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';
const CI = '_:creationinfo';

const h10 = (s: string): string => hash('sha256', s, 'hex').slice(0, 16);

function clean(o: Json): Json {
  for (const k of Object.keys(o)) if (o[k] === undefined || (Array.isArray(o[k]) && (o[k] as unknown[]).length === 0)) delete o[k];
  return o;
}

function verified(hashes: Hash[] | undefined): Json[] | undefined {
  if (!hashes || hashes.length === 0) return undefined;
  return [...hashes]
    .sort((a, b) => cmp(a.alg, b.alg))
    .map((h) => clean({ type: 'Hash', algorithm: spdx3Algorithm(h.alg), hashValue: h.value, comment: spdx3Algorithm(h.alg) === 'other' ? h.alg : undefined }));
}

class Agents {
  readonly elements = new Map<string, Json>();
  constructor(private ns: string) {}
  /** The Organization element for a party, created once per distinct party. */
  id(p: Party | undefined, kind: 'Organization' | 'Person' = 'Organization'): string | undefined {
    if (!p || (!p.name && !p.email && !p.urls?.length)) return undefined;
    const key = JSON.stringify([kind, p.name ?? '', p.email ?? '', p.urls ?? []]);
    const id = `${this.ns}#SPDXRef-${kind}-${h10(key)}`;
    if (!this.elements.has(id)) {
      const ids: Json[] = [];
      if (p.email) ids.push({ type: 'ExternalIdentifier', externalIdentifierType: 'email', identifier: p.email });
      for (const u of p.urls ?? []) ids.push({ type: 'ExternalIdentifier', externalIdentifierType: 'urlScheme', identifier: u });
      this.elements.set(id, clean({ type: kind, spdxId: id, creationInfo: CI, name: p.name ?? p.urls?.[0] ?? p.email, externalIdentifier: ids }));
    }
    return id;
  }
}

const PURPOSE_FROM_BSI: [string, string, string][] = [
  ['bsi:component:executable', 'executable', 'executable'],
  ['bsi:component:archive', 'archive', 'archive'],
  ['bsi:component:structured', 'structured', 'container'],
  ['bsi:component:structured', 'unstructured', 'firmware'],
];

export function* spdx3Chunks(cg: CanonicalGraph): Generator<string> {
  const m = cg.graph.metadata;
  const ns = documentNamespace(cg);
  const local = idMap(cg, 'SPDXRef-');
  const iri = (id: string): string => `${ns}#${local.get(id)!}`;
  const agents = new Agents(ns);
  const toolId = `${ns}#SPDXRef-Tool-${TOOL_NAME}`;
  const tools: Json[] = [{ type: 'Tool', spdxId: toolId, creationInfo: CI, name: `${TOOL_NAME} ${toolVersion(cg.graph)}` }];
  for (const t of [...m.tools].sort((a, b) => cmp(a.name, b.name))) {
    if (t.name === TOOL_NAME) continue;
    tools.push(clean({ type: 'Tool', spdxId: `${ns}#SPDXRef-Tool-${h10(t.name + '@' + (t.version ?? ''))}`, creationInfo: CI, name: t.name, comment: t.version }));
  }
  const createdBy = m.authors.map((a) => agents.id(a, a.urls?.length ? 'Organization' : 'Person')).filter((x): x is string => !!x);
  if (createdBy.length === 0) {
    const mf = agents.id(m.manufacturer);
    if (mf) createdBy.push(mf);
  }
  // createdBy is mandatory in SPDX 3 and names Agents (a Tool is not one: SHACL refuses it there);
  // with no author or manufacturer given, beambake itself is the only honest creator, as a SoftwareAgent.
  const selfAgent = createdBy.length === 0 ? { type: 'SoftwareAgent', spdxId: `${ns}#SPDXRef-SoftwareAgent-${TOOL_NAME}`, creationInfo: CI, name: `${TOOL_NAME} ${toolVersion(cg.graph)}` } : undefined;
  if (selfAgent) createdBy.push(selfAgent.spdxId);
  const creationInfo = clean({
    type: 'CreationInfo',
    '@id': CI,
    specVersion: '3.0.1',
    created: requiredTimestamp(cg.graph),
    createdBy,
    createdUsing: tools.map((t) => t.spdxId as string),
  });

  const sbomId = `${ns}#SPDXRef-SBOM`;
  const docId = `${ns}#SPDXRef-DOCUMENT`;
  yield `{\n  "@context": ${JSON.stringify(SPDX3_CONTEXT)},\n  "@graph": [\n`;
  yield* itemsAtDepth2(graphElements());
  yield '\n  ]\n}\n';

  // the elements in document order; licences, agents and relationships are collected on the way
  function* graphElements(): Generator<Json> {
    yield creationInfo;
    if (selfAgent) yield selfAgent;
    for (const t of tools) yield t;
    yield clean({
      type: 'SpdxDocument',
      spdxId: docId,
      creationInfo: CI,
      name: m.name,
      // the 3.0.1 shapes want an AnyLicenseInfo element here (sh:class), not a bare licence-list URL
      dataLicense: `${ns}#SPDXRef-DataLicense-CC0-1.0`,
      profileConformance: cg.graph.builds?.length ? ['build', 'core', 'software', 'simpleLicensing'] : ['core', 'software', 'simpleLicensing'],
      rootElement: [sbomId],
      element: [sbomId],
    });
    yield { type: 'simplelicensing_LicenseExpression', spdxId: `${ns}#SPDXRef-DataLicense-CC0-1.0`, creationInfo: CI, simplelicensing_licenseExpression: 'CC0-1.0' };
    yield clean({
      type: 'software_Sbom',
      spdxId: sbomId,
      creationInfo: CI,
      name: m.name,
      software_sbomType: ['build'],
      rootElement: cg.root ? [iri(cg.root.id)] : undefined,
      element: cg.components.map((c) => iri(c.id)),
    });

    const licenses = new Map<string, string>();
    const extracted = new Map<string, string>();
    const licenseId = (expr: string): string => {
      const text = spdxLicense(expr, extracted);
      let id = licenses.get(text);
      if (!id) licenses.set(text, (id = `${ns}#SPDXRef-License-${h10(text)}`));
      return id;
    };
    const relationships: Json[] = [];
    let relN = 0;
    const rel = (from: string, type: string, to: string[], extra: Json = {}): void => {
      relationships.push(clean({ type: 'Relationship', spdxId: `${ns}#SPDXRef-Relationship-${++relN}`, creationInfo: CI, from, relationshipType: type, to, ...extra }));
    };

    for (const c of cg.components) {
      const id = iri(c.id);
      for (const el of packageElements(cg, c, id, agents)) yield el;
      if (isLicenseFact(c.licenses.declared)) rel(id, 'hasDeclaredLicense', [licenseId(c.licenses.declared)], { completeness: 'complete' });
      if (isLicenseFact(c.licenses.concluded)) rel(id, 'hasConcludedLicense', [licenseId(c.licenses.concluded)], { completeness: 'complete' });
      if (c.filename) rel(id, 'hasDistributionArtifact', [`${id}-file`], { completeness: 'complete' });
    }
    for (const el of agents.elements.values()) yield el;
    for (const [text, id] of [...licenses].sort(([a], [b]) => cmp(a, b))) {
      yield clean({
        type: 'simplelicensing_LicenseExpression',
        spdxId: id,
        creationInfo: CI,
        simplelicensing_licenseExpression: text,
        comment: extracted.get(text) !== undefined ? `not an SPDX expression: ${extracted.get(text)}` : undefined,
      });
    }
    for (const el of buildElements(cg, iri, ns)) yield el;
    for (const r of relationships) yield r;
    for (const r of edgeRelationships(cg, iri, ns)) yield r;
  }
}

function packageElements(cg: CanonicalGraph, c: Component, id: string, agents: Agents): Json[] {
  const ext: Json[] = [];
  if (c.purl) ext.push({ type: 'ExternalIdentifier', externalIdentifierType: 'packageUrl', identifier: c.purl });
  for (const cpe of c.cpes) ext.push({ type: 'ExternalIdentifier', externalIdentifierType: cpe.startsWith('cpe:2.3:') ? 'cpe23' : 'cpe22', identifier: cpe });
  const refTypes: Record<string, string> = {
    website: 'altWebPage',
    vcs: 'vcs',
    distribution: 'binaryArtifact',
    'issue-tracker': 'issueTracker',
    documentation: 'documentation',
    license: 'license',
    'source-distribution': 'sourceArtifact',
    bom: 'other',
    other: 'other',
  };
  const links = [...c.externalRefs];
  // a VCS download location (`git+https://...@rev`) says where the source is: BSI reads that from a vcs reference
  const vcs = c.downloadLocation && /^[a-z]+\+[a-z]+:\/\//.test(c.downloadLocation) ? c.downloadLocation.replace(/^[a-z]+\+/, '') : undefined;
  if (vcs && !links.some((r) => r.type === 'vcs' && vcs.startsWith(r.url))) links.push({ type: 'vcs', url: vcs });
  const refs = links
    .map((r) => clean({ type: 'ExternalRef', externalRefType: refTypes[r.type] ?? 'other', locator: [r.url], comment: r.comment }))
    .sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
  const creator = agents.id(c.manufacturer ?? (c === cg.root ? cg.graph.metadata.manufacturer : undefined));
  // SPDX 3 has no author field: authors are further originators, after the creator
  const originators = [creator, ...c.authors.map((name) => agents.id({ name }, 'Person'))].filter((x): x is string => !!x);
  const pkg = clean({
    type: 'software_Package',
    spdxId: id,
    creationInfo: CI,
    name: c.name,
    description: c.description,
    software_packageVersion: c.version,
    software_packageUrl: c.purl,
    software_downloadLocation: c.downloadLocation && c.downloadLocation !== 'NOASSERTION' && c.downloadLocation !== 'NONE' ? c.downloadLocation : undefined,
    software_homePage: homepage(c),
    software_copyrightText: c.copyright,
    software_primaryPurpose: spdx3Purpose(c.type),
    originatedBy: [...new Set(originators)],
    suppliedBy: agents.id(c.supplier),
    verifiedUsing: verified(c.hashes),
    externalIdentifier: ext,
    externalRef: refs,
  });
  const out: Json[] = [pkg];
  if (c.filename) {
    const dist = c.externalRefs.find((r) => r.type === 'distribution');
    const purposes = PURPOSE_FROM_BSI.filter(([name, value]) => componentProperty(c, name) === value).map(([, , p]) => p);
    out.push(
      clean({
        type: 'software_File',
        spdxId: `${id}-file`,
        creationInfo: CI,
        name: c.filename,
        comment: purposes.length > 0 ? 'software_additionalPurpose field is used to indicate the properties of BSI TR-03183-2' : undefined,
        verifiedUsing: verified(dist?.hashes && dist.hashes.length > 0 ? dist.hashes : c.hashes),
        externalRef: distributionUrl(c) ? [{ type: 'ExternalRef', externalRefType: 'binaryArtifact', locator: [distributionUrl(c)] }] : undefined,
        software_primaryPurpose: purposes.includes('archive') ? 'archive' : purposes.includes('executable') ? 'executable' : 'file',
        // BSI reads the properties from additionalPurpose, so it repeats the primary one.
        software_additionalPurpose: purposes,
      }),
    );
  }
  for (const p of sortedProperties(c)) {
    out.push({
      type: 'Annotation',
      spdxId: `${id}-annotation-${h10(p.name + '=' + p.value)}`,
      creationInfo: CI,
      annotationType: 'other',
      subject: id,
      statement: `${p.name}=${p.value}`,
    });
  }
  return out;
}

function edgeRelationships(cg: CanonicalGraph, iri: (id: string) => string, ns: string): Json[] {
  const complete = completenessById(cg);
  const spec: Record<Edge['type'], { type: string; reverse?: boolean; scope?: string; comment?: string }> = {
    DEPENDS_ON: { type: 'dependsOn' },
    CONTAINS: { type: 'contains' },
    BUILD_DEPENDS_ON: { type: 'dependsOn', scope: 'build' },
    DEV_DEPENDS_ON: { type: 'dependsOn', scope: 'development' },
    OPTIONAL_DEPENDS_ON: { type: 'dependsOn', comment: 'optional' },
    GENERATED_FROM: { type: 'generates', reverse: true },
    DESCRIBES: { type: 'describes' },
    OTHER: { type: 'other' },
  };
  const groups = new Map<string, { from: string; spec: (typeof spec)[Edge['type']]; to: string[]; original?: string; source: string }>();
  const TEST: (typeof spec)[Edge['type']] = { type: 'dependsOn', scope: 'test' };
  for (const e of cg.edges) {
    const isTest = e.type === 'DEV_DEPENDS_ON' && e.originalType === 'TEST_DEPENDENCY_OF';
    const s = isTest ? TEST : spec[e.type];
    const from = s.reverse ? e.to : e.from;
    const to = s.reverse ? e.from : e.to;
    const key = `${from}\u0000${e.type}\u0000${e.originalType ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { from, spec: s, to: [], original: isTest ? undefined : e.originalType, source: e.from }));
    g.to.push(iri(to));
  }
  const out: Json[] = [];
  const withDeps = new Set<string>();
  for (const [key, g] of groups) {
    const isDeps = g.spec.type === 'dependsOn' && !g.spec.scope && !g.spec.comment;
    const agg = complete.get(g.from);
    if (isDeps) withDeps.add(g.from);
    const completeness = isDeps && agg ? (agg === 'complete' ? 'complete' : agg === 'unknown' ? 'noAssertion' : 'incomplete') : undefined;
    out.push(
      clean({
        type: g.spec.scope ? 'LifecycleScopedRelationship' : 'Relationship',
        spdxId: `${ns}#SPDXRef-Edge-${h10(key)}`,
        creationInfo: CI,
        from: iri(g.from),
        relationshipType: g.spec.type,
        to: [...new Set(g.to)].sort(cmp),
        completeness,
        scope: g.spec.scope,
        comment: g.spec.comment ?? g.original,
      }),
    );
  }
  for (const [id, agg] of [...complete].sort(([a], [b]) => cmp(a, b))) {
    if (withDeps.has(id)) continue;
    out.push({
      type: 'Relationship',
      spdxId: `${ns}#SPDXRef-Edge-${h10(`${id}\u0000leaf`)}`,
      creationInfo: CI,
      from: iri(id),
      relationshipType: 'dependsOn',
      to: [agg === 'complete' ? 'NoneElement' : 'NoAssertionElement'],
      completeness: agg === 'complete' ? 'complete' : agg === 'unknown' ? 'noAssertion' : 'incomplete',
    });
  }
  return out;
}

/**
 * Build records as `build_Build` elements with `hasInput` / `hasOutput`
 * relationships to the components they name; references to elements outside
 * this document (files folded into packages, builds of other recipes) are
 * kept as annotations of the build, since a relationship needs an element.
 */
function buildElements(cg: CanonicalGraph, iri: (id: string) => string, ns: string): Json[] {
  const out: Json[] = [];
  for (const b of cg.graph.builds ?? []) {
    const id = `${ns}#SPDXRef-Build-${h10(b.id)}`;
    out.push(
      clean({
        type: 'build_Build',
        spdxId: id,
        creationInfo: CI,
        name: b.name,
        // build_buildType is mandatory: an input that gives none gets beambake's "unknown build" IRI
        build_buildType: b.buildType ?? 'https://spdx.org/spdxdocs/beambake/build-type/unknown',
        build_buildId: b.id,
      }),
    );
    const notes: string[] = [];
    for (const [kind, ids] of [['hasInput', b.inputs], ['hasOutput', b.outputs]] as const) {
      const inDoc = ids.filter((x) => cg.byId.has(x));
      for (const x of ids) if (!cg.byId.has(x)) notes.push(`beambake:build:${kind === 'hasInput' ? 'input' : 'output'}=${x}`);
      if (inDoc.length > 0) {
        out.push({ type: 'Relationship', spdxId: `${id}-${kind}`, creationInfo: CI, from: id, relationshipType: kind, to: inDoc.map(iri).sort(cmp) });
      }
    }
    for (const d of b.dependsOn) notes.push(`beambake:build:dependsOn=${d}`);
    for (const p of b.properties) notes.push(`${p.name}=${p.value}`);
    for (const n of notes) {
      out.push({ type: 'Annotation', spdxId: `${id}-annotation-${h10(n)}`, creationInfo: CI, annotationType: 'other', subject: id, statement: n });
    }
  }
  return out;
}
