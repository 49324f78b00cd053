/**
 * The false passes of `sbom check` the device SBOM issue found, each caught in
 * every format: components nothing links to the product, NOASSERTION
 * versions, references that point nowhere, duplicate identifiers, and SPDX 3
 * documents the official SHACL shapes reject. Then the same merged device
 * SBOM in all four formats gets the same verdict per field (a table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProject } from '../../../src/lockfiles/index.js';
import { projectToSbomGraph } from '../../../src/sbom/from-project.js';
import { writeSbom, type SbomFormat } from '../../../src/sbom/writers/index.js';
import { checkSbomText, requirementSummary, type CheckReport, type Profile } from '../../../src/sbom/check/index.js';
import { validateSpdx3Shacl } from '../../../src/sbom/check/shacl.js';
import { readSbom } from '../../../src/sbom/readers/index.js';
import { mergeSboms } from '../../../src/sbom/merge/index.js';
import type { SbomGraph } from '../../../src/sbom/model.js';
import { corpusDir, fixturesDir, repoRoot, schemasDir } from '../../helpers/paths.js';
import { gpioProject } from './demo-project.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SHARED_SHACL = { modelPath: join(schemasDir, 'spdx-3.0.1-model.ttl'), contextPath: join(schemasDir, 'spdx-3.0.1-context.jsonld') };

async function demoGraph(t: { after: (fn: () => void) => void }): Promise<SbomGraph> {
  const p = gpioProject();
  t.after(p.cleanup);
  return projectToSbomGraph(await readProject(p.dir), {
    vendorDir: p.vendor,
    author: { name: 'Acme', email: 'sbom@acme.example' },
    ertsVersion: '14.2.5',
    env: { SOURCE_DATE_EPOCH: '1700000000' },
  });
}

const fields = (r: CheckReport) => new Set(r.findings.filter((f) => f.level === 'required').map((f) => f.field));
const check = (doc: J, name: string, profile: Profile = 'bsi-tr-03183-2') => checkSbomText(JSON.stringify(doc), name, profile, SHARED_SHACL);

test('the shipped SPDX 3.0.1 model and context are the official files of ../shared/schemas', () => {
  for (const f of ['spdx-3.0.1-model.ttl', 'spdx-3.0.1-context.jsonld']) {
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    assert.equal(sha(join(repoRoot, 'src', 'sbom', 'schemas', f)), sha(join(schemasDir, f)), f);
  }
});

test('CycloneDX: unreachable component, NOASSERTION version, dangling dependsOn and duplicate bom-ref each fail the check', async (t) => {
  const base = JSON.parse(writeSbom(await demoGraph(t), 'cyclonedx-json')) as J;
  const ok = await check(base, 'ok.cdx.json', 'ntia');
  for (const f of ['Reachable from the product', 'Unique identifiers', 'References resolve']) assert.ok(!fields(ok).has(f), f);

  const orphan = structuredClone(base);
  orphan.components.push({ type: 'library', 'bom-ref': 'pkg:hex/orphan@1.0.0', name: 'orphan', version: '1.0.0', purl: 'pkg:hex/orphan@1.0.0' });
  orphan.dependencies.push({ ref: 'pkg:hex/orphan@1.0.0' });
  const r1 = await check(orphan, 'orphan.cdx.json', 'ntia');
  assert.equal(r1.passed, false);
  assert.ok(r1.findings.some((f) => f.field === 'Reachable from the product' && f.component === 'orphan@1.0.0 [pkg:hex/orphan@1.0.0]'));
  assert.ok(r1.findings.some((f) => f.field === 'Dependency relationship' && f.component === 'orphan@1.0.0 [pkg:hex/orphan@1.0.0]'));

  const noassert = structuredClone(base);
  noassert.components.find((c: J) => c.name === 'gpio').version = 'NOASSERTION';
  const r2 = await check(noassert, 'noassert.cdx.json');
  assert.ok(r2.findings.some((f) => f.field === 'Component version' && /NOASSERTION/.test(f.message) && f.component!.startsWith('gpio')));

  const dangling = structuredClone(base);
  dangling.dependencies.find((d: J) => d.ref === 'pkg:hex/gpio@0.6.0').dependsOn = ['pkg:hex/elixir_make@0.9.0'];
  const r3 = await check(dangling, 'dangling.cdx.json');
  assert.equal(r3.passed, false);
  assert.ok(r3.findings.some((f) => f.field === 'References resolve' && /dependsOn\[0\] names pkg:hex\/elixir_make@0\.9\.0/.test(f.message)));

  const dup = structuredClone(base);
  dup.components.push({ ...dup.components.find((c: J) => c.name === 'gpio'), name: 'gpio-copy' });
  const r4 = await check(dup, 'dup.cdx.json');
  assert.equal(r4.passed, false);
  assert.ok(r4.findings.some((f) => f.field === 'Unique identifiers' && /pkg:hex\/gpio@0\.6\.0 is declared 2 times: at components\[\d+\] and components\[\d+\]/.test(f.message)));
});

test('SPDX 2.3: the same four problems are caught', async (t) => {
  const base = JSON.parse(writeSbom(await demoGraph(t), 'spdx2-json')) as J;
  const gpio = base.packages.find((p: J) => p.name === 'gpio');
  const ok = await check(base, 'ok.spdx.json', 'ntia');
  for (const f of ['Reachable from the product', 'Unique identifiers', 'References resolve']) assert.ok(!fields(ok).has(f), f);

  const orphan = structuredClone(base);
  orphan.packages.push({ SPDXID: 'SPDXRef-orphan', name: 'orphan', versionInfo: '1.0.0', downloadLocation: 'NOASSERTION', filesAnalyzed: false, licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION', copyrightText: 'NOASSERTION', supplier: 'NOASSERTION' });
  const r1 = await check(orphan, 'orphan.spdx.json', 'ntia');
  assert.ok(r1.findings.some((f) => f.field === 'Reachable from the product' && f.component === 'orphan@1.0.0 [SPDXRef-orphan]'));

  const noassert = structuredClone(base);
  noassert.packages.find((p: J) => p.name === 'gpio').versionInfo = 'NOASSERTION';
  const r2 = await check(noassert, 'noassert.spdx.json', 'ntia');
  assert.ok(r2.findings.some((f) => f.field === 'Version of the component' && /NOASSERTION/.test(f.message)));

  const dangling = structuredClone(base);
  dangling.relationships.push({ spdxElementId: gpio.SPDXID, relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'SPDXRef-nowhere' });
  const r3 = await check(dangling, 'dangling.spdx.json', 'ntia');
  assert.ok(r3.findings.some((f) => f.field === 'References resolve' && /SPDXRef-nowhere/.test(f.message)));

  const dup = structuredClone(base);
  dup.packages.push({ ...gpio, name: 'gpio-copy' });
  const r4 = await check(dup, 'dup.spdx.json', 'ntia');
  assert.ok(r4.findings.some((f) => f.field === 'Unique identifiers' && f.message.startsWith(`${gpio.SPDXID} is declared 2 times`)));
});

test('SPDX 3.0.1: the same four problems are caught, and SHACL catches what the JSON schema lets through', async (t) => {
  const base = JSON.parse(writeSbom(await demoGraph(t), 'spdx3-json')) as J;
  const ok = await check(base, 'ok.spdx3.json', 'ntia');
  assert.equal(ok.shacl?.conforms, true, JSON.stringify(ok.shacl?.violations.slice(0, 3)));
  assert.equal(ok.schema.valid, true);
  for (const f of ['Reachable from the product', 'Unique identifiers', 'References resolve', 'SHACL conformance']) assert.ok(!fields(ok).has(f), f);
  const graph = base['@graph'] as J[];
  const gpio = graph.find((e) => e.type === 'software_Package' && e.name === 'gpio')!;
  const ns = String(gpio.spdxId).replace(/#.*$/, '');

  const orphan = structuredClone(base);
  orphan['@graph'].push({ type: 'software_Package', spdxId: `${ns}#SPDXRef-orphan`, creationInfo: '_:creationinfo', name: 'orphan', software_packageVersion: '1.0.0' });
  const r1 = await check(orphan, 'orphan.spdx3.json', 'ntia');
  assert.ok(r1.findings.some((f) => f.field === 'Reachable from the product' && f.component === `orphan@1.0.0 [${ns}#SPDXRef-orphan]`));

  const noassert = structuredClone(base);
  noassert['@graph'].find((e: J) => e.spdxId === gpio.spdxId).software_packageVersion = 'NOASSERTION';
  const r2 = await check(noassert, 'noassert.spdx3.json', 'ntia');
  assert.ok(r2.findings.some((f) => f.field === 'Version of the component' && /NOASSERTION/.test(f.message)));

  const dangling = structuredClone(base);
  dangling['@graph'].push({ type: 'Relationship', spdxId: `${ns}#SPDXRef-rel-x`, creationInfo: '_:creationinfo', from: gpio.spdxId, relationshipType: 'dependsOn', to: [`${ns}#SPDXRef-nowhere`] });
  const r3 = await check(dangling, 'dangling.spdx3.json', 'ntia');
  assert.ok(r3.findings.some((f) => f.field === 'References resolve' && f.message.includes(`${ns}#SPDXRef-nowhere`)));

  const dup = structuredClone(base);
  dup['@graph'].push({ ...gpio, name: 'gpio-copy' });
  const r4 = await check(dup, 'dup.spdx3.json', 'ntia');
  assert.ok(r4.findings.some((f) => f.field === 'Unique identifiers' && f.message.startsWith(`${gpio.spdxId} is declared 2 times`)));

  // a licence-list URL as dataLicense is valid JSON (schema) but not an AnyLicenseInfo element (SHACL sh:class)
  const license = structuredClone(base);
  license['@graph'].find((e: J) => e.type === 'SpdxDocument').dataLicense = 'https://spdx.org/licenses/CC0-1.0';
  const r5 = await check(license, 'license.spdx3.json');
  assert.equal(r5.schema.valid, true);
  assert.equal(r5.shacl?.conforms, false);
  assert.equal(r5.passed, false);
  assert.ok(r5.findings.some((f) => f.field === 'SHACL conformance' && /dataLicense/.test(f.message) && /ClassConstraintComponent/.test(f.message)));
});

test('SHACL: the real OpenEmbedded SPDX 3.0.1 document does not conform (its extension objects), ours does; other contexts are refused', async () => {
  const oe = JSON.parse(readFileSync(join(corpusDir, 'spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json'), 'utf8')) as J;
  const r = await validateSpdx3Shacl(oe, SHARED_SHACL);
  assert.equal(r.conforms, false);
  assert.ok(r.violations.some((v) => /extension$/.test(v.path ?? '')));
  oe['@context'] = 'https://spdx.org/rdf/3.0.0/spdx-context.jsonld';
  await assert.rejects(validateSpdx3Shacl(oe, SHARED_SHACL), (e: unknown) => (e as { code?: string }).code === 'SBOM_UNSUPPORTED');
});

const C = (p: string) => join(corpusDir, p);
const CORPUS = [
  C('spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst'),
  C('spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json'),
  C('cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json'),
  C('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'),
  C('cyclonedx/mix_sbom-self/bom.cdx.json'),
  join(fixturesDir, 'sbom-merge', 'vex-beaglebone.cdx-1.4.json'),
];
/** Fields whose verdict depends on the format itself, not on the graph. */
const FORMAT_FIELDS = new Set(['SBOM format', 'SHACL conformance']);

