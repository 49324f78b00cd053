import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElixirTerm } from '../../src/terms/index.js';
import { assertTermError, plain } from './helpers.js';

const p = (text: string) => plain(parseElixirTerm(text, 'mix.lock'));
const fails = (text: string, pattern: RegExp, line: number, column: number) =>
  assertTermError(() => parseElixirTerm(text, 'mix.lock'), 'mix.lock', pattern, line, column);

test('a mix.lock map with quoted keyword keys and a trailing comma', () => {
  const text = '%{\n  "jason": {:hex, :jason, "1.4.0", "ab", [:mix], [{:decimal, "~> 1.0", [hex: :decimal, optional: true]}], "hexpm", "cd"},\n}\n';
  assert.deepEqual(p(text), {
    map: [
      [
        { atom: 'jason' },
        {
          tuple: [
            { atom: 'hex' },
            { atom: 'jason' },
            { binary: '1.4.0' },
            { binary: 'ab' },
            [{ atom: 'mix' }],
            [{ tuple: [{ atom: 'decimal' }, { binary: '~> 1.0' }, [{ tuple: [{ atom: 'hex' }, { atom: 'decimal' }] }, { tuple: [{ atom: 'optional' }, { atom: 'true' }] }]] }],
            { binary: 'hexpm' },
            { binary: 'cd' },
          ],
        },
      ],
    ],
  });
});

test('the 2014 keyword-list lock is a list of {atom, value} pairs', () => {
  assert.deepEqual(p('[ "cowboy": {:git, "u", "s", []},\n  "plug": {:git, "u2", "s2", [ref: "0.4.0"]} ]'), [
    { tuple: [{ atom: 'cowboy' }, { tuple: [{ atom: 'git' }, { binary: 'u' }, { binary: 's' }, []] }] },
    { tuple: [{ atom: 'plug' }, { tuple: [{ atom: 'git' }, { binary: 'u2' }, { binary: 's2' }, [{ tuple: [{ atom: 'ref' }, { binary: '0.4.0' }] }]] }] },
  ]);
});

test('atoms: plain, ?/! suffixes, quoted, true/false/nil', () => {
  assert.deepEqual(p('[:a, :ok?, :b!, :"foo-bar", :\'foo bar\', :Foo, :a@b, true, false, nil]'), [
    'a',
    'ok?',
    'b!',
    'foo-bar',
    'foo bar',
    'Foo',
    'a@b',
    'true',
    'false',
    'nil',
  ].map((atom) => ({ atom })));
});

test('maps with => keys, keyword tails in maps, lists and tuples', () => {
  assert.deepEqual(p('%{"k" => 1, a: 2}'), { map: [[{ binary: 'k' }, { integer: 1 }], [{ atom: 'a' }, { integer: 2 }]] });
  assert.deepEqual(p('[1, a: 2]'), [{ integer: 1 }, { tuple: [{ atom: 'a' }, { integer: 2 }] }]);
  // {:a, b: 1} is {:a, [b: 1]}.
  assert.deepEqual(p('{:a, b: 1, c: 2}'), {
    tuple: [{ atom: 'a' }, [{ tuple: [{ atom: 'b' }, { integer: 1 }] }, { tuple: [{ atom: 'c' }, { integer: 2 }] }]],
  });
  assert.deepEqual(p('{}'), { tuple: [] });
  assert.deepEqual(p('%{}'), { map: [] });
});

test('strings and charlists with Elixir escapes', () => {
  assert.deepEqual(p('"a\\nb\\tc\\s\\x41\\u00e9\\u{1F600}\\"\\\\\\#{x}\\e\\a\\0"'), { binary: 'a\nb\tc A\u00e9\u{1F600}"\\#{x}\x1b\x07\0' });
  assert.deepEqual(p("'it\\'s'"), { charlist: "it's" });
  assert.deepEqual(p('"line\\\ncontinued"'), { binary: 'linecontinued' });
});

