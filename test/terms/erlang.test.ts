import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseErlangTerms, type Term } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';

/** Strip positions so structures compare by value. */
function plain(t: Term): unknown {
  switch (t.kind) {
    case 'tuple':
      return { tuple: t.items.map(plain) };
    case 'list':
      return t.items.map(plain);
    case 'map':
      return { map: t.entries.map(([k, v]) => [plain(k), plain(v)]) };
    default:
      return { [t.kind]: t.value };
  }
}

function fails(text: string, pattern: RegExp, line: number, column: number): void {
  assert.throws(
    () => parseErlangTerms(text, 'x.config'),
    (e: unknown) => {
      assert.ok(e instanceof BeambakeError);
      assert.equal(e.code, 'TERM_PARSE');
      assert.match(e.message, pattern);
      assert.deepEqual([e.location.file, e.location.line, e.location.column], ['x.config', line, column]);
      assert.equal(e.format().split('\n').length, 1);
      return true;
    },
  );
}

test('a rebar.lock shaped sequence of terms', () => {
  const terms = parseErlangTerms('{"1.2.0",\n[{<<"a">>,{pkg,<<"a">>,<<"1.0.0">>},0}]}.\n[{pkg_hash,[]}].\n', 'rebar.lock');
  assert.equal(terms.length, 2);
  assert.deepEqual(plain(terms[0]!), {
    tuple: [{ charlist: '1.2.0' }, [{ tuple: [{ binary: 'a' }, { tuple: [{ atom: 'pkg' }, { binary: 'a' }, { binary: '1.0.0' }] }, { integer: 0 }] }]],
  });
  assert.deepEqual(plain(terms[1]!), [{ tuple: [{ atom: 'pkg_hash' }, []] }]);
});

test('positions are 1-based line:column of each term, columns in code points', () => {
  const [t] = parseErlangTerms('%% comment\n  {ok, "é", [x,\n   y]}.', 'f');
  assert.ok(t && t.kind === 'tuple');
  assert.deepEqual(t.loc, { line: 2, column: 3 });
  assert.deepEqual(t.items[1]!.loc, { line: 2, column: 8 });
  const list = t.items[2]!;
  assert.ok(list.kind === 'list');
  assert.deepEqual(list.items[1]!.loc, { line: 3, column: 4 });
  // After a non-ASCII character the column still counts one per character.
  assert.deepEqual(t.items[2]!.loc, { line: 2, column: 13 });
});

test('atoms: plain, with @ and digits, quoted with escapes', () => {
  const [t] = parseErlangTerms("[ok, node@host, a1_B, 'RLX_LOG', 'with space', 'it\\'s', true].", 'f');
  assert.deepEqual(plain(t!), ['ok', 'node@host', 'a1_B', 'RLX_LOG', 'with space', "it's", 'true'].map((atom) => ({ atom })));
});

test('string escapes follow Erlang: \\n \\t \\s \\e \\d \\^G octal \\x and \\x{...}', () => {
  const [t] = parseErlangTerms('"a\\nb\\tc\\sd\\e\\d\\^G\\101\\x41\\x{1F600}\\"\\\\\\z".', 'f');
  assert.deepEqual(plain(t!), { charlist: 'a\nb\tc d\x1b\x7f\x07AA\u{1F600}"\\z' });
});

test('adjacent strings concatenate, as in .app.src links', () => {
  const [t] = parseErlangTerms('{"Blog", "https://a/"\n  %% between\n  "b"}.', 'f');
  assert.deepEqual(plain(t!), { tuple: [{ charlist: 'Blog' }, { charlist: 'https://a/b' }] });
});

test('binaries: strings, /utf8, bytes, empty', () => {
  const [t] = parseErlangTerms('[<<"ab">>, <<"é"/utf8>>, <<65,66>>, <<>>, <<"a", "b">>].', 'f');
  assert.deepEqual(plain(t!), [{ binary: 'ab' }, { binary: 'é' }, { binary: 'AB' }, { binary: '' }, { binary: 'ab' }]);
});

test('numbers: negative, based, separators, chars, floats, big integers', () => {
  const [t] = parseErlangTerms('[-1, 16#FF, 2#1010, 1_000_000, $a, $\\n, 1.5, -2.5e-3, 1.0E3, 123456789012345678901234567890].', 'f');
  assert.deepEqual(plain(t!), [
    { integer: -1 },
    { integer: 255 },
    { integer: 10 },
    { integer: 1000000 },
    { integer: 97 },
    { integer: 10 },
    { float: 1.5 },
    { float: -0.0025 },
    { float: 1000 },
    { integer: 123456789012345678901234567890n },
  ]);
});

test('maps #{k => v} and proper list tails', () => {
  const [t] = parseErlangTerms('{#{provider => ex_doc, <<"k">> => [1]}, #{}, [a | [b, c]]}.', 'f');
  assert.deepEqual(plain(t!), {
    tuple: [
      { map: [[{ atom: 'provider' }, { atom: 'ex_doc' }], [{ binary: 'k' }, [{ integer: 1 }]]] },
      { map: [] },
      [{ atom: 'a' }, { atom: 'b' }, { atom: 'c' }],
    ],
  });
});

test('an empty lock `[].` and an empty file', () => {
  assert.deepEqual(plain(parseErlangTerms('[].\n', 'f')[0]!), []);
  assert.deepEqual(parseErlangTerms('%% nothing\n', 'f'), []);
});

test('errors are one located line', () => {
  fails('{a, b}', /unexpected end of input, expected '\.' after the term/, 1, 7);
  fails('{a, "b}.', /unterminated string/, 1, 5);
  fails("{a, 'b}.", /unterminated quoted atom/, 1, 5);
  fails('{a,\n  X}.', /unexpected variable X/, 2, 3);
  fails('{a, b ~ c}.', /unexpected '~'/, 1, 7);
  fails('{a b}.', /unexpected 'b', expected '\}' or ','/, 1, 4);
  fails('[a | b].', /improper lists/, 1, 4);
  fails('#rec{a = 1}.', /records are not supported/, 1, 1);
  fails('<<256>>.', /does not fit in a byte/, 1, 3);
  fails('{a}.b.', /unexpected 'b' after '\.'/, 1, 5);
  fails('"\\x{110000}".', /invalid code point/, 1, 2);
  fails('37#1.', /invalid number base 37/, 1, 1);
});
