import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { zipSync, strToU8 } from 'fflate';
import { runCli } from '../helpers/cli.js';
import { corpusDir, schemasDir } from '../helpers/paths.js';
import { validateCyclonedxJson } from '../../src/sbom/check/schema.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const livebook = join(corpusDir, 'mix/nerves_livebook');
const osvDir = join(schemasDir, 'osv');

function openVexValidator() {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addFormat('iri', true);
  return ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'openvex-0.2.0.json'), 'utf8')));
}

/** CSAF 2.0 schema (strict) and every mandatory test of BSI's validator, including the VEX profile's (6.1.27.x). */
async function csafProblems(doc: unknown): Promise<unknown[]> {
  const lib = '@secvisogram/csaf-validator-lib';
  // specifiers kept out of TypeScript's resolution: the library ships JavaScript without declarations
  const validateStrict = (await import(`${lib}/validateStrict.js`)).default;
  const mandatory = await import(`${lib}/mandatoryTests.js`);
  const { csaf_2_0_strict } = await import(`${lib}/schemaTests.js`);
  const r = await validateStrict([csaf_2_0_strict, ...Object.values(mandatory)], doc);
  return r.tests.filter((x: { isValid: boolean }) => !x.isValid).map((x: { name: string; errors: unknown[] }) => [x.name, x.errors.slice(0, 3)]);
}

