import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { readProject } from '../../../src/lockfiles/index.js';
import { projectToSbomGraph } from '../../../src/sbom/from-project.js';
import { SBOM_FORMATS, writeSbom, writeSbomToStream } from '../../../src/sbom/writers/index.js';
import { validateCyclonedxJson, validateCyclonedxXml, validateSpdx23, validateSpdx3 } from '../../../src/sbom/check/schema.js';
import { validateSpdx3Shacl } from '../../../src/sbom/check/shacl.js';
import { emptyComponent, type SbomGraph } from '../../../src/sbom/model.js';
import { isBeambakeError } from '../../../src/util/errors.js';
import { corpusDir, schemasDir } from '../../helpers/paths.js';

const env = { SOURCE_DATE_EPOCH: '1700000000' };
const author = { name: 'Acme', email: 'sbom@acme.example' };

async function graphOf(dir: string, appVersion?: string): Promise<SbomGraph> {
  const project = await readProject(join(corpusDir, dir), appVersion ? { appVersion } : {});
  return projectToSbomGraph(project, { author, otpVersion: '26', ertsVersion: '14.2.5', env });
}

async function schemaProblems(graph: SbomGraph): Promise<Record<string, unknown[]>> {
  return {
    'cyclonedx-json': (await validateCyclonedxJson(JSON.parse(writeSbom(graph, 'cyclonedx-json')), '1.6')).problems,
    'cyclonedx-xml': (await validateCyclonedxXml(writeSbom(graph, 'cyclonedx-xml'), '1.6')).problems,
    'spdx2-json': (await validateSpdx23(JSON.parse(writeSbom(graph, 'spdx2-json')))).problems,
    'spdx3-json': (await validateSpdx3(JSON.parse(writeSbom(graph, 'spdx3-json')))).problems,
  };
}

for (const [dir, version] of [['mix/phoenix'], ['rebar/erlang_ls', '0.1.0'], ['gleam/gleam-packages'], ['mix/phoenix-integration_test']] as const) {
  test(`${dir}: all four formats are valid against the official schemas`, async () => {
    const problems = await schemaProblems(await graphOf(dir, version));
    assert.deepEqual(problems, { 'cyclonedx-json': [], 'cyclonedx-xml': [], 'spdx2-json': [], 'spdx3-json': [] });
  });
}

test('the schema validators reject a broken document (they can fail)', async () => {
  const doc = JSON.parse(writeSbom(await graphOf('mix/phoenix'), 'cyclonedx-json'));
  doc.components[0].type = 'no-such-type';
  assert.equal((await validateCyclonedxJson(doc, '1.6')).valid, false);
  const xml = writeSbom(await graphOf('mix/phoenix'), 'cyclonedx-xml').replace('<name>', '<nmae>').replace('</name>', '</nmae>');
  assert.equal((await validateCyclonedxXml(xml, '1.6')).valid, false);
  const s3 = JSON.parse(writeSbom(await graphOf('mix/phoenix'), 'spdx3-json'));
  delete s3['@graph'][0].created;
  assert.equal((await validateSpdx3(s3)).valid, false);
});

test('phoenix: purls, versions, SHA-256 and dependency edges in CycloneDX', async () => {
  const doc = JSON.parse(writeSbom(await graphOf('mix/phoenix'), 'cyclonedx-json'));
  const bandit = doc.components.find((c: { name: string }) => c.name === 'bandit');
  assert.equal(bandit.purl, 'pkg:hex/bandit@1.12.4');
  assert.equal(bandit.version, '1.12.4');
  assert.deepEqual(bandit.hashes, [{ alg: 'SHA-256', content: '84513318c5752a2a8017664450f889b47fae5d53d64698ddf1e4fb09a7449e8d' }]);
  const dep = doc.dependencies.find((d: { ref: string }) => d.ref === bandit['bom-ref']);
  // mix.lock: bandit requires hpax, plug, telemetry, thousand_island, websock
  const names = dep.dependsOn.map((ref: string) => doc.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === ref).name);
  assert.deepEqual(names, ['hpax', 'plug', 'telemetry', 'thousand_island', 'websock']);
  assert.ok(dep.dependsOn.every((ref: string) => ref.startsWith('pkg:hex/')));
  const root = doc.dependencies.find((d: { ref: string }) => d.ref === doc.metadata.component['bom-ref']);
  assert.ok(root.dependsOn.includes(bandit['bom-ref']), 'bandit is a direct dependency of phoenix');
  assert.ok(root.dependsOn.includes('otp:erts'));
  assert.equal(doc.metadata.component.purl, 'pkg:generic/phoenix@1.9.0-dev');
  const erts = doc.components.find((c: { name: string }) => c.name === 'erts');
  assert.equal(erts.purl, 'pkg:generic/erts@14.2.5?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Ferlang%2Fotp.git#erts');
  // the tool that wrote the SBOM is named with its version
  assert.ok(doc.metadata.tools.components.some((t: { name: string; version?: string }) => t.name === 'beambake' && /^\d+\.\d+\.\d+/.test(t.version ?? '')));
  assert.equal(doc.dependencies.length, doc.components.length + 1, 'every component has a dependencies entry');
  const complete = doc.compositions.find((c: { aggregate: string }) => c.aggregate === 'complete');
  assert.ok(complete.dependencies.includes(bandit['bom-ref']));
});

