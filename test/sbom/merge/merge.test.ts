import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readSbom } from '../../../src/sbom/readers/index.js';
import type { InputSbom } from '../../../src/sbom/readers/types.js';
import { mergeSboms, toOpenVex, type MergeResult } from '../../../src/sbom/merge/index.js';
import { writeSbom } from '../../../src/sbom/writers/index.js';
import { canonicalize, canonicalizeAnew } from '../../../src/sbom/writers/canonical.js';
import type { Edge } from '../../../src/sbom/model.js';
import { checkSbomText } from '../../../src/sbom/check/index.js';
import { projectToSbomGraph } from '../../../src/sbom/from-project.js';
import { readProject } from '../../../src/lockfiles/index.js';
import { BeambakeError } from '../../../src/util/errors.js';
import { corpusDir, fixturesDir, schemasDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp.js';

const C = (p: string) => join(corpusDir, p);
const ARCHIVE = C('spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst');
const SPDX3 = C('spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json');
const META_CDX = C('cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json');
const MIX = C('cyclonedx/mix_sbom-self/bom.cdx.json');
const OPENWRT = C('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json');
const VEX = join(fixturesDir, 'sbom-merge', 'vex-openembedded.spdx3.json');
const CDX_VEX = join(fixturesDir, 'sbom-merge', 'vex-beaglebone.cdx-1.4.json');
const DEVICE = { product: 'Gateway', productVersion: '2.1', manufacturer: 'ACME', contact: 'sbom@acme.example', timestamp: new Date(1700000000 * 1000) };

const read = (files: string[]) => Promise.all(files.map((f) => readSbom(f)));
const origins = (r: MergeResult, id: string) => r.graph.components.find((c) => c.id === id)!.properties.filter((p) => p.name === 'beambake:origin').map((p) => p.value);
const outIdOf = (r: MergeResult) => {
  const m = new Map<string, string>();
  for (const c of r.graph.components) for (const p of c.properties) if (p.name === 'beambake:origin') m.set(p.value, c.id);
  return m;
};

test('real Yocto SPDX 2.2 + SPDX 3 + CycloneDX inputs: counts, edges and identity decisions', async () => {
  const inputs = await read([ARCHIVE, SPDX3, META_CDX, MIX, OPENWRT]);
  const r = mergeSboms(inputs, DEVICE);
  const c = r.counts;
  assert.equal(c.in.components, inputs.reduce((n, i) => n + i.counts.components, 0));
  assert.equal(c.out.components, c.in.components - c.folded.components - c.mergedAway + c.placeholders + 1);
  assert.equal(c.out.edges, c.in.edges - c.folded.edges - c.duplicateEdges + c.deviceEdges);

  // every input edge is in the output, checked here independently of the merge's own proof
  const idOf = outIdOf(r);
  const out = new Set(r.graph.edges.map((e) => `${e.from} ${e.to} ${e.type}`));
  const placeholderOf = new Map(r.graph.components.flatMap((x) => x.properties.filter((p) => p.name === 'beambake:unresolved-reference').map((p) => [p.value, x.id] as const)));
  for (const i of inputs) {
    for (const e of i.graph.edges) {
      const f = idOf.get(e.from) ?? placeholderOf.get(e.from);
      const t = idOf.get(e.to) ?? placeholderOf.get(e.to);
      assert.ok(f && t && out.has(`${f} ${t} ${e.type}`), `${i.file}: ${e.from} ${e.type} ${e.to}`);
    }
  }

  // the device is the root and each input's roots hang under it
  const device = r.graph.components.find((x) => x.type === 'device')!;
  assert.equal(r.graph.metadata.root, device.id);
  assert.equal(r.graph.metadata.timestamp, '2023-11-14T22:13:20Z');
  for (const i of inputs) for (const root of i.roots) assert.ok(out.has(`${device.id} ${idOf.get(root)} CONTAINS`), root);

  // meta-cyclonedx and create-spdx describe the same beaglebone build: busybox is one component
  const busybox = r.graph.components.filter((x) => x.name === 'busybox' && x.version === '1.36.1');
  const merged = busybox.find((x) => origins(r, x.id).length === 2)!;
  assert.ok(merged, 'busybox merged');
  assert.ok(origins(r, merged.id).some((o) => o.endsWith('#SPDXRef-Recipe-busybox')));
  assert.equal(merged.purl, 'pkg:generic/busybox@1.36.1');
  assert.ok(merged.properties.some((p) => p.name === 'yocto:cves-fixed'));
  assert.deepEqual(merged.sources.sort(), [ARCHIVE, META_CDX].sort());
  assert.ok(r.decisions.some((d) => d.kind === 'merged' && /^busybox 1\.36\.1 .*same cpe\+name: busybox:1\.36\.1 busybox/.test(d.text)));
  // glibc 2.39 (CPE) and 2.39+git (recipe version) are the same recipe
  assert.ok(r.decisions.some((d) => d.kind === 'merged' && /^glibc 2\.39 .*= glibc 2\.39\+git/.test(d.text)));
  // gcc 13.3.0 shares its CPE with gcc-cross-arm and gcc-runtime, but not the name: three components
  assert.ok(!r.decisions.some((d) => d.kind === 'merged' && /^gcc 13\.3\.0/.test(d.text)));
  // a -native build with a target build's CPE is another component (the host tool does not stand for the target library)
  assert.ok(!r.decisions.some((d) => d.kind === 'merged' && /-native /.test(d.text)));
  // every component of every input is reachable from the device
  assert.equal(c.unreachable, 0);
  for (const i of r.inputs) assert.equal(i.reachable, i.outComponents, i.file);
  // the openwrt busybox is another version: stays separate
  assert.ok(busybox.length >= 1 && r.graph.components.some((x) => x.name === 'busybox' && x.version === '1.33.2'));
  // the 13 alias references of the SPDX 3 build stay with its build record (formulation), not as placeholder components
  assert.equal(r.graph.components.filter((x) => x.id.startsWith('unresolved-')).length, c.placeholders);
  assert.equal(c.placeholders, 0);
  const build = r.graph.builds?.find((b) => b.name === 'shadow:do_create_spdx:recipe');
  assert.ok(build && build.dependsOn.length === 13 && build.inputs.some((x) => r.graph.components.some((y) => y.id === x)));
});

test("the merge's canonical view of its graph is the one the writers would build from scratch; the graph is frozen", async () => {
  for (const files of [[ARCHIVE, SPDX3, META_CDX, MIX, OPENWRT], [META_CDX, CDX_VEX], [MIX]]) {
    const r = mergeSboms(await read(files), DEVICE);
    const adopted = canonicalize(r.graph);
    const anew = canonicalizeAnew(r.graph);
    assert.notEqual(adopted, anew);
    assert.equal(adopted.root, anew.root);
    assert.deepEqual(adopted.components, anew.components);
    assert.deepEqual(adopted.edges, anew.edges);
    assert.deepEqual(adopted.outgoing, anew.outgoing);
    assert.deepEqual(adopted.compositions, anew.compositions);
    assert.equal(adopted.uuid, anew.uuid);
    assert.deepEqual([...adopted.byId.keys()].sort(), [...anew.byId.keys()].sort());
    assert.ok(Object.isFrozen(r.graph) && Object.isFrozen(r.graph.components) && Object.isFrozen(r.graph.edges));
    assert.throws(() => (r.graph.edges as Edge[]).push(r.graph.edges[0]!), TypeError);
  }
});

test('output does not depend on the order of the inputs and is valid in all four formats', async () => {
  const a = mergeSboms(await read([ARCHIVE, MIX, SPDX3]), DEVICE);
  const b = mergeSboms(await read([SPDX3, MIX, ARCHIVE]), DEVICE);
  for (const format of ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'] as const) {
    const text = writeSbom(a.graph, format);
    assert.equal(writeSbom(b.graph, format), text, format);
    const report = await checkSbomText(text, `merged.${format}`);
    assert.equal(report.schema.valid, true, `${format}: ${JSON.stringify(report.schema.problems.slice(0, 3))}`);
  }
});

test('same purl with a different SHA-256 stays separate (BSI TR-03183-2 §5.1); same facts merge', async () => {
  const [mix] = await read([MIX]);
  const twin: InputSbom = structuredClone({ ...mix!, aliases: new Map() });
  twin.key = 'urn:uuid:11111111-2222-4333-8444-555555555555';
  twin.file = 'vendored-copy.cdx.json';
  const rekey = (id: string) => id.replace(mix!.key, twin.key);
  for (const c of twin.graph.components) c.id = rekey(c.id);
  for (const e of twin.graph.edges) (e.from = rekey(e.from)), (e.to = rekey(e.to));
  twin.roots = twin.roots.map(rekey);
  const jason = twin.graph.components.find((c) => c.name === 'jason')!;
  jason.hashes = [{ alg: 'SHA-256', value: 'f'.repeat(64) }];
  const r = mergeSboms([mix!, twin], DEVICE);
  assert.ok(r.decisions.some((d) => d.kind === 'separate' && /^jason .*same purl .*SHA-256/.test(d.text)));
  assert.equal(r.graph.components.filter((c) => c.name === 'jason').length, 2);
  assert.equal(r.graph.components.filter((c) => c.name === 'nimble_options').length, 1);
  // identical edges from both inputs collapse into one and are counted
  assert.ok(r.counts.duplicateEdges > 0);
});

test('an input whose account does not add up fails with MERGE_LOSS', async () => {
  const [archive] = await read([ARCHIVE]);
  archive!.folded = archive!.folded.filter((f) => !/NOASSERTION/.test(f.reason));
  assert.throws(
    () => mergeSboms([archive!], DEVICE),
    (e: unknown) => e instanceof BeambakeError && e.code === 'MERGE_LOSS' && /relationships read/.test(e.message),
  );
  const [mix] = await read([MIX]);
  mix!.graph.components.pop();
  assert.throws(() => mergeSboms([mix!], DEVICE), (e: unknown) => e instanceof BeambakeError && e.code === 'MERGE_LOSS');
});

test('VEX facts go to OpenVEX 0.2.0 (schema-valid), not into the SBOM', async () => {
  const r = mergeSboms(await read([ARCHIVE, VEX]), DEVICE);
  const vex = toOpenVex(r.graph, { author: 'ACME', timestamp: '2023-11-14T22:13:20Z' })!;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'openvex-0.2.0.json'), 'utf8')));
  assert.ok(validate(vex), JSON.stringify(validate.errors?.slice(0, 3)));
  const statements = vex.statements as { vulnerability: { name: string }; status: string; justification?: string; products: { '@id': string }[] }[];
  const na = statements.find((s) => s.vulnerability.name === 'CVE-2023-39810')!;
  assert.equal(na.status, 'not_affected');
  assert.equal(na.justification, 'vulnerable_code_not_present');
  // the SPDX 3 busybox (CPE) and the SPDX 2.2 busybox recipe are one product
  const fixed = statements.filter((s) => s.vulnerability.name === 'CVE-2022-28391' && s.status === 'fixed');
  assert.equal(fixed.length, 1);
  for (const f of ['cyclonedx-json', 'spdx3-json'] as const) assert.ok(!writeSbom(r.graph, f).includes('CVE-2023-39810'), `${f} carries no VEX`);
});

