import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decompress } from 'fzstd';
import { readSbom, detectFormat } from '../../../src/sbom/readers/index.js';
import type { InputSbom } from '../../../src/sbom/readers/types.js';
import { writeSbom } from '../../../src/sbom/writers/index.js';
import { BeambakeError } from '../../../src/util/errors.js';
import { corpusDir, fixturesDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp.js';

const C = (p: string) => join(corpusDir, p);
const ARCHIVE = C('spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst');
const SPDX3 = C('spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json');

function folded(i: InputSbom, kind: 'component' | 'edge'): number {
  return i.folded.filter((f) => f.kind === kind).reduce((n, f) => n + f.count, 0);
}

function accounted(i: InputSbom): void {
  assert.equal(i.graph.components.length + folded(i, 'component'), i.counts.components, `${i.file} components`);
  assert.equal(i.graph.edges.length + folded(i, 'edge'), i.counts.edges, `${i.file} edges`);
  edgeEndsAgree(i);
}

/** The positions a reader gives for edge ends (InputSbom.edgeEnds) name the components with those ids, and every end that is a component is located. */
function edgeEndsAgree(i: InputSbom): void {
  const ends = i.edgeEnds;
  if (ends === undefined) return;
  assert.equal(ends.length, 2 * i.graph.edges.length, `${i.file}: two ends per edge`);
  const position = new Map(i.graph.components.map((c, k) => [c.id, k]));
  i.graph.edges.forEach((e, k) => {
    assert.equal(ends[2 * k], position.get(e.from) ?? -1, `${i.file}: edge ${k} source ${e.from}`);
    assert.equal(ends[2 * k + 1], position.get(e.to) ?? -1, `${i.file}: edge ${k} target ${e.to}`);
  });
}

test('every SBOM of the corpus is read and fully accounted for', async () => {
  const manifest = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n');
  const sboms = manifest
    .map((l) => l.split('\t')[0]!)
    .filter((p) => /(\.spdx\.json|\.cdx(-1\.\d)?\.json|\.spdx\.tar\.zst)$/.test(p));
  assert.ok(sboms.length >= 14, `found ${sboms.length}`);
  for (const p of sboms) {
    const i = await readSbom(C(p));
    accounted(i);
    // Yocto runtime-*.spdx.json documents hold only an AMENDS relationship, no package
    if (!p.includes('/runtime-')) assert.ok(i.graph.components.length > 0 && i.roots.length > 0, `${p} has components and roots`);
  }
});

test('Yocto SPDX 2.2 archive: documents linked by namespace, image is the root, facts kept', async () => {
  const i = await readSbom(ARCHIVE);
  assert.equal(i.format, 'yocto-spdx2-archive');
  assert.equal(i.specVersion, 'SPDX-2.2');
  assert.deepEqual(i.counts, { components: 352, edges: 10311 });
  assert.equal(i.graph.components.length, 201);
  assert.equal(folded(i, 'component'), 151);
  assert.equal(i.graph.edges.length, 585);
  assert.equal(i.roots.length, 1);
  assert.match(i.roots[0]!, /#SPDXRef-Image-core-image-minimal-beaglebone-yocto/);
  const ids = new Set(i.graph.components.map((c) => c.id));
  // every DocumentRef resolved inside the archive
  for (const e of i.graph.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
  const recipe = i.graph.components.find((c) => c.id.endsWith('#SPDXRef-Recipe-busybox'))!;
  assert.deepEqual(recipe.cpes, ['cpe:2.3:*:*:busybox:1.36.1:*:*:*:*:*:*:*']);
  assert.equal(recipe.licenses.declared, 'GPL-2.0-only AND LicenseRef-bzip2-1.0.4');
  assert.equal(recipe.properties.find((p) => p.name === 'yocto:cves-fixed')?.value, 'CVE-2021-42380 CVE-2022-28391 CVE-2023-42363 CVE-2023-42364 CVE-2023-42365 CVE-2023-42366');
  const download = i.graph.components.find((c) => c.id.endsWith('#SPDXRef-Download-busybox-1'))!;
  assert.equal(download.downloadLocation, 'https://busybox.net/downloads/busybox-1.36.1.tar.bz2');
  assert.deepEqual(download.hashes, [{ alg: 'SHA-256', value: 'b8cc24c9574d809e7279c3be349795c5d5ceb6fdf19ca709f80cde50e47de314' }]);
  const pkg = i.graph.components.find((c) => c.id.endsWith('#SPDXRef-Package-busybox'))!;
  assert.equal(pkg.properties.find((p) => p.name === 'beambake:folded-files')?.value, '4');
  const types = new Set(i.graph.edges.map((e) => e.type));
  assert.deepEqual([...types].sort(), ['BUILD_DEPENDS_ON', 'CONTAINS', 'DEPENDS_ON', 'GENERATED_FROM']);
  // BUILD_DEPENDENCY_OF is turned around: the recipe depends on its download
  assert.ok(i.graph.edges.some((e) => e.from === recipe.id && e.to === download.id && e.type === 'BUILD_DEPENDS_ON'));
  assert.ok(i.graph.vex.some((v) => v.vulnerability === 'CVE-2022-28391' && v.status === 'fixed' && v.products[0] === recipe.id));
});

test('--keep-files: the SPDX files of the Yocto archive become file components, linked to their packages', async () => {
  const folding = await readSbom(ARCHIVE);
  const i = await readSbom(ARCHIVE, { keepFiles: true });
  accounted(i);
  const files = i.graph.components.filter((c) => c.type === 'file');
  assert.equal(files.length, folded(folding, 'component'));
  assert.equal(i.graph.components.length, folding.graph.components.length + files.length);
  const busybox = files.find((c) => c.filename === 'bin/busybox.nosuid');
  assert.ok(busybox, 'busybox.nosuid is a file component');
  assert.ok(i.graph.edges.some((e) => e.to === busybox.id && e.type === 'CONTAINS' && e.from.endsWith('#SPDXRef-Package-busybox')));
  assert.ok(!i.graph.components.some((c) => c.properties.some((p) => p.name === 'beambake:folded-files')));
});

test('the extracted deploy directory reads like the archive members it holds', async () => {
  const i = await readSbom(C('spdx/vulnscout/spdx2/extracted'));
  assert.equal(i.format, 'yocto-spdx2-dir');
  accounted(i);
  assert.ok(i.notes.some((n) => /index\.json lists 148 document\(s\) not in the directory/.test(n)));
});

test('SPDX 3.0.1 (OpenEmbedded): build root, files folded, alias references kept as edges', async () => {
  const i = await readSbom(SPDX3);
  assert.equal(i.format, 'spdx3-jsonld');
  assert.deepEqual(i.counts, { components: 1098, edges: 2430 });
  // the build_Build root is provenance (a build record), not a component; what it consumed hangs under the device
  assert.equal(i.graph.components.length, 1);
  assert.equal(folded(i, 'component'), 1097);
  assert.equal(i.graph.builds?.length, 1);
  const build = i.graph.builds![0]!;
  assert.match(build.id, /\/build\/recipe$/);
  assert.equal(build.name, 'shadow:do_create_spdx:recipe');
  assert.deepEqual(i.roots, [i.graph.components[0]!.id]);
  const src = i.graph.components.find((c) => c.name === 'shadow-4.14.2.tar.gz')!;
  assert.equal(src.downloadLocation, 'https://github.com/shadow-maint/shadow/releases/download/4.14.2/shadow-4.14.2.tar.gz');
  assert.equal(src.licenses.concluded, 'BSD-3-Clause');
  // the 13 builds of other recipes it depends on stay references of the build record, not placeholder components
  assert.equal(build.dependsOn.filter((d) => /^[a-z0-9-_]+\/UNIHASH\/build\/recipe$/.test(d)).length, 13);
  assert.equal(i.graph.edges.length, 0);
  assert.ok(build.inputs.includes(src.id));
  assert.equal(i.aliases.get('shadow/UNIHASH/build/recipe'), build.id);
});

test('SPDX 3 VEX relationships become VEX statements, not edges', async () => {
  const i = await readSbom(join(fixturesDir, 'sbom-merge', 'vex-openembedded.spdx3.json'));
  accounted(i);
  assert.equal(i.graph.vex.length, 2);
  const na = i.graph.vex.find((v) => v.status === 'not_affected')!;
  assert.equal(na.vulnerability, 'CVE-2023-39810');
  assert.equal(na.justification, 'vulnerable_code_not_present');
  assert.deepEqual(i.graph.edges.map((e) => e.type), ['DEPENDS_ON']);
  assert.equal(i.graph.components[0]!.supplier?.name, 'OpenEmbedded');
});

test('CycloneDX 1.4 without bom-refs: ids from content, CPE 2.2 converted, SPDX-style supplier parsed', async () => {
  const i = await readSbom(C('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'));
  assert.match(i.key, /^sha256:/, 'all-zero serial number is not an identity');
  const bb = i.graph.components.find((c) => c.name === 'busybox')!;
  assert.match(bb.id, /#content:[0-9a-f]{16}$/);
  assert.deepEqual(bb.cpes, ['cpe:2.3:a:busybox:busybox:1.33.2:*:*:*:*:*:*:*']);
  assert.deepEqual(bb.supplier, { name: 'OpenWrt' });
  const again = await readSbom(C('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'));
  assert.deepEqual(again.graph.components.map((c) => c.id), i.graph.components.map((c) => c.id));
});

test('CycloneDX XML reads back what the CycloneDX XML writer wrote', async () => {
  const json = await readSbom(C('cyclonedx/mix_sbom-self/bom.cdx.json'));
  const dir = makeTempDir('sbom-xml-');
  const file = join(dir, 'bom.cdx.xml');
  writeFileSync(file, writeSbom(json.graph, 'cyclonedx-xml'));
  assert.equal(await detectFormat(file), 'cyclonedx-xml');
  const xml = await readSbom(file);
  assert.equal(xml.format, 'cyclonedx-xml');
  const facts = (i: InputSbom) => i.graph.components.map((c) => `${c.name} ${c.version ?? ''} ${c.purl ?? ''}`).sort();
  assert.deepEqual(facts(xml), facts(json));
  assert.equal(xml.graph.edges.filter((e) => e.type === 'DEPENDS_ON').length, json.graph.edges.length);
  accounted(xml);
});

test('bad input: one line naming the file and the place', async () => {
  const dir = makeTempDir('sbom-bad-');
  const truncated = join(dir, 'truncated.spdx.json');
  const text = readFileSync(C('spdx/vulnscout/valid_v2_2.spdx.json'), 'utf8');
  writeFileSync(truncated, text.replace('"relationshipType": "DESCRIBES"', '"relationshipType": "DESCRIBES",,'));
  await assert.rejects(readSbom(truncated), (e: unknown) => {
    assert.ok(e instanceof BeambakeError);
    assert.equal(e.code, 'SBOM_PARSE');
    assert.match(e.format(), /truncated\.spdx\.json:\d+:\d+: relationships\[\d+\]: invalid JSON/);
    // the line of the second comma (an SPDX 2 file's positions are counted from the file when an error needs one)
    const line = text.split('\n').findIndex((l) => l.includes('"relationshipType": "DESCRIBES"')) + 1;
    assert.equal(e.location.line, line, e.format());
    assert.ok(!e.format().includes('\n'));
    return true;
  });
  const badXml = join(dir, 'bad.cdx.xml');
  writeFileSync(badXml, '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5">\n  <components><component></components>\n</bom>\n');
  await assert.rejects(readSbom(badXml), /SBOM_PARSE|invalid XML/);
  await assert.rejects(readSbom(C('spdx/vulnscout/yocto-cve-check.json')), (e: unknown) => e instanceof BeambakeError && e.code === 'SBOM_UNSUPPORTED');
  // packages are named after the namespace read before them: a second, different namespace after them is refused
  const doc = JSON.parse(text) as Record<string, unknown>;
  const twice = join(dir, 'twice.spdx.json');
  writeFileSync(twice, JSON.stringify(doc).replace(/\}$/, `,"documentNamespace":"https://example.com/other"}`));
  await assert.rejects(readSbom(twice), (e: unknown) => e instanceof BeambakeError && /twice\.spdx\.json: documentNamespace: documentNamespace is given twice/.test(e.format()));
  // the namespace after the packages is the usual case too
  const { documentNamespace, ...rest } = doc;
  const late = join(dir, 'late.spdx.json');
  writeFileSync(late, JSON.stringify({ ...rest, documentNamespace }));
  const [early, after] = await Promise.all([readSbom(C('spdx/vulnscout/valid_v2_2.spdx.json')), readSbom(late)]);
  assert.deepEqual(after.graph.components.map((c) => c.id), early.graph.components.map((c) => c.id));
  assert.ok(early.graph.components.length > 0 && early.graph.components.every((c) => c.id.startsWith(`${String(documentNamespace)}#`)));
});

test('CycloneDX 1.1 XML as rebar3_sbom writes it (dependency-graph extension), and 1.2/1.3 JSON', async () => {
  const i = await readSbom(join(fixturesDir, 'sbom-inputs', 'elvis.rebar3_sbom.cdx-1.1.xml'));
  assert.equal(i.specVersion, 'CycloneDX 1.1');
  assert.deepEqual(i.counts, { components: 3, edges: 1 });
  const byName = new Map(i.graph.components.map((c) => [c.name, c]));
  assert.deepEqual(i.graph.edges.map((e) => [e.from, e.to, e.type]), [[byName.get('elvis_core')!.id, byName.get('katana_code')!.id, 'DEPENDS_ON']]);
  assert.deepEqual(i.roots.sort(), [byName.get('elvis_core')!.id, byName.get('getopt')!.id].sort());
  assert.equal(byName.get('getopt')!.licenses.declared, 'BSD-3-Clause');
  assert.equal(byName.get('getopt')!.hashes[0]!.value, '4f3320c1f6f26b2bec0f6c6446b943eb927a1e6428ea279a1c6c534906ee79f1');
  accounted(i);
  const dir = makeTempDir('cdx-old-');
  for (const v of ['1.2', '1.3']) {
    const doc = JSON.parse(readFileSync(join(corpusDir, 'cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'), 'utf8')) as Record<string, unknown>;
    doc.specVersion = v;
    const f = join(dir, `openwrt-${v}.cdx.json`);
    writeFileSync(f, JSON.stringify(doc));
    const r = await readSbom(f);
    assert.equal(r.specVersion, `CycloneDX ${v}`);
    assert.equal(r.counts.components, 15);
  }
});

test('XML with a DTD is one clear line, exit 3, nothing written', () => {
  const dir = makeTempDir('cdx-dtd-');
  const src = readFileSync(join(fixturesDir, 'sbom-inputs', 'elvis.rebar3_sbom.cdx-1.1.xml'), 'utf8').split('\n');
  const bad = join(dir, 'dtd.cdx.xml');
  writeFileSync(bad, [src[0], '<!DOCTYPE bom [<!ENTITY name "elvis_core"><!ENTITY ext SYSTEM "file:///etc/passwd">]>', ...src.slice(1)].join('\n'));
  const out = join(dir, 'out.cdx.json');
  const r = runCli(['sbom', 'merge', bad, '--product', 'D', '--product-version', '1', '--manufacturer', 'A', '-o', out]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /dtd\.cdx\.xml:2:1: XML with a document type declaration/);
  assert.ok(!existsSync(out));
  const c = runCli(['sbom', 'check', bad]);
  assert.equal(c.status, 3);
  assert.equal(c.stderr.trim().split('\n').length, 1, c.stderr);
});

test('a Yocto archive whose gzip stream breaks off is one clear line, exit 3 (it used to leave the read pending: exit 13, no message)', async () => {
  // found by the fuzz script (test/fuzz): the tar parser aborts on the zlib error and never ends
  const dir = makeTempDir('spdx-gz-');
  const tar = Buffer.from(decompress(readFileSync(ARCHIVE)));
  const gz = gzipSync(tar);
  for (const [name, bytes] of [
    ['cut.spdx.tar.gz', gz.subarray(0, 138)],
    ['half.spdx.tar.gz', gz.subarray(0, gz.length >> 1)],
  ] as const) {
    const f = join(dir, name);
    writeFileSync(f, bytes);
    await assert.rejects(readSbom(f), (e: unknown) => {
      assert.ok(e instanceof BeambakeError, String(e));
      assert.equal(e.code, 'SBOM_PARSE');
      assert.match(e.format(), /not a readable tar archive: .*unexpected end of file/);
      return true;
    });
  }
  const out = join(dir, 'out.cdx.json');
  const r = runCli(['sbom', 'merge', join(dir, 'half.spdx.tar.gz'), '--product', 'D', '--product-version', '1', '--manufacturer', 'A', '-o', out]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(!existsSync(out));
});

test('CycloneDX ids take the document key whenever the serial number comes: first, last, twice, or as the placeholder', async () => {
  const dir = makeTempDir('beambake-cdx-key-');
  const A = 'urn:uuid:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
  const B = 'urn:uuid:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
  const ZERO = 'urn:uuid:00000000-0000-0000-0000-000000000000';
  const body = '"components": [{"type": "library", "bom-ref": "a", "name": "a", "version": "1"}], "dependencies": [{"ref": "a", "dependsOn": []}]';
  const head = '"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1';
  // text, not JSON.stringify: a repeated member name is part of what is tested
  const docs: [string, string, string | undefined][] = [
    ['first', `{${head}, "serialNumber": "${A}", ${body}}`, A],
    ['last', `{${head}, ${body}, "serialNumber": "${A}"}`, A],
    ['twice', `{${head}, "serialNumber": "${A}", ${body}, "serialNumber": "${B}"}`, B],
    ['placeholder', `{${head}, "serialNumber": "${ZERO}", ${body}}`, undefined],
    // a usable serial number first stops hashing the bytes: the placeholder after it needs them hashed again
    ['replaced by the placeholder', `{${head}, "serialNumber": "${A}", ${body}, "serialNumber": "${ZERO}"}`, undefined],
  ];
  for (const [name, text, serial] of docs) {
    const f = join(dir, `${name}.cdx.json`);
    writeFileSync(f, text);
    const input = await readSbom(f);
    assert.equal(input.key, serial ?? `sha256:${createHash('sha256').update(text).digest('hex')}`, name);
    assert.deepEqual(input.graph.components.map((c) => c.id), [`${input.key}#a`], name);
    assert.deepEqual(input.roots, [`${input.key}#a`], name);
  }
});
