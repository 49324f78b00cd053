/**
 * Graph -> CycloneDX 1.6 objects in the JSON shape, keys in schema order. The
 * JSON writer stringifies them; the XML writer walks the same objects, so the
 * two encodings cannot drift apart in content.
 *
 * Mapping decisions (see README "SBOM formats"):
 * - `metadata.manufacturer` is the creator of the BOM (CycloneDX 1.6 meaning,
 *   BSI "creator of the SBOM"): the first metadata author with an e-mail or URL,
 *   else the graph's manufacturer.
 * - Every edge of a dependency kind, CONTAINS and GENERATED_FROM (a Yocto package
 *   and the recipe it is built from) becomes `dependsOn` (CycloneDX has one
 *   dependency notion, and the device must reach each component through it); any edge type other than DEPENDS_ON is also kept
 *   as a `beambake:relationship:<TYPE>` property of the source so readers can
 *   restore it.
 * - Declared and concluded licences carry `acknowledgement`; CycloneDX allows
 *   several ids or exactly one expression, so when both licences need the
 *   expression form only the concluded one is written as `licenses` and the
 *   declared one as the `beambake:license:declared` property.
 * - The deployable's hashes travel on the `distribution` external reference
 *   (BSI TR-03183-2 v2.1 mapping) as well as on the component.
 */
import type { Component, Edge, ExternalRef, Hash, Party } from '../model.js';
import { cmp, compact, REACHING_EDGES, TOOL_NAME, toolVersion } from './common.js';
import type { CanonicalGraph } from './canonical.js';
import { conjunctiveIds, isLicenseFact, isSpdxExpression } from './licenses.js';
import { spdxLicense } from './spdx-ids.js';

export type Json = Record<string, unknown>;

export const CDX_SPEC_VERSION = '1.6';

export function cdxEntity(p: Party | undefined): Json | undefined {
  if (!p || (!p.name && !p.email && !(p.urls && p.urls.length > 0))) return undefined;
  return compact({
    name: p.name,
    url: p.urls && p.urls.length > 0 ? [...p.urls] : undefined,
    contact: p.email ? [compact({ name: p.name, email: p.email })] : undefined,
  });
}

function cdxHashes(hashes: Hash[] | undefined): Json[] | undefined {
  if (!hashes || hashes.length === 0) return undefined;
  if (hashes.length === 1) return [{ alg: hashes[0]!.alg, content: hashes[0]!.value }];
  return [...hashes].sort((a, b) => cmp(a.alg, b.alg) || cmp(a.value, b.value)).map((h) => ({ alg: h.alg, content: h.value }));
}

function licenseEntries(expr: string, ack: 'declared' | 'concluded'): Json[] | 'expression' {
  const ids = conjunctiveIds(expr);
  if (!ids) return 'expression';
  return ids.map((id) => ({ license: { id, acknowledgement: ack } }));
}

function cdxLicenses(c: Component, extraProps: { name: string; value: string }[]): Json[] | undefined {
  // a licence that is not SPDX gets the LicenseRef the SPDX writers give it (its text as a property), so the
  // same component states the same licence in every format
  const asSpdx = (v: string | undefined): string | undefined => {
    if (!isLicenseFact(v) || isSpdxExpression(v)) return isLicenseFact(v) ? v : undefined;
    const refs = new Map<string, string>();
    const ref = spdxLicense(v, refs);
    for (const [id, text] of refs) if (!extraProps.some((p) => p.name === `beambake:license-text:${id}`)) extraProps.push({ name: `beambake:license-text:${id}`, value: text });
    return ref;
  };
  const declared = asSpdx(c.licenses.declared);
  const concluded = asSpdx(c.licenses.concluded);
  const d = declared !== undefined ? licenseEntries(declared, 'declared') : [];
  const k = concluded !== undefined ? licenseEntries(concluded, 'concluded') : [];
  if (d !== 'expression' && k !== 'expression') {
    const all = [...k, ...d];
    return all.length > 0 ? all : undefined;
  }
  if (concluded !== undefined) {
    if (declared !== undefined && declared !== concluded) extraProps.push({ name: 'beambake:license:declared', value: declared });
    return k === 'expression' ? [{ expression: concluded, acknowledgement: 'concluded' }] : k;
  }
  return [{ expression: declared!, acknowledgement: 'declared' }];
}

