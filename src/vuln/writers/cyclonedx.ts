/**
 * CycloneDX 1.6 VEX: a BOM whose `vulnerabilities` reference the SBOM's
 * components. With one CycloneDX SBOM as input the references are BOM-Links
 * (`urn:cdx:SERIAL/1#BOM-REF`) into that SBOM; otherwise the affected
 * components are listed in this BOM, with their purls, and referenced there.
 */
import type { Finding, Justification, VexStatus, VulnResult } from '../model.js';
import type { Severity } from '../severity.js';
import { contentUuid, productId, type Json, type WriteOptions } from './common.js';

const STATE: Record<VexStatus, string> = { affected: 'exploitable', not_affected: 'not_affected', fixed: 'resolved', under_investigation: 'in_triage' };
const JUSTIFICATION: Record<Justification, string> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

function rating(s: Severity): Json {
  const method = s.method === 'advisory' || s.method === 'yocto' ? 'other' : s.method;
  return { ...(s.score !== undefined ? { score: s.score } : {}), severity: s.rating, method, ...(s.vector ? { vector: s.vector } : {}) };
}

function sourceOf(id: string): Json | undefined {
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${id}` };
  if (id.startsWith('EEF-')) return { name: 'EEF CNA', url: `https://cna.erlef.org/cves/${id.slice(4)}.html` };
  return undefined;
}

export function toCycloneDxVex(r: VulnResult, o: WriteOptions): Json {
  const serial = r.target.serialNumber?.replace(/^urn:uuid:/, '');
  const local = new Map<string, Json>();
  const refOf = (f: Finding): string => {
    if (serial && f.subject.bomRef) return `urn:cdx:${serial}/1#${encodeURIComponent(f.subject.bomRef)}`;
    const ref = productId(f.subject);
    if (!local.has(ref)) {
      local.set(ref, {
        type: 'library',
        'bom-ref': ref,
        name: f.subject.name,
        ...(f.subject.version ? { version: f.subject.version } : {}),
        ...(f.subject.cpe ? { cpe: f.subject.cpe } : {}),
        ...(f.subject.purl ? { purl: f.subject.purl } : {}),
      });
    }
    return ref;
  };
  const seen = new Map<string, number>();
  const vulnerabilities = r.findings.map((f) => {
    const n = (seen.get(f.vuln.id) ?? 0) + 1;
    seen.set(f.vuln.id, n);
    const analysis: Json = { state: STATE[f.status] };
    if (f.justification) analysis.justification = JUSTIFICATION[f.justification];
    if (f.status === 'affected') analysis.response = f.fixedVersion ? ['update'] : ['workaround_available'];
    if (f.statement) analysis.detail = f.statement;
    const source = sourceOf(f.vuln.id);
    return {
      'bom-ref': `vuln-${f.vuln.id}-${n}`,
      id: f.vuln.id,
      ...(source ? { source } : {}),
      ...(f.vuln.aliases.length ? { references: f.vuln.aliases.map((a) => ({ id: a, source: sourceOf(a) ?? { name: 'OSV' } })) } : {}),
      ...(f.vuln.severities.length ? { ratings: f.vuln.severities.map(rating) } : {}),
      ...(f.vuln.summary ? { description: f.vuln.summary } : {}),
      ...(f.status === 'affected' && f.fixedVersion ? { recommendation: `Upgrade ${f.subject.name} to ${f.fixedVersion} or later.` } : {}),
      ...(f.vuln.references.length ? { advisories: f.vuln.references.slice(0, 5).map((url) => ({ url })) } : {}),
      analysis,
      affects: [
        {
          ref: refOf(f),
          ...(f.subject.version ? { versions: [{ version: f.subject.version, status: f.status === 'affected' ? 'affected' : f.status === 'under_investigation' ? 'unknown' : 'unaffected' }] } : {}),
        },
      ],
    };
  });
  const components = [...local.values()].sort((a, b) => (String(a['bom-ref']) < String(b['bom-ref']) ? -1 : 1));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${contentUuid([r.target.name, r.target.version ?? '', serial ?? '', vulnerabilities])}`,
    version: 1,
    metadata: {
      timestamp: r.timestamp,
      tools: { components: [{ type: 'application', name: 'beambake', version: o.toolVersion }] },
      authors: [{ name: o.author }],
      component: { type: r.target.kind === 'project' ? 'application' : 'device', 'bom-ref': 'vex-subject', name: r.target.name, ...(r.target.version ? { version: r.target.version } : {}) },
    },
    ...(components.length ? { components } : {}),
    ...(serial ? { externalReferences: [{ type: 'bom', url: `urn:cdx:${serial}/1`, comment: 'The SBOM this VEX refers to' }] } : {}),
    vulnerabilities,
  };
}
