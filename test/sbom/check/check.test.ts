import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProject } from '../../../src/lockfiles/index.js';
import { projectToSbomGraph } from '../../../src/sbom/from-project.js';
import { writeSbom } from '../../../src/sbom/writers/index.js';
import { checkSbomFile, checkSbomText, type CheckReport } from '../../../src/sbom/check/index.js';
import { isBeambakeError } from '../../../src/util/errors.js';
import { corpusDir, fixturesDir } from '../../helpers/paths.js';
import { gpioProject } from './demo-project.js';

const GPIO = 'gpio@0.6.0 [pkg:hex/gpio@0.6.0]';

async function demoDoc(t: { after: (fn: () => void) => void }): Promise<Record<string, any>> {
  const p = gpioProject();
  t.after(p.cleanup);
  const graph = await projectToSbomGraph(await readProject(p.dir), {
    vendorDir: p.vendor,
    author: { name: 'Acme', email: 'sbom@acme.example' },
    ertsVersion: '14.2.5',
    env: { SOURCE_DATE_EPOCH: '1700000000' },
  });
  return JSON.parse(writeSbom(graph, 'cyclonedx-json'));
}

const fieldsOf = (r: CheckReport, component?: string) => r.findings.filter((f) => f.component === component).map((f) => f.field);

test('a vendored Hex package carries every BSI TR-03183-2 field', async (t) => {
  const doc = await demoDoc(t);
  const r = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json');
  assert.equal(r.schema.valid, true);
  assert.deepEqual(fieldsOf(r, GPIO), []);
  assert.deepEqual(fieldsOf(r), [], 'document-level fields present');
});

test('BSI: removing a field from the package is reported by name, per component, and fails', async (t) => {
  const doc = await demoDoc(t);
  const gpio = doc.components.find((c: { name: string }) => c.name === 'gpio');
  gpio.properties = gpio.properties.filter((p: { name: string }) => p.name !== 'bsi:component:filename' && p.name !== 'bsi:component:archive');
  gpio.externalReferences = gpio.externalReferences.filter((r: { type: string }) => r.type !== 'distribution');
  delete gpio.manufacturer;
  const r = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json');
  assert.equal(r.passed, false);
  assert.deepEqual(fieldsOf(r, GPIO), ['Component creator', 'Filename of the component', 'Hash value of the deployable component', 'Archive property', 'URI of the deployable form']);
  assert.equal(r.findings.find((f) => f.component === GPIO && f.field === 'URI of the deployable form')!.level, 'additional');
});

test('BSI: document-level creator, timestamp and format version', async (t) => {
  const doc = await demoDoc(t);
  delete doc.metadata.manufacturer;
  delete doc.metadata.authors;
  delete doc.metadata.timestamp;
  doc.specVersion = '1.5';
  doc.$schema = 'http://cyclonedx.org/schema/bom-1.5.schema.json';
  const r = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json');
  assert.deepEqual(fieldsOf(r), ['SBOM format', 'Creator of the SBOM', 'Timestamp']);
});

test('NTIA: the demo passes except OTP application versions; removing purl and supplier is caught', async (t) => {
  const doc = await demoDoc(t);
  const ok = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json', 'ntia');
  assert.deepEqual([...new Set(ok.findings.map((f) => f.field))], ['Version of the component']);
  assert.ok(ok.findings.every((f) => /crypto|kernel|stdlib|elixir|logger/.test(f.component!)));
  const gpio = doc.components.find((c: { name: string }) => c.name === 'gpio');
  delete gpio.purl;
  delete gpio.supplier;
  delete gpio.manufacturer;
  const bad = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json', 'ntia');
  assert.deepEqual(fieldsOf(bad, GPIO), ['Supplier name', 'Other unique identifiers']);
});

test('XML, SPDX 3 and SPDX 2.3 outputs give the same per-component facts as the JSON', async (t) => {
  const p = gpioProject();
  t.after(p.cleanup);
  const graph = await projectToSbomGraph(await readProject(p.dir), {
    vendorDir: p.vendor,
    author: { name: 'Acme', email: 'sbom@acme.example' },
    env: { SOURCE_DATE_EPOCH: '1700000000' },
  });
  const json = await checkSbomText(writeSbom(graph, 'cyclonedx-json'), 'a.cdx.json');
  const xml = await checkSbomText(writeSbom(graph, 'cyclonedx-xml'), 'a.cdx.xml');
  assert.equal(xml.schema.valid, true);
  assert.deepEqual(xml.summary, json.summary);
  const s3 = await checkSbomText(writeSbom(graph, 'spdx3-json'), 'a.spdx3.json');
  assert.equal(s3.schema.valid, true);
  assert.deepEqual(s3.findings.filter((f) => f.component?.startsWith('gpio@')), []);
  assert.deepEqual(s3.summary, json.summary);
  const s2 = await checkSbomText(writeSbom(graph, 'spdx2-json'), 'a.spdx.json');
  assert.equal(s2.schema.valid, true);
  assert.deepEqual(fieldsOf(s2), ['SBOM format'], 'SPDX 2.3 is not accepted by TR-03183-2 v2.1');
});

