/** The report as Markdown, for CI job summaries: identity, counts, vulnerabilities that need action, gaps. */
import { adviceFor } from './advice.js';
import type { ReportData } from './model.js';

const cell = (s: string | number) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const mdTable = (h: string[], rows: (string | number)[][]) => [`| ${h.join(' | ')} |`, `| ${h.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

export function renderMarkdown(d: ReportData): string {
  const out: string[] = [];
  out.push(`# Technical file: ${d.title}`, '');
  out.push(`- Manufacturer: ${[d.product.manufacturer, d.product.manufacturerUrl, d.product.contact].filter(Boolean).join(' · ') || '(unknown)'}`);
  out.push(`- SBOM: \`${d.sbom.file}\` (${d.sbom.format} ${d.sbom.specVersion}), ${d.sbom.serialNumber}, SHA-256 \`${d.sbom.sha256}\`, ${d.sbom.timestamp || 'no timestamp'}`);
  out.push(`- ${d.components.length} components, ${d.edges} dependency edges`, '');
  out.push('## Components by layer', '', mdTable(['layer', 'components'], d.byLayer), '');
  out.push('## Components by licence', '', mdTable(['licence', 'components'], d.byLicense.slice(0, 20)), '');
  if (d.unknownLicense.length) out.push(`**Gap:** ${d.unknownLicense.length} components have no known licence. ${adviceFor('Distribution licences')}`, '');
  out.push('## Vulnerabilities', '');
  if (!d.vulns) out.push('No vulnerability data was given (`--vuln`).', '');
  else {
    const open = d.vulns.rows.filter((r) => r.status !== 'fixed');
    const count = (s: string) => d.vulns!.rows.filter((r) => r.status === s).length;
    out.push(`${count('affected')} affected, ${count('under_investigation')} under investigation, ${count('not_affected')} not affected, ${count('fixed')} fixed.`, '');
    if (open.length) out.push(mdTable(['vulnerability', 'component', 'status', 'severity', 'fixed version', 'justification / statement'], open.map((r) => [r.id, r.component, r.status, r.severity, r.fixedVersion, [r.justification, r.statement].filter(Boolean).join(': ')])), '');
  }
  out.push('## Verification', '');
  if (!d.verify) out.push('No verification results were given (`--verify`).', '');
  else out.push(mdTable(['artifact', 'result'], d.verify.rows.map((r) => [r.artifact, r.result])), '');
  if (d.check) {
    out.push(`## Conformance: ${d.check.profile}`, '', `Schema ${d.check.schema.valid ? 'valid' : 'INVALID'}; ${d.check.passed ? 'passed' : 'gaps found'}.`, '');
    if (d.check.summary.length) out.push(mdTable(['field', 'level', 'missing for', 'how to fix'], d.check.summary.map((s) => [s.field, s.level, s.missing, adviceFor(s.field)])), '');
  }
  return out.join('\n');
}
