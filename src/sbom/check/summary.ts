/**
 * `sbom check --summary`: one line per requirement of the profile, with how
 * many components (or the document) miss it and, for each gap, which input
 * could supply the fact or which beambake option fills it.
 */
import type { CheckReport } from './index.js';

export interface RequirementLine {
  field: string;
  level: 'required' | 'additional';
  missing: number;
  /** Components the requirement applies to (1 for a document-level requirement). */
  of: number;
  fill?: string;
}

const DOC = 'document';

/** Requirement -> [scope, where the fact comes from]. */
const REQUIREMENTS: Record<string, [typeof DOC | 'component', string]> = {
  'SBOM format': [DOC, 'write with --format cyclonedx-json, cyclonedx-xml or spdx3-json (SPDX 2.3 is not accepted by TR-03183-2 v2.1)'],
  'Creator of the SBOM': [DOC, '`sbom merge --manufacturer-url URL` or `--contact EMAIL`; `beambake sbom --author-email/--author-url`'],
  Timestamp: [DOC, 'set SOURCE_DATE_EPOCH (or use inputs that state their creation time)'],
  'SBOM-URI': [DOC, 'written by beambake (serial number / namespace); regenerate the document with beambake'],
  'Author of SBOM data': [DOC, '`sbom merge --manufacturer NAME`; `beambake sbom --author NAME`'],
  'Unique identifiers': [DOC, 'the tool that wrote the document declares an identifier twice: regenerate it (beambake refuses such inputs)'],
  'References resolve': [DOC, 'the tool that wrote the document references what it does not declare: regenerate it, or merge the input that declares it'],
  'SHACL conformance': [DOC, 'the tool that wrote the SPDX 3 document: regenerate it with beambake'],
  'Component creator': ['component', 'an input naming the creator with e-mail or URL (CycloneDX manufacturer, SPDX originator); BEAM apps: `beambake sbom --manufacturer-email/--manufacturer-url`; the device: `sbom merge --manufacturer-url/--contact`'],
  'Component name': ['component', 'the input that declares the component'],
  'Component version': ['component', 'an input stating the version (Yocto SPDX versionInfo, CycloneDX version); OTP/Elixir apps: `beambake sbom --otp-version/--erts-version/--elixir-version` or `--otp-from-host`'],
  'Version of the component': ['component', 'an input stating the version; OTP/Elixir apps: `beambake sbom --otp-version/--erts-version/--elixir-version` or `--otp-from-host`'],
  'Filename of the component': ['component', 'Hex packages: `beambake sbom --vendor DIR` (tarball names); other inputs must state packageFileName / bsi:component:filename'],
  'Dependencies on other components': ['component', 'inputs with dependency relationships and stated completeness (beambake layer SBOMs; CycloneDX compositions)'],
  'Distribution licences': ['component', 'concluded licences: Yocto SPDX licenseConcluded; Hex packages: `beambake sbom --vendor DIR`'],
  'Hash value of the deployable component': ['component', 'SHA-512 of the deployable: Hex packages with `beambake sbom --vendor DIR`; other inputs must hash their artefacts'],
  'Executable property': ['component', 'Hex packages with `beambake sbom --vendor DIR`; other inputs must state bsi:component:executable'],
  'Archive property': ['component', 'Hex packages with `beambake sbom --vendor DIR`; other inputs must state bsi:component:archive'],
  'Structured property': ['component', 'Hex packages with `beambake sbom --vendor DIR`; other inputs must state bsi:component:structured'],
  'Reachable from the product': ['component', '`sbom merge` hangs every input under the device and fails on what it cannot link (--explain says why)'],
  'Source code URI': ['component', 'inputs with a VCS / source-distribution reference (Hex and git dependencies get one from beambake)'],
  'URI of the deployable form': ['component', 'inputs with a download location (Yocto SPDX downloadLocation, Hex tarball URLs)'],
  'Other unique identifiers': ['component', 'purl or CPE from the input (Yocto CVE_PRODUCT gives CPEs; beambake writes purls)'],
  'Original licences': ['component', 'declared licences: Yocto SPDX licenseDeclared; Hex packages: `beambake sbom --vendor DIR`'],
  'Supplier name': ['component', "the input's supplier; the device: `sbom merge --manufacturer`"],
  'Dependency relationship': ['component', '`sbom merge` links every input root under the device'],
};

const BSI_FIELDS = ['SBOM format', 'Creator of the SBOM', 'Timestamp', 'SBOM-URI', 'Component creator', 'Component name', 'Component version', 'Filename of the component', 'Dependencies on other components', 'Distribution licences', 'Hash value of the deployable component', 'Executable property', 'Archive property', 'Structured property', 'Source code URI', 'URI of the deployable form', 'Other unique identifiers', 'Original licences'];
const NTIA_FIELDS = ['Author of SBOM data', 'Timestamp', 'Supplier name', 'Component name', 'Version of the component', 'Other unique identifiers', 'Dependency relationship'];
const GRAPH_FIELDS = ['Reachable from the product', 'Unique identifiers', 'References resolve'];
const ADDITIONAL = new Set(['SBOM-URI', 'Source code URI', 'URI of the deployable form', 'Other unique identifiers', 'Original licences']);

export function requirementSummary(r: CheckReport): RequirementLine[] {
  const fields = [...(r.profile === 'ntia' ? NTIA_FIELDS : BSI_FIELDS), ...GRAPH_FIELDS, ...(r.format === 'spdx3-json' ? ['SHACL conformance'] : [])];
  return fields.map((field) => {
    const [scope, fill] = REQUIREMENTS[field] ?? [DOC, ''];
    const level: RequirementLine['level'] = r.profile === 'bsi-tr-03183-2' && ADDITIONAL.has(field) ? 'additional' : 'required';
    const hits = r.findings.filter((f) => f.field === field);
    const missing = scope === DOC ? hits.length : new Set(hits.map((f) => f.component ?? '(document)')).size;
    return { field, level, missing, of: scope === DOC ? 1 : r.components, ...(missing > 0 ? { fill } : {}) };
  });
}
