/**
 * SHACL validation in batches of elements must report exactly what
 * validating the whole document reports: the same violations on the same
 * nodes, each once. Checked on the real OpenEmbedded SPDX 3.0.1 document
 * (5,585 violations) and on beambake's own output with violations planted in
 * different batches, including one on the shared CreationInfo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSpdx3Shacl, type ShaclResult } from '../../../src/sbom/check/shacl.js';
import { shaclBatches } from '../../../src/sbom/check/shacl-batches.js';
import { readSbom } from '../../../src/sbom/readers/index.js';
import { mergeSboms } from '../../../src/sbom/merge/index.js';
import { writeSbom } from '../../../src/sbom/writers/index.js';
import { corpusDir, schemasDir } from '../../helpers/paths.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SHAPES = { modelPath: join(schemasDir, 'spdx-3.0.1-model.ttl'), contextPath: join(schemasDir, 'spdx-3.0.1-context.jsonld'), listLimit: 1e9 };

/**
 * Blank node labels differ between runs of the JSON-LD algorithm (and batches name a shared blank
 * node by its document label, `_:creationinfo`): compared as "(blank)".
 */
function signature(r: ShaclResult): string[] {
  const blank = (s: string | undefined) => (s !== undefined && /^(b\d+|_:.*)$/.test(s) ? '(blank)' : (s ?? ''));
  return r.violations.map((v) => `${blank(v.focusNode)} | ${v.path ?? ''} | ${v.component} | ${blank(v.value)}`).sort();
}

async function sameBothWays(doc: J, batchSize: number): Promise<ShaclResult> {
  assert.ok((shaclBatches(doc, batchSize)?.length ?? 0) > 2, 'the document is split into several batches');
  const whole = await validateSpdx3Shacl(doc, { ...SHAPES, batchSize: 1e9 });
  const batched = await validateSpdx3Shacl(doc, { ...SHAPES, batchSize });
  assert.equal(batched.total, whole.total);
  assert.equal(batched.conforms, whole.conforms);
  assert.deepEqual(signature(batched), signature(whole));
  return batched;
}

test('the real OpenEmbedded SPDX 3.0.1 document: the same 5,585 violations whole and in batches of 37 elements', async () => {
  const oe = JSON.parse(readFileSync(join(corpusDir, 'spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json'), 'utf8')) as J;
  const r = await sameBothWays(oe, 37);
  assert.equal(r.total, 5585);
});

test("beambake's own SPDX 3: violations planted in different batches and on the shared CreationInfo are each reported once", async () => {
  const input = await readSbom(join(corpusDir, 'cyclonedx/mix_sbom-self/bom.cdx.json'));
  const merged = mergeSboms([input], { product: 'Demo', productVersion: '1', manufacturer: 'Acme', timestamp: new Date(1700000000000) });
  const doc = JSON.parse(writeSbom(merged.graph, 'spdx3-json')) as J;
  const clean = await sameBothWays(doc, 5);
  assert.equal(clean.conforms, true, JSON.stringify(clean.violations.slice(0, 3)));

  const graph = doc['@graph'] as J[];
  const packages = graph.filter((e) => e.type === 'software_Package');
  assert.ok(packages.length >= 6);
  const ns = String(packages[0]!.spdxId).replace(/#.*$/, '');
  delete packages[1]!.creationInfo; // sh:minCount, in an early batch
  packages[packages.length - 1]!.software_packageVersion = ['1', '2']; // sh:maxCount, in a late batch
  graph.push({ type: 'Artifact', spdxId: `${ns}#SPDXRef-abstract`, creationInfo: '_:creationinfo', name: 'abstract' }); // abstract class
  graph.push({ type: 'Relationship', spdxId: `${ns}#SPDXRef-rel-nowhere`, creationInfo: '_:creationinfo', from: packages[2]!.spdxId, relationshipType: 'dependsOn', to: [`${ns}#SPDXRef-nowhere`] }); // sh:class of a node no batch defines
  packages[3]!.verifiedUsing = [{ type: 'Hash', algorithm: 'sha256' }]; // an inline blank node without hashValue
  const creation = graph.find((e) => e['@id'] === '_:creationinfo' || e.spdxId === '_:creationinfo')!;
  delete creation.created; // the shared node every batch carries
  const planted = await sameBothWays(doc, 5);
  assert.equal(planted.conforms, false);
  const on = (focus: string) => planted.violations.filter((v) => v.focusNode === focus).map((v) => v.component);
  assert.deepEqual(on('_:creationinfo'), ['MinCountConstraintComponent'], 'the shared CreationInfo: once, under its own label');
  assert.ok(on(packages[1]!.spdxId).includes('MinCountConstraintComponent'));
  assert.ok(on(packages[packages.length - 1]!.spdxId).includes('MaxCountConstraintComponent'));
  assert.ok(on(`${ns}#SPDXRef-rel-nowhere`).includes('ClassConstraintComponent'));
  assert.ok(on(`${ns}#SPDXRef-abstract`).length > 0);
  assert.ok(planted.violations.some((v) => /^b\d+$/.test(v.focusNode) && /hashValue$/.test(v.path ?? '')), 'the inline Hash without hashValue');
});

test('a node defined by two elements is validated whole (batches would split its properties)', () => {
  const el = (i: number): J => ({ type: 'software_Package', spdxId: `urn:x#p${i}`, creationInfo: '_:c', name: `p${i}` });
  const doc: J = { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [{ type: 'CreationInfo', '@id': '_:c', specVersion: '3.0.1' }, ...Array.from({ length: 10 }, (_, i) => el(i))] };
  assert.equal(shaclBatches(doc, 3)?.length, 4);
  doc['@graph'].push({ ...el(1), name: 'again' });
  assert.equal(shaclBatches(doc, 3), undefined);
  assert.equal(shaclBatches(doc, 100), undefined, 'small documents are validated whole');
});