function cdxExternalRefs(c: Component): Json[] | undefined {
  const refs: ExternalRef[] = [...c.externalRefs];
  const dl = c.downloadLocation;
  if (dl && dl !== 'NOASSERTION' && dl !== 'NONE') {
    const vcs = /^git\+/.test(dl);
    const type: ExternalRef['type'] = vcs ? 'vcs' : 'distribution';
    const url = vcs ? dl.slice(4) : dl;
    // a vcs link already given for a git download (same repository) says it; any other location is a fact of its own
    const covered = refs.some((r) => r.url === url || (vcs && r.type === 'vcs' && url.startsWith(r.url)));
    if (!covered) refs.push({ type, url });
  }
  if (refs.length === 0) return undefined;
  return refs
    .map((r) => compact({ url: r.url, comment: r.comment, type: r.type, hashes: cdxHashes(r.hashes) }))
    .sort((a, b) => cmp(String(a.type), String(b.type)) || cmp(String(a.url), String(b.url)));
}

/** Adds the properties that carry edge types CycloneDX `dependsOn` cannot express. */
function addRelationshipProps(outgoing: readonly Edge[], props: { name: string; value: string }[]): void {
  for (const e of outgoing) {
    if (e.type !== 'DEPENDS_ON') props.push({ name: `beambake:relationship:${e.type === 'OTHER' && e.originalType ? e.originalType : e.type}`, value: e.to });
  }
}

/** CycloneDX component scopes; the graph carries a non-default one as the `cdx:scope` property (as the readers do). */
const CDX_SCOPES = new Set(['required', 'optional', 'excluded']);

/** Adds the mapping's own properties to the component's (`props`) and sorts them. */
function cdxProperties(cg: CanonicalGraph, k: number, props: { name: string; value: string }[]): void {
  const c = cg.components[k]!;
  if (c.filename && !props.some((p) => p.name === 'bsi:component:filename')) props.push({ name: 'bsi:component:filename', value: c.filename });
  for (let i = 1; i < c.cpes.length; i++) props.push({ name: 'beambake:cpe', value: c.cpes[i]! });
  addRelationshipProps(cg.outgoing[k]!, props);
  if (props.length > 1) props.sort((a, b) => cmp(a.name, b.name) || cmp(a.value, b.value));
}

/**
 * The CycloneDX component for `cg.components[k]`, keys in schema order. One
 * object literal with every key, a missing fact `undefined` (JSON.stringify
 * leaves those out, the XML writer skips them): a large SBOM makes one of
 * these per component, and fields added one by one go to a property store
 * outside the object that grows as they come (mapping and stringifying the
 * 110,000 components of the bench: ~485 -> ~450 ms, medians of 6 in one process).
 */
export function cdxComponent(cg: CanonicalGraph, k: number): Json {
  const c = cg.components[k]!;
  // a scope CycloneDX has a field for leaves the properties (sorted below, after the mapping's own)
  const scope = c.properties.find((p) => p.name === 'cdx:scope' && CDX_SCOPES.has(p.value))?.value;
  const props = scope === undefined ? [...c.properties] : c.properties.filter((p) => p.name !== 'cdx:scope');
  const licenses = cdxLicenses(c, props);
  cdxProperties(cg, k, props);
  const refs = cdxExternalRefs(c);
  return {
    type: c.type,
    'bom-ref': c.id,
    supplier: cdxEntity(c.supplier),
    manufacturer: cdxEntity(c.manufacturer ?? (c === cg.root ? cg.graph.metadata.manufacturer : undefined)),
    authors: c.authors.length > 0 ? c.authors.map((name) => ({ name })) : undefined,
    name: c.name,
    version: c.version,
    description: c.description,
    scope: scope || undefined,
    hashes: c.hashes.length > 0 ? cdxHashes(c.hashes) : undefined,
    licenses: licenses && licenses.length > 0 ? licenses : undefined,
    copyright: c.copyright,
    cpe: c.cpes[0],
    purl: c.purl,
    externalReferences: refs && refs.length > 0 ? refs : undefined,
    properties: props.length > 0 ? props : undefined,
  };
}

