/**
 * SPDX 2.3 JSON for tools that do not read SPDX 3 yet. Not accepted by BSI
 * TR-03183-2 v2.1 (which needs SPDX >= 3.0.1); `sbom check` says so.
 *
 * Mapping: components -> packages (filesAnalyzed false); DEPENDS_ON /
 * CONTAINS / GENERATED_FROM as is; BUILD/DEV/OPTIONAL_DEPENDS_ON as the
 * reversed *_DEPENDENCY_OF; completeness as `DEPENDS_ON NONE` (complete leaf)
 * or `DEPENDS_ON NOASSERTION` (unknown or incomplete); properties as
 * annotations.
 */
import type { Component, Edge } from '../model.js';
import { cmp, completenessById, DEPENDENCY_EDGES, indentJson, itemsAtDepth2, requiredTimestamp, sortedProperties, TOOL_NAME, toolVersion } from './common.js';
import type { CanonicalGraph } from './canonical.js';
import { isLicenseFact } from './licenses.js';
import { distributionUrl, documentNamespace, homepage, idMap, spdx2Algorithm, spdx2Party, spdx2Purpose, spdxLicense } from './spdx-ids.js';

type Json = Record<string, unknown>;

function relationship(ids: Map<string, string>, e: Edge): Json {
  const from = ids.get(e.from)!;
  const to = ids.get(e.to)!;
  switch (e.type) {
    case 'BUILD_DEPENDS_ON':
      return { spdxElementId: to, relationshipType: 'BUILD_DEPENDENCY_OF', relatedSpdxElement: from };
    case 'DEV_DEPENDS_ON':
      // a test-only dependency is a DEV_DEPENDS_ON edge that remembers it came from (or stands for) TEST_DEPENDENCY_OF
      return { spdxElementId: to, relationshipType: e.originalType === 'TEST_DEPENDENCY_OF' ? 'TEST_DEPENDENCY_OF' : 'DEV_DEPENDENCY_OF', relatedSpdxElement: from };
    case 'OPTIONAL_DEPENDS_ON':
      return { spdxElementId: to, relationshipType: 'OPTIONAL_DEPENDENCY_OF', relatedSpdxElement: from };
    case 'OTHER':
      return { spdxElementId: from, relationshipType: 'OTHER', relatedSpdxElement: to, ...(e.originalType ? { comment: e.originalType } : {}) };
    default:
      return { spdxElementId: from, relationshipType: e.type, relatedSpdxElement: to };
  }
}

