import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseErlangTerms } from '../../src/terms/index.js';
import { needTools } from '../helpers/toolchain.js';
import { assertTermError, plain } from './helpers.js';

const fails = (text: string, pattern: RegExp, line: number, column: number) =>
  assertTermError(() => parseErlangTerms(text, 'x.config'), 'x.config', pattern, line, column);

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

test('binaries hold bytes: UTF-8 byte lists and /utf8 segments read as text, other bytes one character each', () => {
  const [t] = parseErlangTerms('[<<230,151,165>>, <<"a", 230,151,165, "b">>, <<"日本"/utf8>>, <<"Ã©">>, <<233/utf8>>, <<233>>, <<239,187,191,65>>].', 'f');
  assert.deepEqual(plain(t!), [
    { binary: '日' },
    { binary: 'a日b' },
    { binary: '日本' },
    { binary: 'é' },
    { binary: 'é' },
    { binary: '\u00e9' },
    { binary: '\ufeffA' },
  ]);
  // A character or integer keeps its low 8 bits, as file:consult keeps them: 日 (U+65E5) is the byte 0xE5.
  assert.deepEqual(plain(parseErlangTerms('[<<"a日">>, <<256>>, <<-1>>].', 'f')[0]!), [{ binary: 'a\u00e5' }, { binary: '\0' }, { binary: '\u00ff' }]);
});

test('binaries read as Erlang reads them: file:consult, then UTF-8 text when valid, else one character per byte', (t) => {
  if (!needTools(t, 'erl')) return;
  const literals = ['<<230,151,165>>', '<<"x", 195,169, "y">>', '<<"é">>', '<<"é"/utf8>>', '<<"Ã©">>', '<<233/utf8>>', '<<255,254>>', '<<$a, $é>>', '<<239,187,191>>', '<<>>'];
  const dir = mkdtempSync(join(tmpdir(), 'beambake-terms-'));
  try {
    const file = join(dir, 'b.config');
    writeFileSync(file, literals.map((l) => `${l}.\n`).join(''));
    const script = `{ok, Bs} = file:consult("${file}"),
      Text = fun(B) -> case unicode:characters_to_list(B, utf8) of L when is_list(L) -> L; _ -> binary_to_list(B) end end,
      [io:format("~w~n", [Text(B)]) || B <- Bs], halt().`;
    const r = spawnSync('erl', ['-noshell', '-eval', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const erlang = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as number[]);
    const ours = parseErlangTerms(readFileSync(file, 'utf8'), file).map((term) => {
      assert.equal(term.kind, 'binary');
      return [...(term as { value: string }).value].map((c) => c.codePointAt(0));
    });
    assert.equal(ours.length, literals.length);
    assert.deepEqual(ours, erlang);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  fails('fun foo/1.', /unexpected '\/', expected ':' after the module of a fun/, 1, 8);
  fails('fun m:f/A.', /unexpected variable A, expected the arity/, 1, 9);
  fails('[a | b, c].', /unexpected ',', expected '\]' after the tail of a list/, 1, 7);
  fails('#rec{a = 1}.', /records are not supported/, 1, 1);
  fails('<<1:7/float>>.', /a float segment must be 16, 32 or 64 bits/, 1, 3);
  fails('{a}.b.', /unexpected 'b' after '\.'/, 1, 5);
  fails('"\\x{110000}".', /invalid code point/, 1, 2);
  fails('37#1.', /invalid number base 37/, 1, 1);
});
