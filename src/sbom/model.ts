/**
 * The component graph every SBOM reader produces and every SBOM writer
 * consumes. It is format-neutral: CycloneDX, SPDX 2.x and SPDX 3 facts all map
 * onto it, so a merge is a graph operation and a conversion is read + write.
 * Models stay separate from serializers and validators (as in the CycloneDX
 * JavaScript library).
 */

export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA3-256' | 'SHA3-512' | 'BLAKE2b-256' | 'BLAKE3';

export interface Hash {
  alg: HashAlgorithm;
  /** Lowercase hex. */
  value: string;
}

export type ComponentType =
  | 'application'
  | 'framework'
  | 'library'
  | 'container'
  | 'platform'
  | 'operating-system'
  | 'device'
  | 'firmware'
  | 'file'
  | 'data';

export interface Party {
  name?: string;
  /** URLs (website) of the organisation or person. */
  urls?: string[];
  /** E-mail address. */
  email?: string;
}

export type ExternalRefType =
  | 'website'
  | 'vcs'
  | 'distribution'
  | 'issue-tracker'
  | 'documentation'
  | 'license'
  | 'source-distribution'
  | 'bom'
  | 'other';

export interface ExternalRef {
  type: ExternalRefType;
  url: string;
  comment?: string;
  /** Hashes of what `url` points at (CycloneDX externalReferences[].hashes; BSI puts the deployable's SHA-512 here). */
  hashes?: Hash[];
}

export interface Property {
  name: string;
  value: string;
}

export interface Licensing {
  /** SPDX license expression as declared by the supplier, or a free-text name when not SPDX. */
  declared?: string;
  /** SPDX license expression as concluded (SPDX licenseConcluded, Yocto LICENSE after processing). */
  concluded?: string;
}

export interface Component {
  /** Identifier unique in this graph (CycloneDX bom-ref, SPDX SPDXID / spdxId). Stable across runs. */
  id: string;
  type: ComponentType;
  name: string;
  version?: string;
  purl?: string;
  cpes: string[];
  supplier?: Party;
  /** Creator of the component (CycloneDX component.manufacturer, SPDX originator / originatedBy; BSI "component creator"). */
  manufacturer?: Party;
  /** Authors / originators as free text. */
  authors: string[];
  description?: string;
  hashes: Hash[];
  licenses: Licensing;
  copyright?: string;
  /** Where the component's source or artifact can be downloaded (SPDX downloadLocation). */
  downloadLocation?: string;
  /** File name of the deployable component (BSI TR-03183-2 "filename"). */
  filename?: string;
  externalRefs: ExternalRef[];
  /** Free-form facts: yocto patched CVEs, bsi:component:* flags, beambake:* facts. */
  properties: Property[];
  /** Input documents this component was read from, for the merge report. */
  sources: string[];
}

/** Edge kinds; `DEPENDS_ON` and `CONTAINS` are the ones every output format can express. */
export type EdgeType =
  | 'DEPENDS_ON'
  | 'CONTAINS'
  | 'BUILD_DEPENDS_ON'
  | 'DEV_DEPENDS_ON'
  | 'OPTIONAL_DEPENDS_ON'
  | 'GENERATED_FROM'
  | 'DESCRIBES'
  | 'OTHER';

export interface Edge {
  from: string;
  to: string;
  type: EdgeType;
  /** Original relationship name in the input when `type` is OTHER or a lossy mapping. */
  originalType?: string;
}

export type CompositionAggregate = 'complete' | 'incomplete' | 'incomplete_first_party_only' | 'unknown';

export interface Composition {
  aggregate: CompositionAggregate;
  /** Component ids whose direct dependencies the statement covers. */
  assemblies: string[];
}

/** Vulnerability facts carried alongside (never written into the SBOM itself; exported as OpenVEX). */
export interface VexStatement {
  vulnerability: string;
  status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
  justification?: string;
  products: string[];
  statement?: string;
  /**
   * Products named by reference into a BOM that is not part of this graph
   * (a CycloneDX BOM-Link `urn:cdx:SERIAL/VERSION#ref` of a BOM that was not
   * merged): kept as written, never turned into placeholder components.
   */
  externalProducts?: string[];
}

/**
 * A build step (SPDX 3 `build_Build`, CycloneDX `formulation`): provenance of
 * components, not a component itself, so it is kept beside the component list.
 */
export interface BuildRecord {
  id: string;
  name?: string;
  /** SPDX 3 build_buildType (an IRI). */
  buildType?: string;
  /** Component ids the build consumed / produced (hasInput / hasOutput). */
  inputs: string[];
  outputs: string[];
  /** Other builds (or references to builds in other documents) it depends on. */
  dependsOn: string[];
  properties: Property[];
  sources: string[];
}

export interface SbomMetadata {
  /** Document name. */
  name: string;
  /** Component id of the thing the SBOM describes (device, image or application). */
  root?: string;
  /** From SOURCE_DATE_EPOCH, or the input's own creation time, or undefined. */
  timestamp?: string;
  /** The creator of the SBOM (BSI: e-mail or URL required). */
  authors: Party[];
  manufacturer?: Party;
  supplier?: Party;
  tools: { name: string; version?: string; vendor?: string }[];
  /** Stable document identity (CycloneDX serialNumber urn:uuid, SPDX namespace). */
  serialNumber?: string;
}

export interface SbomGraph {
  metadata: SbomMetadata;
  /** Sorted by id in writers' output. */
  components: Component[];
  edges: Edge[];
  compositions: Composition[];
  vex: VexStatement[];
  /** Build provenance (optional: graphs without any have none). */
  builds?: BuildRecord[];
  /** Texts of the `LicenseRef-` licences the components name, as the inputs give them (SPDX 2 hasExtractedLicensingInfos). */
  licenseTexts?: LicenseText[];
}

export interface LicenseText {
  /** `LicenseRef-...` as used in the licence expressions. */
  id: string;
  text: string;
  name?: string;
}

export function emptyComponent(id: string, name: string, type: ComponentType = 'library'): Component {
  return { id, type, name, cpes: [], authors: [], hashes: [], licenses: {}, externalRefs: [], properties: [], sources: [] };
}
