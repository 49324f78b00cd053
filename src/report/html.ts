/** The report as one self-contained HTML file (see page.ts for its style, script and CSP). */
import { createHash } from 'node:crypto';
import { adviceFor } from './advice.js';
import type { ReportData, VulnRow } from './model.js';
import { SCRIPT, STYLE } from './page.js';
import { graphSvg } from './svg.js';
import { esc, scriptJson } from './text.js';

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function table(headers: string[], rows: string[][], id?: string): string {
  return (
    `<table${id ? ` id="${id}"` : ''}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}
const td = (s: string | number, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(String(s))}</td>`;
const pill = (s: string, cls: string) => `<span class="pill ${cls}">${esc(s)}</span>`;

function countTable(title: string, id: string, rows: [string, number][], limit = 25): string {
  const shown = rows.slice(0, limit);
  const rest = rows.slice(limit).reduce((n, [, c]) => n + c, 0);
  const body = shown.map(([k, n]) => [td(k), td(n, 'num')]);
  if (rest > 0) body.push([td(`${rows.length - limit} more`), td(rest, 'num')]);
  return `<div><h3>${esc(title)}</h3>${table(['', 'components'], body, id)}</div>`;
}

const STATUS_ORDER = ['affected', 'under_investigation', 'not_affected', 'fixed'];
const SEV_ORDER = ['critical', 'high', 'medium', 'low', 'none', 'unknown', ''];

function vulnSection(d: ReportData): string {
  if (!d.vulns) return '<section id="vulnerabilities"><h2>Vulnerabilities</h2><p class="gap">No vulnerability data was given (<code>--vuln</code>): this report says nothing about known vulnerabilities.</p></section>';
  const rows = [...d.vulns.rows].sort(
    (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || SEV_ORDER.indexOf(a.severity) - SEV_ORDER.indexOf(b.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const counts = STATUS_ORDER.map((s) => [s, rows.filter((r) => r.status === s).length] as const);
  const render = (list: VulnRow[]) =>
    table(
      ['Vulnerability', 'Component', 'Status', 'Severity', 'Fixed version', 'Justification / statement'],
      list.map((r) => [
        `<td><b>${esc(r.id)}</b>${r.aliases.length ? `<br><span class="mono">${esc(r.aliases.join(', '))}</span>` : ''}</td>`,
        td(r.component),
        `<td>${pill(r.status.replace('_', ' '), `s-${r.status}`)}</td>`,
        td(r.severity),
        td(r.fixedVersion),
        td([r.justification, r.statement].filter(Boolean).join(': ')),
      ]),
    );
  const open = rows.filter((r) => r.status !== 'fixed');
  const fixed = rows.filter((r) => r.status === 'fixed');
  return (
    `<section id="vulnerabilities"><h2>Vulnerabilities</h2><p>From <span class="mono">${esc(d.vulns.file)}</span>: ` +
    counts.map(([s, n]) => `<span id="vuln-count-${s}">${n}</span> ${esc(s.replace('_', ' '))}`).join(', ') +
    '.</p>' +
    render(open) +
    (fixed.length ? `<details><summary>${fixed.length} fixed</summary>${render(fixed)}</details>` : '') +
    '</section>'
  );
}

function verifySection(d: ReportData): string {
  if (!d.verify) return '<section id="verification"><h2>Verification evidence</h2><p class="gap">No verification results were given (<code>--verify</code> with <code>beambake verify --json</code> output).</p></section>';
  const pass = d.verify.rows.filter((r) => r.result === 'pass').length;
  const fail = d.verify.rows.filter((r) => r.result === 'fail').length;
  return (
    `<section id="verification"><h2>Verification evidence</h2><p>${d.verify.rows.length} artifacts checked (${pass} passed, ${fail} failed), from ${d.verify.files.map((f) => `<span class="mono">${esc(f)}</span>`).join(', ')}.</p>` +
    table(
      ['Artifact', 'Result', 'Checks'],
      d.verify.rows.map((r) => [
        td(r.artifact, 'mono'),
        `<td>${pill(r.result, `r-${r.result}`)}</td>`,
        `<td>${r.checks.map((c) => `${pill(c.result, `r-${c.result}`)} ${esc(c.check)}${c.reason ? `: ${esc(c.reason)}` : ''}`).join('<br>')}</td>`,
      ]),
      'verify-table',
    ) +
    '</section>'
  );
}

function checkSection(d: ReportData): string {
  const licenceGap = d.unknownLicense.length
    ? `<p class="gap" id="licence-gap"><b>${d.unknownLicense.length}</b> components have no known licence (gap): ${esc(
        d.unknownLicense.slice(0, 30).map((r) => `${r.name}${r.version ? ` ${r.version}` : ''}`).join(', '),
      )}${d.unknownLicense.length > 30 ? ', …' : ''}. ${esc(adviceFor('Distribution licences'))}</p>`
    : '<p class="ok" id="licence-gap">Every component has a licence.</p>';
  if (!d.check) return `<section id="conformance"><h2>Conformance</h2>${licenceGap}<p>No profile check was requested (<code>--check-profile bsi-tr-03183-2</code> or <code>ntia</code>).</p></section>`;
  const c = d.check;
  const examples = (field: string) => c.findings.filter((f) => f.field === field).slice(0, 10).map((f) => `${f.component ?? 'document'}: ${f.message}`);
  return (
    `<section id="conformance"><h2>Conformance: ${esc(c.profile)}</h2>` +
    `<p>Schema <span class="mono">${esc(c.schema.schema)}</span>: ${c.schema.valid ? pill('valid', 'ok') : pill('invalid', 'gap')}. ` +
    `Result: ${c.passed ? pill('passed', 'ok') : pill('gaps found', 'gap')} (${c.components} components checked).</p>` +
    licenceGap +
    (c.summary.length === 0
      ? '<p class="ok">Every field the profile requires is present.</p>'
      : table(
          ['Field', 'Level', 'Missing for', 'How to fix'],
          c.summary.map((s) => [
            `<td><details><summary>${esc(s.field)}</summary><span class="mono">${esc(examples(s.field).join('\n'))}</span></details></td>`,
            `<td>${pill(s.level, s.level === 'required' ? 'gap' : 'r-warn')}</td>`,
            td(s.missing, 'num'),
            td(adviceFor(s.field)),
          ]),
          'check-table',
        )) +
    (c.schema.valid ? '' : `<p class="gap">${esc(c.schema.problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`).join('; '))}</p>`) +
    '</section>'
  );
}

export function renderHtml(d: ReportData): string {
  const rows = d.components.map((r) => [r.name, r.version, r.type, r.supplier, r.license || '(unknown)', r.purl || r.cpe, r.hashes.map((h) => h.slice(0, h.indexOf(':') + 17)).join(' '), r.input, r.layer]);
  const csp = `default-src 'none'; style-src ${sha(STYLE)}; script-src ${sha(SCRIPT)}; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const facts: [string, string][] = [
    ['Product', `${d.product.name}${d.product.version ? ` ${d.product.version}` : ''}`],
    ['Manufacturer', [d.product.manufacturer, d.product.manufacturerUrl, d.product.contact].filter(Boolean).join(' · ')],
    ['SBOM file', d.sbom.file],
    ['SBOM format', `${d.sbom.format} ${d.sbom.specVersion}`],
    ['SBOM identity', d.sbom.serialNumber],
    ['SBOM SHA-256', d.sbom.sha256],
    ['SBOM timestamp', d.sbom.timestamp || '(none)'],
    ['SBOM tools', d.sbom.tools.join(', ')],
    ['Report generated', `${d.generated || '(no timestamp)'} by beambake ${d.toolVersion}`],
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Technical file: ${esc(d.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<header><h1>Technical file: ${esc(d.title)}</h1><p>Software bill of materials, known vulnerabilities and verification evidence</p></header><main>`,
    `<section id="identity"><h2>Product and SBOM</h2><dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}` +
      `<dt>Components</dt><dd id="count-components">${d.components.length}</dd><dt>Dependency edges</dt><dd id="count-edges">${d.edges}</dd></dl></section>`,
    `<section id="summaries"><h2>Summary</h2><div class="summaries">${countTable('By layer', 'by-layer', d.byLayer)}${countTable('By type', 'by-type', d.byType)}${countTable('By licence', 'by-licence', d.byLicense)}</div></section>`,
    `<section id="graph"><h2>Dependency graph</h2><p>${d.graph.collapsed ? `Collapsed to the device's parts with their component counts and first direct dependencies (${d.components.length} components are too many to draw one by one).` : 'Every component, by distance from the device.'}</p><div class="graph">${graphSvg(d.graph)}</div></section>`,
    vulnSection(d),
    verifySection(d),
    checkSection(d),
    `<section id="components"><h2>Components</h2><div class="controls"><input id="component-search" type="search" placeholder="Search name, version, licence, purl, layer…" aria-label="Search components"><button id="page-prev" type="button">Previous</button><button id="page-next" type="button">Next</button><span id="table-status"></span></div>` +
      table(['Name', 'Version', 'Type', 'Supplier', 'Licence', 'purl / CPE', 'Hashes', 'Input', 'Layer'], [], 'component-table').replace('<tbody>', '<tbody id="components-body">') +
      '<noscript><p>The component table needs JavaScript; the same data is in the SBOM file.</p></noscript></section>',
    '</main>',
    `<script type="application/json" id="component-data">${scriptJson({ rows })}</script>`,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