function pkg(cg: CanonicalGraph, c: Component, id: string, created: string, extracted: Map<string, string>, completeWithDeps: boolean): Json {
  const refs: Json[] = [];
  if (c.purl) refs.push({ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl });
  for (const cpe of c.cpes) {
    refs.push({ referenceCategory: 'SECURITY', referenceType: cpe.startsWith('cpe:2.3:') ? 'cpe23Type' : 'cpe22Type', referenceLocator: cpe });
  }
  // links other than the home page: SPDX 2 has no field for them, OTHER references keep them (type as referenceType)
  const home = homepage(c);
  for (const r of [...c.externalRefs].sort((a, b) => cmp(a.type, b.type) || cmp(a.url, b.url))) {
    if ((r.type === 'website' && r.url === home) || /\s/.test(r.url)) continue;
    refs.push({ referenceCategory: 'OTHER', referenceType: r.type, referenceLocator: r.url, ...(r.comment ? { comment: r.comment } : {}) });
  }
  // SPDX 2 has one originator (the creator); further authors go with the other facts as annotations
  const props = [...sortedProperties(c), ...c.authors.map((a) => ({ name: 'beambake:author', value: a }))];
  // SPDX 2 states completeness only for leaves (DEPENDS_ON NONE): a complete list with entries says so here
  if (completeWithDeps) props.push({ name: 'beambake:dependencies', value: 'complete' });
  const annotations = props.map((p) => ({
    annotationDate: created,
    annotationType: 'OTHER',
    annotator: `Tool: ${TOOL_NAME}`,
    comment: `${p.name}=${p.value}`,
  }));
  const out: Json = {
    SPDXID: id,
    name: c.name,
    versionInfo: c.version,
    packageFileName: c.filename,
    supplier: spdx2Party(c.supplier) ?? 'NOASSERTION',
    originator: spdx2Party(c.manufacturer ?? (c === cg.root ? cg.graph.metadata.manufacturer : undefined)),
    downloadLocation: c.downloadLocation ?? distributionUrl(c) ?? 'NOASSERTION',
    filesAnalyzed: false,
    checksums: c.hashes.length > 0 ? c.hashes.map((h) => ({ algorithm: spdx2Algorithm(h.alg), checksumValue: h.value })) : undefined,
    homepage: home,
    licenseConcluded: isLicenseFact(c.licenses.concluded) ? spdxLicense(c.licenses.concluded, extracted) : 'NOASSERTION',
    licenseDeclared: isLicenseFact(c.licenses.declared) ? spdxLicense(c.licenses.declared, extracted) : 'NOASSERTION',
    copyrightText: c.copyright ?? 'NOASSERTION',
    description: c.description,
    externalRefs: refs.length > 0 ? refs : undefined,
    primaryPackagePurpose: spdx2Purpose(c.type),
    annotations: annotations.length > 0 ? annotations : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function* spdx2Chunks(cg: CanonicalGraph): Generator<string> {
  const m = cg.graph.metadata;
  const ids = idMap(cg, 'SPDXRef-');
  const created = requiredTimestamp(cg.graph);
  const creators = [`Tool: ${TOOL_NAME}-${toolVersion(cg.graph)}`];
  for (const t of m.tools) if (t.name !== TOOL_NAME) creators.push(`Tool: ${t.name}${t.version ? `-${t.version}` : ''}`);
  for (const a of m.authors) {
    const s = spdx2Party(a, a.urls && a.urls.length > 0 ? 'Organization' : 'Person');
    if (s) creators.push(s);
  }
  const head: Json = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: m.name,
    documentNamespace: documentNamespace(cg),
    creationInfo: { created, creators, ...(buildComment(cg) ? { comment: buildComment(cg) } : {}) },
  };
  const headJson = JSON.stringify(head, null, 2);
  yield headJson.slice(0, headJson.length - 2) + ',\n';

  const extracted = new Map<string, string>();
  const completeness = completenessById(cg);
  const used = new Set<string>();
  function* packages(): Generator<Json> {
    for (let k = 0; k < cg.components.length; k++) {
      const c = cg.components[k]!;
      const hasDeps = cg.outgoing[k]!.some((e) => DEPENDENCY_EDGES.has(e.type));
      const p = pkg(cg, c, ids.get(c.id)!, created, extracted, completeness.get(c.id) === 'complete' && hasDeps);
      for (const k of ['licenseConcluded', 'licenseDeclared'] as const) for (const ref of String(p[k]).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) used.add(ref);
      yield p;
    }
  }
  let first = true;
  for (const text of itemsAtDepth2(packages())) {
    yield first ? `  "packages": [\n${text}` : text;
    first = false;
  }
  yield first ? '  "packages": [],\n' : '\n  ],\n';

  // every LicenseRef used gets its entry: the text an input gave, else the licence name beambake wrapped
  if (used.size > 0) {
    const texts = new Map((cg.graph.licenseTexts ?? []).map((l) => [l.id, l]));
    const infos = [...used].sort((a, b) => (a < b ? -1 : 1)).map((licenseId) => {
      const given = texts.get(licenseId);
      const wrapped = extracted.get(licenseId);
      const text = given?.text ?? wrapped ?? 'The licence text is not in the inputs of this SBOM.';
      return { licenseId, extractedText: text, name: given?.name ?? wrapped ?? licenseId };
    });
    yield `  "hasExtractedLicensingInfos": ${indentJson(infos, 2)},\n`;
  }

  const complete = completenessById(cg);
  function* relationships(): Generator<Json> {
    if (cg.root) yield { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: ids.get(cg.root.id)! };
    for (let k = 0; k < cg.components.length; k++) {
      const c = cg.components[k]!;
      const out = cg.outgoing[k]!;
      yield* out.map((e) => relationship(ids, e));
      const agg = complete.get(c.id);
      const hasDeps = out.some((e) => DEPENDENCY_EDGES.has(e.type));
      if (agg === 'complete' && !hasDeps) {
        yield { spdxElementId: ids.get(c.id)!, relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'NONE' };
      } else if (agg !== undefined && agg !== 'complete') {
        yield { spdxElementId: ids.get(c.id)!, relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'NOASSERTION', comment: `dependencies ${agg}` };
      }
    }
  }
  yield '  "relationships": [\n';
  first = true;
  for (const text of itemsAtDepth2(relationships())) {
    yield text;
    first = false;
  }
  if (first) yield '    '; // the bytes an empty list always had here
  yield '\n  ]\n}\n';
}

/** SPDX 2 has no build element: build records travel as lines of the creation comment, nothing dropped. */
function buildComment(cg: CanonicalGraph): string | undefined {
  const builds = cg.graph.builds ?? [];
  if (builds.length === 0) return undefined;
  return builds
    .map((b) =>
      [
        `build ${b.id}${b.name ? ` (${b.name})` : ''}${b.buildType ? ` type ${b.buildType}` : ''}`,
        ...b.inputs.map((x) => `  input ${x}`),
        ...b.outputs.map((x) => `  output ${x}`),
        ...b.dependsOn.map((x) => `  dependsOn ${x}`),
      ].join('\n'),
    )
    .join('\n');
}
