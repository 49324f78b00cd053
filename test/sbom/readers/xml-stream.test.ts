import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readXmlStream, MAX_XML_DEPTH, type XmlValue } from '../../../src/sbom/readers/xml-stream.js';
import { BeambakeError } from '../../../src/util/errors.js';
import { makeTempDir } from '../../helpers/temp.js';

const dir = makeTempDir('xml-stream-');
let n = 0;
function file(text: string | Buffer): string {
  const f = join(dir, `doc${n++}.xml`);
  writeFileSync(f, text);
  return f;
}

function collect(path: string, streamedPath = 'a/list/item') {
  const got: { path: string; value: XmlValue; index: number }[] = [];
  const doc = readXmlStream(path, {
    arrays: new Set(['x']),
    streamed: (p) => p === streamedPath,
    onElement: (p, _uri, value, index) => got.push({ path: p, value, index }),
  });
  return { doc, got };
}

async function refusal(path: string): Promise<string> {
  try {
    await collect(path).doc;
  } catch (e) {
    assert.ok(e instanceof BeambakeError, String(e));
    assert.ok(!e.format().includes('\n'), e.format());
    return e.format();
  }
  return assert.fail('accepted');
}

test('values have the attribute/children/#text shape; repeated and listed names are lists', async () => {
  const { doc, got } = collect(file('<a xmlns="urn:t" k="v"><b> text </b><c/><x>1</x><d>1</d><d>2</d><e id="i">t</e></a>'));
  const d = await doc;
  assert.equal(d.name, 'a');
  assert.equal(d.uri, 'urn:t');
  assert.deepEqual(d.value, { xmlns: 'urn:t', k: 'v', b: 'text', c: '', x: ['1'], d: ['1', '2'], e: { id: 'i', '#text': 't' } });
  assert.equal(got.length, 0);
});

test('streamed elements are handed over in order with their index and kept out of the tree', async () => {
  const { doc, got } = collect(file('<a><list><item n="1"><x>p</x></item><item>two</item></list><tail>t</tail></a>'));
  const d = await doc;
  assert.deepEqual(d.value, { list: '', tail: 't' });
  assert.deepEqual(got, [
    { path: 'a/list/item', value: { n: '1', x: ['p'] }, index: 0 },
    { path: 'a/list/item', value: 'two', index: 1 },
  ]);
});

test('multi-byte characters split across read chunks, CDATA and entities come through whole', async () => {
  const items = Array.from({ length: 40_000 }, (_, i) => `<item>é€😀${i}&amp;<![CDATA[<c>]]></item>`).join('');
  const { doc, got } = collect(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<a><list>${items}</list></a>`)])));
  await doc;
  assert.equal(got.length, 40_000);
  assert.ok(got.every((g, i) => g.value === `é€😀${i}&<c>`), 'every item text intact');
});

test('a surrogate pair, CR LF and an entity cut where the parser is fed in pieces (64 KiB) come through whole', async () => {
  const PIECE = 1 << 16;
  let text = '<a><list>';
  // each item ends so that the cut falls inside what follows it
  const item = (fill: string, at: number, tail: string) => {
    text += `<item>${fill.repeat(at - text.length - '<item>'.length)}${tail}</item>`;
  };
  item('p', PIECE - 1, '\u{1F600}'); // high surrogate the last unit of piece 1
  item('q', 2 * PIECE - 1, '\r\nr'); // CR ends piece 2
  item('s', 3 * PIECE - 2, '&amp;'); // "&a" ends piece 3
  text += '</list></a>';
  assert.equal(text.charCodeAt(PIECE - 1), 0xd83d);
  assert.equal(text[2 * PIECE - 1], '\r');
  assert.equal(text.slice(3 * PIECE - 2, 3 * PIECE), '&a');
  const { doc, got } = collect(file(text));
  await doc;
  assert.deepEqual(
    got.map((g) => g.value),
    [`${'p'.repeat(PIECE - 1 - 15)}\u{1F600}`, `${'q'.repeat(2 * PIECE - 1 - text.indexOf('<item>q') - 6)}\nr`, `${'s'.repeat(3 * PIECE - 2 - text.indexOf('<item>s') - 6)}&`],
  );
  // a mistake after the first pieces is still placed where it is
  assert.match(await refusal(file(`<a><list>${'<item>x</item>\n'.repeat(20_000)}<item></list></a>`)), /doc\d+\.xml:20001:\d+: invalid XML: /);
});

test('bad XML: one line with the place, before any element of the broken part is handed over', async () => {
  assert.match(await refusal(file('<a>\n  <list><item>x</list>\n</a>')), /doc\d+\.xml:2:\d+: invalid XML: /);
  assert.match(await refusal(file('<a>&nosuch;</a>')), /invalid XML: undefined entity/);
  assert.match(await refusal(file('<a><b></a>')), /invalid XML/);
  assert.match(await refusal(file('<a/><b/>')), /invalid XML/);
  assert.match(await refusal(file('')), /invalid XML/);
  assert.match(await refusal(file('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e "x">]>\n<a>&e;</a>')), /doc\d+\.xml:2:1: XML with a document type declaration/);
  const deep = '<e>'.repeat(MAX_XML_DEPTH + 1) + '</e>'.repeat(MAX_XML_DEPTH + 1);
  assert.match(await refusal(file(deep)), /nested too deeply/);
});