test('erlang_ls: git dependencies get pkg:github purls; rebar.lock dependencies are "unknown"', async () => {
  const doc = JSON.parse(writeSbom(await graphOf('rebar/erlang_ls', '0.1.0'), 'cyclonedx-json'));
  const g = doc.components.find((c: { name: string }) => c.name === 'gradualizer');
  assert.equal(g.purl, 'pkg:github/josefs/gradualizer@3021d29d82741399d131e3be38d2a8db79d146d4');
  assert.equal(g.version, '3021d29d82741399d131e3be38d2a8db79d146d4');
  const unknown = doc.compositions.find((c: { aggregate: string }) => c.aggregate === 'unknown');
  assert.ok(unknown.dependencies.includes(g['bom-ref']));
});

test('edges appear as DEPENDS_ON in SPDX 2.3 and dependsOn in SPDX 3', async () => {
  const graph = await graphOf('gleam/gleam-packages');
  const cell = graph.components.find((c) => c.name === 'cell')!;
  const stdlib = graph.components.find((c) => c.name === 'gleam_stdlib')!;
  const s2 = JSON.parse(writeSbom(graph, 'spdx2-json'));
  const id2 = (c: { name: string; version?: string }) => s2.packages.find((p: { name: string; versionInfo: string }) => p.name === c.name && p.versionInfo === c.version).SPDXID;
  assert.ok(s2.relationships.some((r: Record<string, string>) => r.spdxElementId === id2(cell) && r.relationshipType === 'DEPENDS_ON' && r.relatedSpdxElement === id2(stdlib)));
  const s3 = JSON.parse(writeSbom(graph, 'spdx3-json'));
  const pkgId = (c: { name: string }) => s3['@graph'].find((e: Record<string, string>) => e.type === 'software_Package' && e.name === c.name).spdxId;
  const rel = s3['@graph'].find((e: Record<string, unknown>) => e.type === 'Relationship' && e.from === pkgId(cell) && e.relationshipType === 'dependsOn');
  assert.deepEqual(rel.to, [pkgId(stdlib)]);
  assert.equal(rel.completeness, 'complete');
});

test('SPDX 3 without an author or manufacturer: beambake creates it as a SoftwareAgent, and the document is SHACL-conformant', async () => {
  const project = await readProject(join(corpusDir, 'mix/phoenix'), {});
  const graph = await projectToSbomGraph(project, { otpVersion: '26', ertsVersion: '14.2.5', env });
  assert.deepEqual([graph.metadata.authors, graph.metadata.manufacturer], [[], undefined]);
  const s3 = JSON.parse(writeSbom(graph, 'spdx3-json'));
  const byId = new Map<string, Record<string, unknown>>(s3['@graph'].filter((e: Record<string, unknown>) => e.spdxId).map((e: Record<string, string>) => [e.spdxId, e]));
  const ci = s3['@graph'].find((e: Record<string, unknown>) => e.type === 'CreationInfo');
  // createdBy names Agents (a Tool there is a SHACL violation); the tool stays in createdUsing
  assert.deepEqual(ci.createdBy.map((id: string) => byId.get(id)?.type), ['SoftwareAgent']);
  assert.match(String(byId.get(ci.createdBy[0])?.name), /^beambake \d/);
  assert.deepEqual(ci.createdUsing.map((id: string) => byId.get(id)?.type), ['Tool']);
  const shacl = await validateSpdx3Shacl(s3, { modelPath: join(schemasDir, 'spdx-3.0.1-model.ttl'), contextPath: join(schemasDir, 'spdx-3.0.1-context.jsonld') });
  assert.deepEqual(shacl.violations, []);
  assert.equal(shacl.conforms, true);
  // with an author, the author is the creator and no SoftwareAgent is written
  const authored = JSON.parse(writeSbom(await graphOf('mix/phoenix'), 'spdx3-json'));
  assert.equal(authored['@graph'].some((e: Record<string, unknown>) => e.type === 'SoftwareAgent'), false);
});

test('output is byte-identical across runs and independent of input order', async () => {
  const a = await graphOf('mix/phoenix');
  const b = await graphOf('mix/phoenix');
  b.components.reverse();
  b.edges.reverse();
  for (const f of SBOM_FORMATS) assert.equal(writeSbom(a, f), writeSbom(b, f), f);
});