test('CycloneDX VEX BOM-Links resolve to the merged components of the BOM they name', async () => {
  const r = mergeSboms(await read([ARCHIVE, META_CDX, CDX_VEX]), DEVICE);
  const fromVex = JSON.parse(readFileSync(CDX_VEX, 'utf8')) as { vulnerabilities: { id: string; affects: { ref: string }[] }[] };
  const links = fromVex.vulnerabilities.flatMap((v) => v.affects.map((a) => a.ref));
  // every BOM-Link of the VEX is a product of the merged graph: no placeholders, no external references
  assert.equal(r.counts.placeholders, 0);
  assert.equal(r.counts.vexProducts.external, 0);
  assert.ok(r.graph.vex.every((v) => !v.externalProducts));
  const ids = new Set(r.graph.components.map((c) => c.id));
  const idOf = outIdOf(r);
  for (const link of links) {
    const ref = link.slice(link.indexOf('#') + 1);
    const id = idOf.get(`urn:uuid:87b5cc5a-ee50-449f-bcdf-cabea628c2a2#${ref}`);
    assert.ok(id && ids.has(id), link);
    assert.ok(r.graph.vex.some((v) => v.products.includes(id!)), `${link} is a VEX product`);
  }
  // OpenVEX products are the components' purls
  const vex = toOpenVex(r.graph, { author: 'ACME', timestamp: '2023-11-14T22:13:20Z' })!;
  const socks = (vex.statements as { vulnerability: { name: string }; products: { '@id': string }[]; justification?: string }[]).find((x) => x.vulnerability.name === 'CVE-2023-38545')!;
  assert.deepEqual(socks.products.map((p) => p['@id']).sort(), ['pkg:generic/haxx/curl@8.7.1', 'pkg:generic/haxx/libcurl@8.7.1']);
  assert.equal(socks.justification, 'vulnerable_code_not_in_execute_path');
});

