import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { deviceInputs } from './device.js';
import { corpusDir, schemasDir } from '../helpers/paths.js';

const env = { SOURCE_DATE_EPOCH: '1700000000' };

test('report HTML: self-contained (CSP with the hashes of its only style and script, no external references), counts of the SBOM, gaps with fixes; Markdown too', (t) => {
  const d = mkdtempSync(join(tmpdir(), 'beambake-report-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const { sbom, vuln } = deviceInputs(d);
  const verify = join(d, 'verify.json');
  const v = runCli(['verify', join(corpusDir, 'mix/nerves_livebook'), '--vendor', join(corpusDir, 'hex/swh-gpio'), '--json']);
  writeFileSync(verify, v.stdout);
  const html = join(d, 'report.html');
  const r = runCli(['report', '--sbom', sbom, '--vuln', vuln, '--verify', verify, '--check-profile', 'bsi-tr-03183-2', '-o', html], { env });
  assert.equal(r.status, 0, r.stderr);
  const page = readFileSync(html, 'utf8');
  const doc = JSON.parse(readFileSync(sbom, 'utf8'));
  assert.match(page, new RegExp(`<dd id="count-components">${doc.components.length}</dd>`));
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1]!;
  assert.match(csp, /^default-src 'none';/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
  const b64 = (s: string) => createHash('sha256').update(s).digest('base64');
  assert.ok(csp.includes(`style-src 'sha256-${b64(style)}'`));
  assert.ok(csp.includes(`script-src 'sha256-${b64(script)}'`));
  assert.doesNotMatch(page, /\s(src|href)=["']?(https?:)?\/\//);
  assert.equal((page.match(/<script>/g) ?? []).length, 1);
  assert.match(page, /<span id="vuln-count-affected">1<\/span> affected/);
  assert.match(page, /EEF-CVE-2026-56812/);
  assert.match(page, /id="licence-gap"><b>\d+<\/b> components have no known licence \(gap\)/);
  assert.match(page, /Hash value of the deployable component/);
  assert.match(page, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" id="dependency-graph"/);
  const md = runCli(['report', '--sbom', sbom, '--vuln', vuln, '--check-profile', 'bsi-tr-03183-2', '-f', 'md'], { env });
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^# Technical file: Demo Gateway 1\.0$/m);
  assert.match(md.stdout, /\| EEF-CVE-2026-56812 \| phoenix 1\.8\.7 \| affected \| medium \| 1\.8\.9 \|/);
  assert.match(md.stdout, new RegExp(`- ${doc.components.length} components`));
  // bad input: one line, exit 3
  const bad = runCli(['report', '--sbom', sbom, '--vuln', sbom, '-o', join(d, 'x.html')]);
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /device\.cdx\.json: not `beambake vuln -f json` output or an OpenVEX document/);
});