test('the same merged device SBOM gets the same verdict per field in all four formats (table)', async (t) => {
  const inputs = await Promise.all(CORPUS.map((f) => readSbom(f)));
  const r = mergeSboms(inputs, { product: 'Gateway', productVersion: '2.1', manufacturer: 'ACME', manufacturerUrl: 'https://acme.example', contact: 'sbom@acme.example', timestamp: new Date(1700000000 * 1000), toolVersion: '0.1.0' });
  assert.equal(r.counts.unreachable, 0);
  const formats: SbomFormat[] = ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'];
  for (const profile of ['bsi-tr-03183-2', 'ntia'] as Profile[]) {
    const table = new Map<string, Map<string, number>>();
    for (const f of formats) {
      const report = await checkSbomText(writeSbom(r.graph, f), `device.${f}`, profile, SHARED_SHACL);
      assert.equal(report.schema.valid, true, `${f}: ${JSON.stringify(report.schema.problems.slice(0, 3))}`);
      if (f === 'spdx3-json') assert.equal(report.shacl?.conforms, true, JSON.stringify(report.shacl?.violations.slice(0, 3)));
      for (const q of requirementSummary(report)) {
        if (FORMAT_FIELDS.has(q.field)) continue;
        if (!table.has(q.field)) table.set(q.field, new Map());
        table.get(q.field)!.set(f, q.missing);
      }
    }
    const differing: string[] = [];
    for (const [field, byFormat] of table) {
      if (new Set(byFormat.values()).size > 1) differing.push(`${field}: ${[...byFormat].map(([f, n]) => `${f}=${n}`).join(' ')}`);
    }
    t.diagnostic(`${profile}: ${[...table].map(([field, m]) => `${field} ${m.get('cyclonedx-json')}`).join('; ')}`);
    assert.deepEqual(differing, [], `${profile}: verdicts differ between formats`);
    // the graph of the merge is whole in every format
    for (const field of ['Reachable from the product', 'Unique identifiers', 'References resolve']) assert.equal(table.get(field)!.get('cyclonedx-json'), 0, field);
  }
});