test('binaries hold bytes: UTF-8 byte lists read as text, nested binaries join by bytes', () => {
  assert.deepEqual(p('[<<230, 151, 165>>, <<"日", 0xE6, 0x97, 0xA5>>, <<233::utf8>>, <<233>>, <<<<233>>, "x">>]'), [
    { binary: '日' },
    { binary: '日日' },
    { binary: 'é' },
    { binary: '\u00e9' },
    { binary: '\u00e9x' },
  ]);
});

test('binaries <<>> and numbers', () => {
  assert.deepEqual(p('<<"ab", 67, "d"::binary>>'), { binary: 'abCd' });
  assert.deepEqual(p('[1_000, 0xFF, 0o17, 0b101, -3, 1.5, 2.0e-2, ?a, 99999999999999999999]'), [
    { integer: 1000 },
    { integer: 255 },
    { integer: 15 },
    { integer: 5 },
    { integer: -3 },
    { float: 1.5 },
    { float: 0.02 },
    { integer: 97 },
    { integer: 99999999999999999999n },
  ]);
});

test('positions: each term and keyword key carry line:column', () => {
  const t = parseElixirTerm('%{\n  "jason": {:hex,\n     :jason}}', 'f');
  assert.ok(t.kind === 'map');
  const [k, v] = t.entries[0]!;
  assert.deepEqual(k.loc, { line: 2, column: 3 });
  assert.deepEqual(v.loc, { line: 2, column: 12 });
  assert.ok(v.kind === 'tuple');
  assert.deepEqual(v.items[1]!.loc, { line: 3, column: 6 });
});

test('positions: columns count code points, so a character outside the BMP is one column', () => {
  const t = parseElixirTerm('%{"\u{1F600}\u{1F600}": {:hex,\n  "\u00e9\u{1F600}", :x, \'\u{1D11E}\', :y}}', 'f');
  assert.ok(t.kind === 'map');
  const [k, v] = t.entries[0]!;
  assert.deepEqual(k.loc, { line: 1, column: 3 });
  assert.deepEqual(v.loc, { line: 1, column: 9 });
  assert.ok(v.kind === 'tuple');
  assert.deepEqual(v.items.map((i) => i.loc), [
    { line: 1, column: 10 },
    { line: 2, column: 3 },
    { line: 2, column: 9 },
    { line: 2, column: 13 },
    { line: 2, column: 18 },
  ]);
  fails('["\u{1F600}", \u{1F600}]', /unexpected character '\u{1F600}'/u, 1, 7);
  // a long line of them stays linear: each column goes on from the last one worked out
  const long = `[${'"\u{1F600}", '.repeat(50_000)}:end]`;
  const list = parseElixirTerm(long, 'f');
  assert.ok(list.kind === 'list');
  assert.deepEqual(list.items.at(-1)!.loc, { line: 1, column: 2 + 50_000 * 5 });
});

test('the corpus garbage line fails at its first token', () => {
  fails('invalid\n154+"+*ç%+"*ç%+*\n', /unexpected identifier 'invalid'/, 1, 1);
});

test('errors are one located line', () => {
  fails('%{"a": {:hex, "x}', /unterminated string/, 1, 15);
  fails("%{a: 'x", /unterminated charlist/, 1, 6);
  fails('%{a: 1 b: 2}', /unexpected keyword key 'b:', expected ',' or '}' in map/, 1, 8);
  fails('[a: 1, 2]', /keyword entries must come last/, 1, 8);
  fails('%{a:1}', /keyword key 'a:' must be followed by a space/, 1, 5);
  fails('%{"k" 1}', /expected '=>' after map key/, 1, 7);
  fails('{1, 2} {3}', /expected end of input after the term/, 1, 8);
  fails('"#{System.cmd("rm")}"', /interpolation is not allowed/, 1, 1);
  fails('%{a: ~s(x)}', /unexpected sigil ~s/, 1, 6);
  fails('%{a: File.read!("x")}', /unexpected alias 'File'/, 1, 6);
  fails('[1 + 2]', /unexpected character '\+'/, 1, 4);
  fails('%{\n  a: \u0001}', /unexpected character/, 2, 6);
  fails('', /unexpected end of input/, 1, 1);
  fails('"\\u{D800}"', /invalid code point/, 1, 2);
  fails('[0x]', /expected a base-16 digit/, 1, 4);
});
