import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanJson, scanJsonFile } from '../../../src/sbom/readers/json-scan.js';
import { BeambakeError } from '../../../src/util/errors.js';
import { corpusDir } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp.js';

/** Re-assemble a document from the scanner's events. */
async function roundTrip(bytes: Uint8Array, chunkSize: number, streamKeys: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  await scanJson(chunks, 'doc.json', {
    streamed: (k) => streamKeys.includes(k),
    onElement(k, v, i) {
      const arr = (out[k] ??= []) as unknown[];
      assert.equal(arr.length, i);
      arr.push(v);
    },
    onValue(k, v) {
      out[k] = v;
    },
  });
  return out;
}

const corpusFiles = [
  'spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json',
  'spdx/vulnscout/recipe-cairo.spdx.json',
  'cyclonedx/mix_sbom-self/bom.cdx.json',
  'cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json',
];

test('scanner reproduces JSON.parse on real SBOMs for any chunk size', async () => {
  for (const f of corpusFiles) {
    const bytes = readFileSync(join(corpusDir, f));
    const expected = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    for (const size of [1, 7, 4096, 1 << 20]) {
      if (size === 1 && bytes.length > 100_000) continue;
      const got = await roundTrip(bytes, size, ['@graph', 'packages', 'relationships', 'components', 'dependencies']);
      assert.deepEqual(got, expected, `${f} with chunk size ${size}`);
    }
  }
});

test('escaped quotes and backslashes across chunk boundaries', async () => {
  const doc = { a: ['x\\"y', '\\\\', 'q"\\', { k: 'v\\\\"w' }], b: 'end\\', c: 12.5e3, d: [true, null, -1] };
  const bytes = Buffer.from(JSON.stringify(doc, null, 1));
  for (let size = 1; size < 12; size++) {
    assert.deepEqual(await roundTrip(bytes, size, ['a', 'd']), doc);
  }
});

test('malformed input gives SBOM_PARSE with line and column', async () => {
  const cases: [string, number, number][] = [
    ['{"a": [1, 2,, 3]}', 1, 13],
    ['{\n  "packages": [\n    {"name": "x",}\n  ]\n}', 3, 5],
    ['[1, 2]', 1, 1],
    ['{"a": 1', 1, 8],
    ['{"a": 1} x', 1, 10],
    ['', 1, 1],
  ];
  for (const [text, line, column] of cases) {
    await assert.rejects(
      roundTrip(Buffer.from(text), 3, ['a', 'packages']),
      (e: unknown) => {
        assert.ok(e instanceof BeambakeError, String(e));
        assert.equal(e.code, 'SBOM_PARSE');
        assert.equal(e.location.file, 'doc.json');
        assert.equal(e.location.line, line, `${JSON.stringify(text)}: ${e.format()}`);
        assert.ok(e.location.column! >= column, `${JSON.stringify(text)}: ${e.format()}`);
        return true;
      },
    );
  }
});

test('a file read again for an error position gives the position counted while scanning', async () => {
  const dir = makeTempDir('json-scan-pos-');
  const texts = [
    '{"a": [1, 2,, 3]}',
    '{\n  "packages": [\n    {"name": "x",}\n  ]\n}',
    '{\n  "packages": [\n    {"name": "x"},\n    {"name":\n "y" "z"}\n  ]\n}',
    '\n\n{"a": 1',
    '{"a": 1}\n\n  x',
    '{\n "b": {"c": [1,\n 2 3]}\n}',
    '\n',
  ];
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof BeambakeError, String(e));
      return { ...e.location, file: undefined, message: e.message };
    }
    assert.fail('no error');
  };
  for (const [k, text] of texts.entries()) {
    const f = join(dir, `doc${k}.json`);
    writeFileSync(f, text);
    const handlers = { streamed: (key: string) => key === 'a' || key === 'packages', onElement() {}, onValue() {} };
    const counted = await failure(scanJson([Buffer.from(text)], f, handlers));
    assert.deepEqual(await failure(scanJsonFile(f, handlers)), counted, JSON.stringify(text));
  }
});