function tmp(t: { after: (f: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'beambake-vuln-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

interface JsonFinding { id: string; aliases: string[]; status: string; fixedVersion?: string; component: { name: string; version?: string }; origins: string[]; source: string }

test('livebook lock: phoenix 1.8.7 is affected by EEF-CVE-2026-56812 with fix 1.8.9; EEF and GHSA records are one vulnerability', () => {
  const r = runCli(['vuln', livebook, '--osv', osvDir, '-f', 'json'], { env });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { findings: JsonFinding[]; osv: { records: number; rejected: unknown[] } };
  assert.equal(doc.osv.records, 8);
  const f = doc.findings.find((x) => x.id === 'EEF-CVE-2026-56812')!;
  assert.equal(f.status, 'affected');
  assert.equal(f.fixedVersion, '1.8.9');
  assert.deepEqual([f.component.name, f.component.version], ['phoenix', '1.8.7']);
  assert.deepEqual(f.aliases, ['CVE-2026-56812', 'GHSA-63mc-hw7g-86rr']);
  // the EEF record and the GitHub record of CVE-2026-32689 merge into one finding: fixed in 1.8.6, which 1.8.7 contains
  const twins = doc.findings.filter((x) => x.id === 'EEF-CVE-2026-32689' || x.aliases.includes('GHSA-628h-q48j-jr6q'));
  assert.equal(twins.length, 1);
  assert.equal(twins[0]!.status, 'fixed');
  assert.equal(twins[0]!.fixedVersion, '1.8.6');
  assert.equal(twins[0]!.origins.length, 2);
  assert.ok(!doc.findings.some((x) => x.id.startsWith('GHSA-')), 'no GHSA finding of its own');
});

test('OpenVEX and CycloneDX VEX outputs validate against their schemas and are byte-stable', async (t) => {
  const d = tmp(t);
  for (const [fmt, file] of [['openvex', 'a.vex.json'], ['cyclonedx-vex', 'a.cdx.json'], ['csaf', 'a.csaf.json']] as const) {
    const a = runCli(['vuln', livebook, '--osv', osvDir, '-f', fmt, '-o', join(d, file), '--author', 'Example GmbH', '--author-url', 'https://example.com'], { env });
    assert.equal(a.status, 0, a.stderr);
    const b = runCli(['vuln', livebook, '--osv', osvDir, '-f', fmt, '-o', join(d, `b-${file}`), '--author', 'Example GmbH', '--author-url', 'https://example.com'], { env });
    assert.equal(b.status, 0, b.stderr);
    assert.equal(readFileSync(join(d, file), 'utf8'), readFileSync(join(d, `b-${file}`), 'utf8'), fmt);
  }
  const vex = JSON.parse(readFileSync(join(d, 'a.vex.json'), 'utf8'));
  const validate = openVexValidator();
  assert.ok(validate(vex as object), JSON.stringify(validate.errors));
  assert.equal(vex.timestamp, '2023-11-14T22:13:20Z');
  const affected = vex.statements.find((s: { status: string }) => s.status === 'affected');
  assert.equal(affected.vulnerability.name, 'EEF-CVE-2026-56812');
  assert.match(affected.action_statement, /1\.8\.9/);
  const cdx = JSON.parse(readFileSync(join(d, 'a.cdx.json'), 'utf8'));
  const res = await validateCyclonedxJson(cdx, '1.6');
  assert.ok(res.valid, JSON.stringify(res.problems));
  const v = cdx.vulnerabilities.find((x: { id: string }) => x.id === 'EEF-CVE-2026-56812');
  assert.equal(v.analysis.state, 'exploitable');
  assert.equal(cdx.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === v.affects[0].ref).purl, 'pkg:hex/phoenix@1.8.7');
  const csaf = JSON.parse(readFileSync(join(d, 'a.csaf.json'), 'utf8'));
  assert.equal(csaf.document.category, 'csaf_vex');
  const cv = csaf.vulnerabilities.find((x: { cve?: string }) => x.cve === 'CVE-2026-56812');
  assert.deepEqual(Object.keys(cv.product_status), ['known_affected']);
  assert.equal(cv.remediations[0].category, 'vendor_fix');
  assert.deepEqual(await csafProblems(csaf), []);
});

test('a bad OSV record is reported with its file and skipped; a zip export gives the same findings', (t) => {
  const d = tmp(t);
  const dir = join(d, 'osv');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const f of readdirSync(osvDir)) copyFileSync(join(osvDir, f), join(dir, f));
  writeFileSync(join(dir, 'broken.json'), '{"id": "X-1",');
  writeFileSync(join(dir, 'no-modified.json'), JSON.stringify({ id: 'X-2', affected: [] }));
  const r = runCli(['vuln', livebook, '--osv', dir, '-f', 'json'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /broken\.json: skipped: not JSON/);
  assert.match(r.stderr, /no-modified\.json: skipped: does not match the OSV schema at \/: must have required property 'modified'/);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.osv.rejected.length, 2);
  assert.ok(doc.findings.some((f: JsonFinding) => f.id === 'EEF-CVE-2026-56812' && f.status === 'affected'));
  const entries: Record<string, Uint8Array> = {};
  for (const f of readdirSync(osvDir)) entries[f] = readFileSync(join(osvDir, f));
  entries['README.txt'] = strToU8('not a record');
  writeFileSync(join(d, 'all.zip'), zipSync(entries));
  const z = runCli(['vuln', livebook, '--osv', join(d, 'all.zip'), '-f', 'json'], { env });
  assert.equal(z.status, 0, z.stderr);
  const plain = runCli(['vuln', livebook, '--osv', osvDir, '-f', 'json'], { env });
  const strip = (s: string) => JSON.parse(s).findings.map((f: JsonFinding) => [f.id, f.status, f.fixedVersion]);
  assert.deepEqual(strip(z.stdout), strip(plain.stdout));
});

test('--fail-on gates CI: exit 1 on the untriaged medium finding, 0 at high or once triaged; a not_affected without justification is bad input', (t) => {
  const d = tmp(t);
  const medium = runCli(['vuln', livebook, '--osv', osvDir, '--fail-on', 'medium'], { env });
  assert.equal(medium.status, 1, medium.stderr);
  assert.match(medium.stderr, /FAIL {2}EEF-CVE-2026-56812 phoenix 1\.8\.7 \(fix: 1\.8\.9\)/);
  const high = runCli(['vuln', livebook, '--osv', osvDir, '--fail-on', 'high'], { env });
  assert.equal(high.status, 0, high.stderr);
  writeFileSync(
    join(d, 'triage.yml'),
    'decisions:\n  - vulnerability: CVE-2026-56812\n    products: [pkg:hex/phoenix]\n    status: not_affected\n    justification: vulnerable_code_not_in_execute_path\n    statement: The device serves no browser clients.\n',
  );
  const triaged = runCli(['vuln', livebook, '--osv', osvDir, '--triage', join(d, 'triage.yml'), '--fail-on', 'low', '-f', 'openvex'], { env });
  assert.equal(triaged.status, 0, triaged.stderr);
  const st = JSON.parse(triaged.stdout).statements.find((s: { vulnerability: { name: string } }) => s.vulnerability.name === 'EEF-CVE-2026-56812');
  assert.deepEqual([st.status, st.justification, st.impact_statement], ['not_affected', 'vulnerable_code_not_in_execute_path', 'The device serves no browser clients.']);
  writeFileSync(join(d, 'bad.json'), JSON.stringify({ decisions: [{ vulnerability: 'CVE-2026-56812', status: 'not_affected' }] }));
  const bad = runCli(['vuln', livebook, '--osv', osvDir, '--triage', join(d, 'bad.json')], { env });
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /bad\.json: decisions\[0\]: not_affected needs a "justification"/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('device SBOM (corpus Yocto image + livebook layer SBOM) with Yocto cve-check and the image VEX: one OpenVEX for the whole image', async (t) => {
  const d = tmp(t);
  const app = join(d, 'app.cdx.json');
  assert.equal(runCli(['sbom', livebook, '-o', app], { env }).status, 0);
  const m = runCli(
    ['sbom', 'merge', join(corpusDir, 'spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst'), app, '--product', 'Demo Gateway', '--product-version', '1.0', '--manufacturer', 'Example GmbH', '--manufacturer-url', 'https://example.com', '-o', join(d, 'device.cdx.json'), '--vex', join(d, 'image.openvex.json')],
    { env },
  );
  assert.equal(m.status, 0, m.stderr);
  const r = runCli(
    ['vuln', join(d, 'device.cdx.json'), '--osv', osvDir, '--cve-check', join(corpusDir, 'spdx/vulnscout/yocto-cve-check.json'), '--vex', join(d, 'image.openvex.json'), '-f', 'openvex', '-o', join(d, 'device.vex.json')],
    { env },
  );
  assert.equal(r.status, 0, r.stderr);
  const vex = JSON.parse(readFileSync(join(d, 'device.vex.json'), 'utf8'));
  const validate = openVexValidator();
  assert.ok(validate(vex as object), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.equal(vex.author, 'Example GmbH');
  const find = (id: string) => vex.statements.filter((s: { vulnerability: { name: string } }) => s.vulnerability.name === id);
  assert.equal(find('EEF-CVE-2026-56812')[0].status, 'affected');
  assert.equal(find('CVE-2022-28391')[0].status, 'fixed');
  assert.equal(find('CVE-2023-31124')[0].status, 'not_affected');
  const imageVex = JSON.parse(readFileSync(join(d, 'image.openvex.json'), 'utf8'));
  // every statement of the image VEX is in the one document
  assert.ok(vex.statements.length >= imageVex.statements.length + 3);
  // the same as CSAF VEX: fixed, not affected (with its impact statement) and affected products all valid
  const csafFile = join(d, 'device.csaf.json');
  const cs = runCli(
    ['vuln', join(d, 'device.cdx.json'), '--osv', osvDir, '--cve-check', join(corpusDir, 'spdx/vulnscout/yocto-cve-check.json'), '--vex', join(d, 'image.openvex.json'), '-f', 'csaf', '--author-url', 'https://example.com', '-o', csafFile],
    { env },
  );
  assert.equal(cs.status, 0, cs.stderr);
  assert.deepEqual(await csafProblems(JSON.parse(readFileSync(csafFile, 'utf8'))), []);
  // CycloneDX VEX of the device SBOM refers to its components by BOM-Link
  const c = runCli(['vuln', join(d, 'device.cdx.json'), '--osv', osvDir, '-f', 'cyclonedx-vex'], { env });
  assert.equal(c.status, 0, c.stderr);
  const serial = JSON.parse(readFileSync(join(d, 'device.cdx.json'), 'utf8')).serialNumber.replace('urn:uuid:', '');
  const cdx = JSON.parse(c.stdout);
  const v = cdx.vulnerabilities.find((x: { id: string }) => x.id === 'EEF-CVE-2026-56812');
  assert.match(v.affects[0].ref, new RegExp(`^urn:cdx:${serial}/1#`));
});

test('the VEX inside an SBOM input passes through: the Yocto SPDX 2.2 image archive\'s patched CVEs are "fixed" statements', () => {
  const r = runCli(['vuln', join(corpusDir, 'spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst'), '--osv', osvDir, '-f', 'json'], { env });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { subject: { kind: string; name: string }; findings: JsonFinding[] };
  assert.deepEqual([doc.subject.kind, doc.subject.name], ['sbom', 'core-image-minimal']);
  assert.ok(doc.findings.length > 1000);
  assert.ok(doc.findings.every((f) => f.status === 'fixed' && f.source === 'sbom-vex'));
  assert.ok(doc.findings.some((f) => f.id === 'CVE-2022-28391' && f.component.name === 'busybox'));
});