/** The components but the root (which is `metadata.component`), in canonical order. */
export function* cdxComponents(cg: CanonicalGraph): Generator<Json> {
  for (let k = cg.root ? 1 : 0; k < cg.components.length; k++) yield cdxComponent(cg, k);
}

/** One `dependencies` entry per component, the root's too, in canonical order. */
export function* cdxDependencies(cg: CanonicalGraph): Generator<Json> {
  for (let k = 0; k < cg.components.length; k++) yield cdxDependency(cg, k);
}

export function cdxMetadata(cg: CanonicalGraph): Json {
  const m = cg.graph.metadata;
  const creator = m.authors.find((a) => a.email || (a.urls && a.urls.length > 0)) ?? m.manufacturer;
  // the tool that wrote this SBOM is named with its version (BSI, NTIA: the tool is part of the SBOM's provenance)
  const list = [...m.tools.filter((t) => t.name !== TOOL_NAME), { name: TOOL_NAME, version: toolVersion(cg.graph) }];
  const tools = list
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.version ?? '', b.version ?? ''))
    .map((t) => compact({ type: 'application', supplier: t.vendor ? { name: t.vendor } : undefined, name: t.name, version: t.version }));
  return compact({
    timestamp: m.timestamp,
    tools: { components: tools },
    authors: m.authors.filter((a) => a.name || a.email).map((a) => compact({ name: a.name, email: a.email })),
    component: cg.root ? cdxComponent(cg, 0) : undefined,
    manufacturer: cdxEntity(creator),
    supplier: cdxEntity(m.supplier),
  });
}

function isSorted(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return false;
  return true;
}

/** One `dependencies` entry per component (BSI: leaves are listed with no dependsOn). */
export function cdxDependency(cg: CanonicalGraph, k: number): Json {
  const c = cg.components[k]!;
  const targets: string[] = [];
  for (const e of cg.outgoing[k]!) {
    if (REACHING_EDGES.has(e.type)) targets.push(e.to);
  }
  const o: Json = { ref: c.id };
  if (targets.length > 0) {
    // sorted, each target once (two edge types can link the same pair); the edges are in canonical
    // order (type, then target), so the targets of one edge type, the usual case, are sorted already
    if (!isSorted(targets)) targets.sort(cmp);
    let n = 1;
    for (let i = 1; i < targets.length; i++) if (targets[i] !== targets[n - 1]) targets[n++] = targets[i]!;
    targets.length = n;
    o.dependsOn = targets;
  }
  return o;
}

export function cdxCompositions(cg: CanonicalGraph): Json[] {
  return cg.compositions.map((c) => ({ aggregate: c.aggregate, dependencies: c.assemblies }));
}

/**
 * Build records as CycloneDX `formulation`: one formula, one workflow per
 * build. Inputs and outputs that are components of this BOM are resource
 * references; anything else the build names (files folded into packages,
 * builds of other documents) stays as a property, so nothing is dropped.
 */
export function cdxFormulation(cg: CanonicalGraph): Json[] | undefined {
  const builds = cg.graph.builds ?? [];
  if (builds.length === 0) return undefined;
  const res = (ids: string[], props: Json[], kind: string): Json[] | undefined => {
    const out: Json[] = [];
    for (const id of ids) {
      if (cg.byId.has(id)) out.push({ resource: { ref: id } });
      else props.push({ name: `beambake:build:${kind}`, value: id });
    }
    return out.length > 0 ? out : undefined;
  };
  const workflows = builds.map((b) => {
    const props: Json[] = [];
    if (b.buildType) props.push({ name: 'beambake:build:type', value: b.buildType });
    const inputs = res(b.inputs, props, 'input');
    const outputs = res(b.outputs, props, 'output');
    for (const d of b.dependsOn) props.push({ name: 'beambake:build:dependsOn', value: d });
    for (const p of b.properties) props.push({ name: p.name, value: p.value });
    return compact({ 'bom-ref': `build:${b.id}`, uid: b.id, name: b.name, taskTypes: ['build'], inputs, outputs, properties: props.length > 0 ? props : undefined });
  });
  return [{ 'bom-ref': 'beambake:formulation', workflows }];
}