test('VEX naming a BOM that is not an input: one named external reference, no placeholder components', async () => {
  const r = mergeSboms(await read([CDX_VEX]), DEVICE);
  assert.equal(r.graph.components.length, 1, 'only the device');
  assert.equal(r.counts.placeholders, 0);
  const device = r.graph.components[0]!;
  assert.deepEqual(device.externalRefs.filter((x) => x.type === 'bom').map((x) => x.url), ['urn:cdx:87b5cc5a-ee50-449f-bcdf-cabea628c2a2/1']);
  assert.ok(r.graph.vex.every((v) => v.products.length === 0 && v.externalProducts!.every((p) => p.startsWith('urn:cdx:87b5cc5a-ee50-449f-bcdf-cabea628c2a2/1#'))));
  assert.ok(r.decisions.some((d) => d.kind === 'vex' && /not an input/.test(d.text)));
  const vex = toOpenVex(r.graph, { author: 'ACME', timestamp: '2023-11-14T22:13:20Z' })!;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'openvex-0.2.0.json'), 'utf8')));
  assert.ok(validate(vex), JSON.stringify(validate.errors?.slice(0, 3)));
});

test('the same input twice is refused, naming both; duplicate ids in an input name both places', async () => {
  const [a] = await read([MIX]);
  const copy = join(makeTempDir('sbom-dup-'), 'copy.cdx.json');
  writeFileSync(copy, readFileSync(MIX));
  const [b] = await read([copy]);
  assert.throws(() => mergeSboms([a!, b!], DEVICE), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_DUPLICATE_INPUT' && e.message.includes('given twice'));
  const doc = JSON.parse(readFileSync(MIX, 'utf8')) as { components: { 'bom-ref': string }[] };
  doc.components[3]!['bom-ref'] = doc.components[1]!['bom-ref'];
  const dup = join(makeTempDir('sbom-dup-'), 'dup.cdx.json');
  writeFileSync(dup, JSON.stringify(doc));
  await assert.rejects(readSbom(dup), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_DUPLICATE_ID' && /first at components\[1\]/.test(e.message) && e.location.entry === 'components[3]');
  // a component without a bom-ref is named by its content: a bom-ref spelling out that name is the same clash
  const anonymous = doc.components[3] as Record<string, unknown>;
  delete anonymous['bom-ref'];
  const content = JSON.stringify([anonymous.type, anonymous.group, anonymous.name, anonymous.version, anonymous.purl, anonymous.cpe]);
  doc.components[1]!['bom-ref'] = `content:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
  writeFileSync(dup, JSON.stringify(doc));
  await assert.rejects(readSbom(dup), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_DUPLICATE_ID' && /has no bom-ref.*first at components\[1\]/.test(e.message) && e.location.entry === 'components[3]');
  const spdx = JSON.parse(readFileSync(C('spdx/vulnscout/recipe-cairo.spdx.json'), 'utf8')) as { packages: { SPDXID: string }[] };
  spdx.packages.push({ ...spdx.packages[0]! });
  const dup2 = join(makeTempDir('sbom-dup-'), 'dup.spdx.json');
  writeFileSync(dup2, JSON.stringify(spdx));
  await assert.rejects(readSbom(dup2), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_DUPLICATE_ID' && /first at packages\[0\]/.test(e.message));
  const s3 = JSON.parse(readFileSync(VEX, 'utf8')) as { '@graph': Record<string, unknown>[]; '@context': string };
  s3['@graph'].push({ ...s3['@graph'][3]! });
  const dup3 = join(makeTempDir('sbom-dup-'), 'dup.spdx3.json');
  writeFileSync(dup3, JSON.stringify(s3));
  await assert.rejects(readSbom(dup3), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_DUPLICATE_ID' && /first at @graph\[3\]/.test(e.message));
  s3['@graph'].pop();
  s3['@context'] = 'https://spdx.org/rdf/3.0.0/spdx-context.jsonld';
  writeFileSync(dup3, JSON.stringify(s3));
  await assert.rejects(readSbom(dup3), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_UNSUPPORTED' && /not the SPDX 3\.0\.1 context/.test(e.message));
});

test('a component the device does not reach fails the merge unless allowed, and is always an explained decision', async () => {
  const doc = JSON.parse(readFileSync(C('spdx/vulnscout/recipe-cairo.spdx.json'), 'utf8')) as { packages: Record<string, unknown>[] };
  // a package no relationship links and the document does not describe: nothing says it is part of the device
  doc.packages.push({ SPDXID: 'SPDXRef-Package-orphan', name: 'orphan', versionInfo: '1.0', downloadLocation: 'NOASSERTION', filesAnalyzed: false });
  const file = join(makeTempDir('sbom-orphan-'), 'orphan.spdx.json');
  writeFileSync(file, JSON.stringify(doc));
  const inputs = await read([file, MIX]);
  assert.throws(
    () => mergeSboms(inputs, DEVICE),
    (e: unknown) => e instanceof BeambakeError && e.code === 'MERGE_UNREACHABLE' && /^1 component\(s\) are not reachable .*orphan 1\.0/.test(e.message),
  );
  const r = mergeSboms(inputs, { ...DEVICE, allowUnreachable: true });
  assert.equal(r.counts.unreachable, 1);
  assert.ok(r.decisions.some((d) => d.kind === 'unreachable' && /\(orphan\) is not reachable from the device and no input says why \(allowed/.test(d.text)));
  const orphanInput = r.inputs.find((i) => i.file === file)!;
  assert.equal(orphanInput.reachable, orphanInput.outComponents - 1);
  // an input that says why a component stands apart makes it an explained exception, not a failure
  inputs[0]!.detached = new Map([[inputs[0]!.graph.components.find((c) => c.name === 'orphan')!.id, 'shipped beside the image on the recovery partition']]);
  const ok = mergeSboms(inputs, DEVICE);
  assert.ok(ok.decisions.some((d) => d.kind === 'unreachable' && /recovery partition/.test(d.text)));
});

test('SPDX 2.3 output: every LicenseRef used has its hasExtractedLicensingInfos entry, with the text the input gave', async () => {
  const r = mergeSboms(await read([ARCHIVE, OPENWRT]), DEVICE);
  const doc = JSON.parse(writeSbom(r.graph, 'spdx2-json')) as { packages: Record<string, string>[]; hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[] };
  const used = new Set(doc.packages.flatMap((p) => [p.licenseConcluded, p.licenseDeclared].flatMap((x) => String(x).match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [])));
  assert.ok(used.size > 0);
  const infos = new Map((doc.hasExtractedLicensingInfos ?? []).map((i) => [i.licenseId, i.extractedText]));
  assert.deepEqual([...used].filter((u) => !infos.has(u)), []);
  assert.ok(/bzip2/i.test(infos.get('LicenseRef-bzip2-1.0.4') ?? ''), 'the Yocto text of LicenseRef-bzip2-1.0.4 is carried over');
  // a licence that is no SPDX expression (OpenWrt "LGPL-2.1-or-later,GPL-2.0-or-later") is the same LicenseRef in CycloneDX
  const cdx = JSON.parse(writeSbom(r.graph, 'cyclonedx-json')) as { components: { name: string; licenses?: { expression?: string }[] }[] };
  const syslog = cdx.components.find((c) => c.name === 'syslog-ng')!;
  const ref = syslog.licenses?.[0]?.expression ?? '';
  assert.match(ref, /^LicenseRef-beambake-/);
  assert.ok(infos.has(ref), `${ref} in SPDX 2 as well`);
});

test('two layers shipping unversioned OTP applications: merged with the same OTP release, kept apart (explained) otherwise', async () => {
  const dir = makeTempDir('sbom-otp-');
  const layer = async (project: string, otpVersion: string, name: string) => {
    const graph = await projectToSbomGraph(await readProject(C(project)), { otpVersion, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    const f = join(dir, name);
    writeFileSync(f, writeSbom(graph, 'cyclonedx-json'));
    return readSbom(f);
  };
  const a = await layer('mix/renovate-fixture', '26', 'a.cdx.json');
  const b26 = await layer('mix/phoenix-installer', '26', 'b26.cdx.json');
  const b27 = await layer('mix/phoenix-installer', '27', 'b27.cdx.json');
  const kernel = (r: MergeResult) => r.graph.components.filter((c) => c.name === 'kernel');
  assert.ok(!kernel(mergeSboms([a], DEVICE))[0]!.version, 'the layer does not know the kernel version');
  const same = mergeSboms([a, b26], DEVICE);
  assert.equal(kernel(same).length, 1);
  assert.ok(same.decisions.some((d) => d.kind === 'merged' && d.text.startsWith('kernel ') && /same purl\+otp-release: pkg:generic\/kernel \(OTP 26\)/.test(d.text)));
  const apart = mergeSboms([a, b27], DEVICE);
  assert.equal(kernel(apart).length, 2);
  assert.ok(apart.decisions.some((d) => d.kind === 'separate' && d.text.startsWith('kernel ') && /OTP releases differ or are unknown \((26 vs 27|27 vs 26)\)/.test(d.text)));
});

test('a device SBOM written in any format merges again into a connected graph (its root read back as the root)', async () => {
  const r = mergeSboms(await read([ARCHIVE, META_CDX, MIX]), DEVICE);
  const dir = makeTempDir('sbom-roundtrip-');
  for (const [f, suffix] of [['cyclonedx-json', 'cdx.json'], ['cyclonedx-xml', 'cdx.xml'], ['spdx3-json', 'spdx3.json'], ['spdx2-json', 'spdx.json']] as const) {
    const file = join(dir, `device.${suffix}`);
    writeFileSync(file, writeSbom(r.graph, f));
    const again = mergeSboms(await read([file]), { ...DEVICE, product: 'Rack' });
    assert.equal(again.counts.unreachable, 0, f);
    assert.equal(again.counts.placeholders, 0, `${f}: every reference resolves`);
    assert.equal(again.graph.components.length, r.graph.components.length + 1, f);
  }
});

test('beambake sbom merge: CLI writes the SBOM and OpenVEX, --json report, bad input is one line', () => {
  const dir = makeTempDir('sbom-merge-cli-');
  const out = join(dir, 'device.cdx.json');
  const vex = join(dir, 'device.vex.json');
  const common = ['--product', 'Gateway', '--product-version', '2.1', '--manufacturer', 'ACME', '--contact', 'sbom@acme.example'];
  const r = runCli(['sbom', 'merge', ARCHIVE, MIX, ...common, '-o', out, '--vex', vex, '--json', '--explain'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { counts: { in: { components: number }; out: { components: number } }; decisions: { kind: string }[] };
  assert.ok(report.counts.out.components > 0 && report.decisions.some((d) => d.kind === 'root'));
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { specVersion: string }).specVersion, '1.6');
  assert.ok(existsSync(vex));
  const text = runCli(['sbom', 'merge', ARCHIVE, ...common, '-o', join(dir, 'b.cdx.json')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr, /^in {5}352 components, 10311 relationships$/m);

  const bad = runCli(['sbom', 'merge', C('spdx/vulnscout/yocto-cve-check.json'), ...common, '-o', join(dir, 'bad.cdx.json')]);
  assert.equal(bad.status, 3);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /yocto-cve-check\.json:1:1: JSON that is neither/);
  assert.ok(!existsSync(join(dir, 'bad.cdx.json')));
});

test('edges of a source with many targets (an indexed source) and with few: each kept once across inputs', async () => {
  const dir = makeTempDir('beambake-merge-hub-');
  // the same hub (same purl) in two SBOMs, linking 40 libraries and a small one linking 3: the second
  // input's edges are all already present
  const bom = (serial: string) => {
    const lib = (n: number) => ({ type: 'library', 'bom-ref': `lib${n}`, name: `lib${n}`, version: '1.0', purl: `pkg:generic/lib${n}@1.0` });
    return {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: `urn:uuid:${serial}`,
      version: 1,
      metadata: { component: { type: 'firmware', 'bom-ref': 'hub', name: 'hub', version: '2', purl: 'pkg:generic/hub@2' } },
      components: [...Array.from({ length: 40 }, (_, n) => lib(n)), { type: 'library', 'bom-ref': 'small', name: 'small', version: '1', purl: 'pkg:generic/small@1' }],
      dependencies: [
        { ref: 'hub', dependsOn: [...Array.from({ length: 40 }, (_, n) => `lib${n}`), 'small'] },
        { ref: 'small', dependsOn: ['lib0', 'lib1', 'lib2'] },
      ],
    };
  };
  const files = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'].map((s, k) => {
    const f = join(dir, `in${k}.cdx.json`);
    writeFileSync(f, JSON.stringify(bom(s)));
    return f;
  });
  const r = mergeSboms(await read(files), DEVICE);
  assert.equal(r.counts.mergedAway, 42);
  assert.equal(r.counts.duplicateEdges, 44);
  const keys = r.graph.edges.map((e) => `${e.from} ${e.type} ${e.to}`);
  assert.equal(new Set(keys).size, keys.length, 'no edge twice');
  // 41 from the hub, 3 from the small one, 1 from the device to the hub (one root, merged)
  assert.equal(r.graph.edges.length, 45);
});

test('inputs whose components are not in id order (built by a caller) merge as the same inputs in the order readers give', async () => {
  const sorted = await read([ARCHIVE, CDX_VEX, META_CDX]);
  const a = mergeSboms(sorted, DEVICE);
  // reversed lists, positions of edge ends left as they were (wrong now): the merge looks ids up instead
  const reversed: InputSbom[] = (await read([ARCHIVE, CDX_VEX, META_CDX])).map((i) => ({ ...i, graph: { ...i.graph, components: [...i.graph.components].reverse() } }));
  assert.ok(reversed.filter((i) => i.graph.components.length > 1 && i.graph.components[0]!.id > i.graph.components[1]!.id).length >= 2);
  const b = mergeSboms(reversed, DEVICE);
  assert.deepEqual(b.graph, a.graph);
  assert.deepEqual(b.counts, a.counts);
  assert.ok(a.counts.vexProducts.resolved > 0 && a.counts.reachable === a.graph.components.length);
});