/** Elements that exercise the run reading of pretty-printed arrays: nested objects and lists, escaped newlines before braces, non-ASCII. */
function elements(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `pkg-${i} é€😀`,
    nested: { deeper: { list: [{ k: i }, { k: '\n    }' }] } },
    text: `ends like an element:\n    },\n    {${i % 7 === 0 ? '\\' : ''}`,
    hashes: [{ alg: 'SHA-256', content: 'ab'.repeat(32) }],
    ...(i % 5 === 0 ? { empty: {}, none: [] } : {}),
  }));
}

test('pretty-printed streamed arrays (read in runs) give the elements, order and indices of the byte scanner', async () => {
  const doc = { spdxVersion: 'SPDX-2.3', packages: elements(3000), relationships: [{ a: 1 }, 'x', 2, { b: [] }], tail: { x: 1 } };
  const layouts = [JSON.stringify(doc, null, 2), JSON.stringify(doc, null, 4), JSON.stringify(doc, null, '\t'), JSON.stringify(doc, null, 2).replace(/\n/g, '\r\n'), JSON.stringify(doc)];
  for (const [k, text] of layouts.entries()) {
    const bytes = Buffer.from(text);
    assert.ok(bytes.length > 3 << 16, 'more than a few runs');
    for (const size of [1 << 20, 4096, 777]) {
      assert.deepEqual(await roundTrip(bytes, size, ['packages', 'relationships']), doc, `layout ${k}, chunks of ${size}`);
    }
  }
});

test('compact arrays whose nested objects begin like their elements (nested components) read right, in runs or not', async () => {
  const components = Array.from({ length: 4000 }, (_, i) => ({
    type: 'library',
    name: `c${i}`,
    ...(i % 3 === 0 ? { components: [{ type: 'file', name: `f${i}` }, { type: 'file', name: `g${i}`, hashes: [{ alg: 'SHA-1', content: 'ab' }] }] } : {}),
  }));
  const doc = { bomFormat: 'CycloneDX', components, dependencies: components.map((c) => ({ ref: c.name, dependsOn: [] })) };
  for (const text of [JSON.stringify(doc), JSON.stringify(doc).replace(/\},\{/g, '}, {'), JSON.stringify(doc).replace(/\},\{"type":"library"/g, '},\n{"type":"library"')]) {
    for (const size of [1 << 20, 1000]) assert.deepEqual(await roundTrip(Buffer.from(text), size, ['components', 'dependencies']), doc);
  }
});

test('a layout the runs do not fit (a nested brace at the element indentation) is read element by element, right', async () => {
  const text = '{\n  "packages": [\n    {"a": {\n    },\n    "b": 1\n    },\n    {"c": {"d": [\n    ]}\n    },\n    {"e": 2}\n  ]\n}';
  for (const size of [1 << 20, 5]) assert.deepEqual(await roundTrip(Buffer.from(text), size, ['packages']), JSON.parse(text));
});

test('an error inside a run (pretty-printed or compact): the elements before it are handed over, then its line, column and entry', async () => {
  const dir = makeTempDir('json-scan-run-');
  const good = elements(400);
  for (const indent of [2, 0]) {
    const text = JSON.stringify({ packages: [...good, { name: 'broken' }, ...elements(50)] }, null, indent);
    const bad = text.replace(/"name": ?"broken"/, (m) => `${m},`);
    const line = indent ? bad.split('\n').findIndex((l) => l.includes('"broken",')) + 2 : 1; // the line after the trailing comma
    // columns count bytes (the scanner's positions are byte offsets)
    const column = indent ? 5 : Buffer.byteLength(bad.slice(0, bad.indexOf('"broken",') + '"broken",'.length)) + 1;
    const f = join(dir, `bad${indent}.json`);
    writeFileSync(f, bad);
    for (const scan of [(h: Parameters<typeof scanJsonFile>[1]) => scanJsonFile(f, h), (h: Parameters<typeof scanJsonFile>[1]) => scanJson([Buffer.from(bad)], f, h)]) {
      const seen: unknown[] = [];
      await assert.rejects(
        scan({ streamed: (k) => k === 'packages', onElement: (_k, v) => seen.push(v), onValue() {} }),
        (e: unknown) => {
          assert.ok(e instanceof BeambakeError, String(e));
          assert.equal(e.code, 'SBOM_PARSE');
          assert.equal(e.location.entry, 'packages[400]', e.format());
          assert.equal(e.location.line, line, e.format());
          assert.equal(e.location.column, column, e.format());
          return true;
        },
      );
      assert.deepEqual(seen, good);
    }
  }
});