test('real mix_sbom CycloneDX 1.6: schema-valid; lacks the SBOM creator and the BSI component fields', async () => {
  const r = await checkSbomFile(join(corpusDir, 'cyclonedx/mix_sbom-self/bom.cdx.json'));
  assert.equal(r.schema.valid, true);
  assert.equal(r.components, 45);
  assert.deepEqual(fieldsOf(r), ['Creator of the SBOM', 'Reachable from the product'], 'no metadata.component: the BOM names no product');
  const missing = Object.fromEntries(r.summary.map((s) => [s.field, s.missing]));
  assert.equal(missing['Hash value of the deployable component'], 45);
  assert.equal(missing['Component version'], 15, 'the OTP applications have no version');
  assert.equal(missing['Dependencies on other components'], 45, 'no compositions: completeness not stated');
  const ntia = await checkSbomFile(join(corpusDir, 'cyclonedx/mix_sbom-self/bom.cdx.json'), 'ntia');
  assert.equal(ntia.summary.find((s) => s.field === 'Supplier name')?.missing, 45);
});

test('real Yocto and OpenWrt CycloneDX 1.4: valid 1.4, but not an accepted BSI format', async () => {
  for (const f of ['cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json', 'cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json']) {
    const r = await checkSbomFile(join(corpusDir, f));
    assert.equal(r.schema.valid, true, f);
    assert.equal(r.specVersion, '1.4');
    assert.ok(fieldsOf(r).includes('SBOM format'), f);
    assert.equal(r.passed, false);
  }
  const yocto = await checkSbomFile(join(corpusDir, 'cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json'), 'ntia');
  assert.equal(yocto.components, 97);
  assert.equal(yocto.summary.find((s) => s.field === 'Dependency relationship')?.missing, 97);
});

test('real Yocto SPDX 2.2 document: schema-checked and reported', async () => {
  const r = await checkSbomFile(join(corpusDir, 'spdx/vulnscout/valid_v2_2.spdx.json'), 'ntia');
  assert.equal(r.format, 'spdx2-json');
  assert.equal(r.specVersion, '2.2');
  assert.ok(r.components > 0);
});

test('garbage input is one clear error naming the file and position', async () => {
  await assert.rejects(checkSbomText('{"bomFormat": "CycloneDX",\n  oops}', 'x.json'), (e) => isBeambakeError(e) && e.code === 'SBOM_PARSE' && /^x\.json:2:\d+: /.test(e.format()));
  await assert.rejects(checkSbomText('{"hello": 1}', 'y.json'), (e) => isBeambakeError(e) && e.code === 'SBOM_UNSUPPORTED');
});

test('XML that is not well-formed is one located line (SBOM_PARSE), like JSON that does not parse, not a schema report', async () => {
  const xml = readFileSync(join(fixturesDir, 'sbom-inputs', 'elvis.rebar3_sbom.cdx-1.1.xml'), 'utf8');
  for (const bad of [xml.replace('<name>getopt', '<namegetopt'), xml.replace('</components>', ''), xml.slice(0, 300)]) {
    await assert.rejects(checkSbomText(bad, 'bad.cdx.xml'), (e: unknown) => {
      assert.ok(isBeambakeError(e), String(e));
      assert.equal(e.code, 'SBOM_PARSE');
      assert.match(e.format(), /^bad\.cdx\.xml:\d+:\d+: invalid XML: /);
      assert.ok(!e.format().includes('\n'));
      return true;
    });
  }
  assert.equal((await checkSbomText(xml, 'elvis.cdx.xml')).schema.valid, true);
});

test('schema uniqueItems (checked in linear time) still catches an item listed twice, whatever its key order', async (t) => {
  const doc = await demoDoc(t);
  const gpio = doc.components.find((c: { name: string }) => c.name === 'gpio');
  const reordered = Object.fromEntries(Object.entries(gpio).reverse());
  doc.components.push(reordered);
  const r = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json');
  assert.equal(r.schema.valid, false);
  assert.ok(r.schema.problems.some((p) => p.path === '/components' && /duplicate items \(items ## \d+ and \d+ are identical\)/.test(p.message)), JSON.stringify(r.schema.problems));
  doc.components.pop();
  // the same component with one fact changed is a different item: only the graph check's duplicate bom-ref remains
  doc.components.push({ ...reordered, version: '9.9.9' });
  const r2 = await checkSbomText(JSON.stringify(doc), 'demo.cdx.json');
  assert.equal(r2.schema.valid, true, JSON.stringify(r2.schema.problems));
});