test('SOURCE_DATE_EPOCH sets the timestamp; without it CycloneDX has none and the serial stays content-derived', async () => {
  const project = await readProject(join(corpusDir, 'mix/phoenix'));
  const withEpoch = JSON.parse(writeSbom(await projectToSbomGraph(project, { env: { SOURCE_DATE_EPOCH: '86400' } }), 'cyclonedx-json'));
  assert.equal(withEpoch.metadata.timestamp, '1970-01-02T00:00:00Z');
  const none = JSON.parse(writeSbom(await projectToSbomGraph(project, { env: {} }), 'cyclonedx-json'));
  assert.equal(none.metadata.timestamp, undefined);
  assert.match(none.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(none.serialNumber, withEpoch.serialNumber);
  const s3 = JSON.parse(writeSbom(await projectToSbomGraph(project, { env: { SOURCE_DATE_EPOCH: '86400' } }), 'spdx3-json'));
  assert.equal(s3['@graph'][0].created, '1970-01-02T00:00:00Z');
});

test('the streaming writer produces exactly the string writer output', async () => {
  const graph = await graphOf('mix/phoenix-integration_test');
  for (const f of SBOM_FORMATS) {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (d: Buffer) => parts.push(d));
    await writeSbomToStream(graph, f, sink);
    sink.end();
    assert.equal(Buffer.concat(parts).toString('utf8'), writeSbom(graph, f), f);
  }
});

/** A graph whose documents are several MiB (the streaming writer hands a stream 1 MiB at a time). */
function largeGraph(n: number): SbomGraph {
  const components: SbomGraph['components'] = [];
  const edges: SbomGraph['edges'] = [];
  for (let i = 0; i < n; i++) {
    const name = `lib${i}`;
    components.push({ ...emptyComponent(`c${i}`, name, 'library'), version: '1.0.0', purl: `pkg:generic/${name}@1.0.0`, description: 'x'.repeat(200) });
    if (i > 0) edges.push({ from: 'c0', to: `c${i}`, type: 'DEPENDS_ON' });
  }
  return { metadata: { name: 'big', root: 'c0', authors: [author], tools: [] }, components, edges, compositions: [], vex: [] };
}

test('the streaming writer gives a slow stream the whole document, and ends with the error of a failing one', async () => {
  const graph = largeGraph(12_000);
  const text = writeSbom(graph, 'cyclonedx-json');
  assert.ok(text.length > 4 * (1 << 20), 'several MiB: more than the writer lets a stream queue');
  const parts: Buffer[] = [];
  // each write completes a turn of the event loop later, as a file or a pipe does
  const slow = new Writable({ highWaterMark: 1 << 14, write: (chunk: Buffer, _enc, done) => (parts.push(chunk), setImmediate(done)) });
  await writeSbomToStream(graph, 'cyclonedx-json', slow);
  assert.equal(Buffer.concat(parts).toString('utf8'), text);
  let written = 0;
  const full = new Writable({ write: (chunk: Buffer, _enc, done) => ((written += chunk.length), setImmediate(() => done(written > 2 << 20 ? new Error('ENOSPC: no space left on device') : null))) });
  await assert.rejects(writeSbomToStream(graph, 'cyclonedx-json', full), /ENOSPC/);
  assert.ok(written < text.length, 'the writer stopped at the error');
});

test('an edge to a component that is not in the graph is refused before anything is written', async () => {
  const graph = await graphOf('mix/phoenix');
  graph.edges.push({ from: graph.metadata.root!, to: 'pkg:hex/ghost@1.0.0', type: 'DEPENDS_ON' });
  assert.throws(() => writeSbom(graph, 'cyclonedx-json'), (e) => isBeambakeError(e) && e.code === 'SBOM_GRAPH_INVALID' && /ghost/.test(e.message));
});

test('licences: CycloneDX keeps declared and concluded, compound expressions stay valid', async () => {
  const graph = await graphOf('mix/phoenix');
  const c = graph.components.find((x) => x.name === 'bandit')!;
  c.licenses = { declared: 'MIT OR Apache-2.0', concluded: 'MIT OR Apache-2.0' };
  const d = graph.components.find((x) => x.name === 'plug')!;
  d.licenses = { declared: 'Apache-2.0 AND MIT', concluded: 'Apache-2.0 AND MIT' };
  const doc = JSON.parse(writeSbom(graph, 'cyclonedx-json'));
  assert.deepEqual(doc.components.find((x: { name: string }) => x.name === 'bandit').licenses, [{ expression: 'MIT OR Apache-2.0', acknowledgement: 'concluded' }]);
  assert.equal(doc.components.find((x: { name: string }) => x.name === 'plug').licenses.length, 4);
  assert.deepEqual((await validateCyclonedxJson(doc, '1.6')).problems, []);
  assert.deepEqual((await validateCyclonedxXml(writeSbom(graph, 'cyclonedx-xml'), '1.6')).problems, []);
});
