/** The output formats of `beambake vuln`. */
import type { VulnResult } from '../model.js';
import { gateRating } from '../severity.js';
import type { WriteOptions } from './common.js';
import { toCsaf } from './csaf.js';
import { toCycloneDxVex } from './cyclonedx.js';
import { toOpenVex } from './openvex.js';

export const VULN_FORMATS = ['openvex', 'cyclonedx-vex', 'csaf', 'json', 'text'] as const;
export type VulnFormat = (typeof VULN_FORMATS)[number];
export type { WriteOptions } from './common.js';
export { toOpenVex, toCycloneDxVex, toCsaf };

export function vulnJson(r: VulnResult): Record<string, unknown> {
  return {
    subject: { kind: r.target.kind, name: r.target.name, ...(r.target.version ? { version: r.target.version } : {}), files: r.target.files, components: r.target.subjects.length },
    osv: { files: r.files, records: r.records, rejected: r.rejected },
    notes: r.target.notes,
    unusedDecisions: r.unusedDecisions,
    findings: r.findings.map((f) => ({
      id: f.vuln.id,
      aliases: f.vuln.aliases,
      ...(f.vuln.summary ? { summary: f.vuln.summary } : {}),
      component: { ref: f.subject.ref, name: f.subject.name, ...(f.subject.version ? { version: f.subject.version } : {}), ...(f.subject.purl ? { purl: f.subject.purl } : {}) },
      status: f.status,
      ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
      ...(f.justification ? { justification: f.justification } : {}),
      ...(f.statement ? { statement: f.statement } : {}),
      severity: gateRating(f.vuln.severities),
      severities: f.vuln.severities,
      source: f.source,
      triaged: f.triaged,
      origins: f.vuln.origins,
    })),
  };
}

export function vulnText(r: VulnResult): string {
  const lines: string[] = [];
  lines.push(`${r.target.name}${r.target.version ? ` ${r.target.version}` : ''}: ${r.target.subjects.length} components, ${r.records} OSV records (${r.rejected.length} rejected)`);
  const counts = { affected: 0, not_affected: 0, fixed: 0, under_investigation: 0 };
  for (const f of r.findings) counts[f.status]++;
  for (const f of r.findings) {
    const sev = gateRating(f.vuln.severities);
    const aka = f.vuln.aliases.length ? ` (${f.vuln.aliases.join(', ')})` : '';
    const what = `${f.subject.name}${f.subject.version ? ` ${f.subject.version}` : ''}`;
    const extra =
      f.status === 'affected' ? (f.fixedVersion ? `fix: ${f.fixedVersion}` : 'no fix known') : f.status === 'not_affected' ? (f.justification ?? '') : f.status === 'fixed' ? `fixed in ${f.fixedVersion ?? 'this version'}` : (f.statement ?? '');
    lines.push(`${f.status.padEnd(19)} ${sev.padEnd(8)} ${f.vuln.id}${aka}  ${what}  ${extra}`.trimEnd());
  }
  lines.push(`${counts.affected} affected, ${counts.not_affected} not affected, ${counts.fixed} fixed, ${counts.under_investigation} under investigation`);
  return lines.join('\n') + '\n';
}

export function writeVuln(r: VulnResult, format: VulnFormat, o: WriteOptions): string {
  switch (format) {
    case 'openvex':
      return JSON.stringify(toOpenVex(r, o), null, 2) + '\n';
    case 'cyclonedx-vex':
      return JSON.stringify(toCycloneDxVex(r, o), null, 2) + '\n';
    case 'csaf':
      return JSON.stringify(toCsaf(r, o), null, 2) + '\n';
    case 'json':
      return JSON.stringify(vulnJson(r), null, 2) + '\n';
    case 'text':
      return vulnText(r);
  }
}
