/**
 * Conformance profiles over the extracted facts.
 *
 * bsi-tr-03183-2 (v2.1.0): format CycloneDX >= 1.6 or SPDX >= 3.0.1; §5.2.1
 * SBOM creator (e-mail or URL) and timestamp; §5.2.2 per component creator,
 * name, version, filename, dependencies with stated completeness, distribution
 * licence (valid SPDX), SHA-512 of the deployable, executable / archive /
 * structured properties. §5.2.3/§5.2.4 "additional" fields (SBOM-URI, source
 * code URI, URI of the deployable, other identifiers, original licences) are
 * required only where the fact exists, which a checker cannot know: they are
 * reported with level "additional" and do not fail the check.
 *
 * ntia: the NTIA minimum elements (supplier, name, version, other unique
 * identifiers, dependency relationship, author of the SBOM data, timestamp).
 */
import type { ComponentFacts, DocumentFacts } from './facts.js';
import { isSpdxExpression } from '../writers/licenses.js';

export const PROFILES = ['bsi-tr-03183-2', 'ntia'] as const;
export type Profile = (typeof PROFILES)[number];

export interface Finding {
  /** Component label, or undefined for the document itself. */
  component?: string;
  field: string;
  level: 'required' | 'additional';
  message: string;
}

type Rule = { field: string; level: Finding['level']; test: (c: ComponentFacts) => string | undefined };

const present = (v: string | undefined, what: string): string | undefined => (v ? undefined : `no ${what}`);

/** A version that says nothing (SPDX's NOASSERTION/NONE, blank) is as missing as no version. */
function versionProblem(v: string | undefined): string | undefined {
  if (!v || !v.trim()) return 'no version';
  if (/^(NOASSERTION|NONE)$/i.test(v.trim())) return `version is "${v.trim()}", which states no version`;
  return undefined;
}

function licenseProblem(v: string | undefined, what: string): string | undefined {
  if (!v) return `no ${what}`;
  return isSpdxExpression(v) ? undefined : `${what} "${v}" is not an SPDX licence expression`;
}

function oneOf(v: string | undefined, allowed: string[], what: string): string | undefined {
  if (!v) return `no ${what}`;
  return allowed.includes(v) ? undefined : `${what} "${v}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`;
}

const BSI_COMPONENT: Rule[] = [
  { field: 'Component creator', level: 'required', test: (c) => present(c.creatorContact, 'e-mail address or URL of the component creator') },
  { field: 'Component name', level: 'required', test: (c) => present(c.name, 'name') },
  { field: 'Component version', level: 'required', test: (c) => versionProblem(c.version) },
  { field: 'Filename of the component', level: 'required', test: (c) => present(c.filename, 'filename') },
  {
    field: 'Dependencies on other components',
    level: 'required',
    test: (c) => (!c.dependenciesListed ? 'no dependency statement' : !c.completenessStated ? 'completeness of the dependency list not stated' : undefined),
  },
  { field: 'Distribution licences', level: 'required', test: (c) => licenseProblem(c.distributionLicense, 'distribution (concluded) licence') },
  {
    field: 'Hash value of the deployable component',
    level: 'required',
    test: (c) => (c.deployableHashAlgs.includes('SHA-512') ? undefined : c.deployableHashAlgs.length > 0 ? `deployable hashed with ${c.deployableHashAlgs.join(', ')} only, SHA-512 required` : 'no SHA-512 of the deployable'),
  },
  { field: 'Executable property', level: 'required', test: (c) => oneOf(c.executable, ['executable', 'non-executable'], 'executable property') },
  { field: 'Archive property', level: 'required', test: (c) => oneOf(c.archive, ['archive', 'no archive'], 'archive property') },
  { field: 'Structured property', level: 'required', test: (c) => oneOf(c.structured, ['structured', 'unstructured'], 'structured property') },
  { field: 'Source code URI', level: 'additional', test: (c) => present(c.sourceUri, 'source code URI') },
  { field: 'URI of the deployable form', level: 'additional', test: (c) => present(c.deployableUri, 'URI of the deployable form') },
  { field: 'Other unique identifiers', level: 'additional', test: (c) => (c.identifiers.length > 0 ? undefined : 'no purl, CPE or SWID') },
  { field: 'Original licences', level: 'additional', test: (c) => licenseProblem(c.originalLicense, 'original (declared) licence') },
];

const NTIA_COMPONENT: Rule[] = [
  { field: 'Supplier name', level: 'required', test: (c) => present(c.supplierName, 'supplier name') },
  { field: 'Component name', level: 'required', test: (c) => present(c.name, 'name') },
  { field: 'Version of the component', level: 'required', test: (c) => versionProblem(c.version) },
  { field: 'Other unique identifiers', level: 'required', test: (c) => (c.identifiers.length > 0 ? undefined : 'no purl, CPE or SWID') },
  { field: 'Dependency relationship', level: 'required', test: (c) => (c.inGraph ? undefined : 'not related to the described software by any dependency or containment') },
];

function versionAtLeast(v: string, min: number[]): boolean {
  const parts = v.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < min.length; i++) {
    const p = parts[i] ?? 0;
    if (Number.isNaN(p)) return false;
    if (p !== min[i]) return p > min[i]!;
  }
  return true;
}

export function evaluate(profile: Profile, doc: DocumentFacts): Finding[] {
  const out: Finding[] = [];
  const docFinding = (field: string, message: string, level: Finding['level'] = 'required') => out.push({ field, level, message });
  if (profile === 'bsi-tr-03183-2') {
    const cdx = doc.kind.startsWith('cyclonedx');
    const ok = cdx ? versionAtLeast(doc.specVersion, [1, 6]) : doc.kind === 'spdx3-json' && versionAtLeast(doc.specVersion, [3, 0, 1]);
    if (!ok) docFinding('SBOM format', `${cdx ? 'CycloneDX' : 'SPDX'} ${doc.specVersion || '(unknown version)'} is not accepted: TR-03183-2 v2.1 needs CycloneDX >= 1.6 or SPDX >= 3.0.1`);
    if (!doc.creatorContact) docFinding('Creator of the SBOM', 'no e-mail address or URL of the SBOM creator');
    if (!doc.timestamp) docFinding('Timestamp', 'no creation time');
    if (!doc.sbomUri) docFinding('SBOM-URI', 'no SBOM URI (serial number / namespace / Sbom id)', 'additional');
  } else {
    if (!doc.author) docFinding('Author of SBOM data', 'no author, manufacturer or tool named as the SBOM author');
    if (!doc.timestamp) docFinding('Timestamp', 'no creation time');
  }
  const rules = profile === 'bsi-tr-03183-2' ? BSI_COMPONENT : NTIA_COMPONENT;
  for (const c of doc.components) {
    for (const r of rules) {
      const message = r.test(c);
      if (message) out.push({ component: c.label, field: r.field, level: r.level, message });
    }
  }
  return out;
}
