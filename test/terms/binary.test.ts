/**
 * Issue 10: binary literals with bit syntax (sizes, units, types, signedness,
 * endianness; bitstrings) read to the bits `file:consult/1` builds, and what
 * it refuses is refused with one located line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseErlangTerms, type Term } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { needTools } from '../helpers/toolchain.js';
import { assertTermError, plain } from './helpers.js';
import { rng } from '../helpers/rng.js';

const fails = (text: string, pattern: RegExp, line: number, column: number) =>
  assertTermError(() => parseErlangTerms(text, 'x.config'), 'x.config', pattern, line, column);

test('bit syntax: sizes, units, types, signedness and endianness, as file:consult builds them', () => {
  const bytesOf = (text: string): number[] => {
    const [t] = parseErlangTerms(text, 'f');
    assert.ok(t && t.kind === 'binary', text);
    return [...Buffer.from(t.value, 'latin1')];
  };
  assert.deepEqual(bytesOf('<<1:16>>.'), [0, 1]);
  assert.deepEqual(bytesOf('<<1:4, 2:4>>.'), [0x12]);
  assert.deepEqual(bytesOf('<<1:8/unit:1, 1:2/unit:8>>.'), [1, 0, 1]);
  assert.deepEqual(bytesOf('<<-1:16/signed-little, 16#0102:16/little>>.'), [255, 255, 2, 1]);
  assert.deepEqual(bytesOf('<<3.0/float>>.'), [64, 8, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(bytesOf('<<1.5:32/float, 1.5:16/float, 3:32/float-little>>.'), [63, 192, 0, 0, 62, 0, 0, 0, 64, 64]);
  assert.deepEqual(bytesOf('<<"ab"/utf16, "x"/utf32-big, $a/utf16-little>>.'), [0, 97, 0, 98, 0, 0, 0, 120, 97, 0]);
  assert.deepEqual(bytesOf('<<16#1F600/utf16>>.'), [0xd8, 0x3d, 0xde, 0x00]);
  assert.deepEqual(bytesOf('<<<<1,2,3>>:2/binary, <<1:4>>/bits, 15:4, (-1), +$a>>.'), [1, 2, 0x1f, 255, 97]);
  assert.deepEqual(bytesOf('<<"a" "b":16/little>>.'), [97, 0, 98, 0]);
  assert.deepEqual(plain(parseErlangTerms('[<<1:4>>, <<16#abc:12/little>>, <<1:1, 0:1, 1:1, 0:1, 1:1, 0:1, 1:1, 0:1, 1:1>>].', 'f')[0]!), [
    { bitstring: [0x10], bits: 4 },
    { bitstring: [0xbc, 0xa0], bits: 12 },
    { bitstring: [0xaa, 0x80], bits: 9 },
  ]);
  fails('<<1:7/float>>.', /a float segment must be 16, 32 or 64 bits, not 7/, 1, 3);
  fails('{a,\n <<1, 2/foo>>}.', /unknown binary segment type foo/, 2, 7);
  fails('<<1:8/big-little>>.', /conflicting binary segment specifiers big and little/, 1, 3);
  fails('<<1/unit:8>>.', /a unit needs a size in an integer segment/, 1, 3);
  fails('<<1.5>>.', /the float 1\.5 cannot be an integer segment/, 1, 3);
  fails('<<"abc"/binary>>.', /the integer 97 cannot be a binary segment, which takes a <<\.\.\.>> value \(each character of a string is one segment\)/, 1, 3);
  fails('<<$a:8/utf8>>.', /a utf8 segment takes no size or unit/, 1, 3);
  fails('<<16#D800/utf8>>.', /55296 is not a Unicode code point/, 1, 3);
  fails('<<<<1,2>>:3/binary>>.', /a binary segment of 24 bits cannot be taken from a value of 16 bits/, 1, 3);
  fails('<<-(-1)>>.', /expected a number after '-'/, 1, 4);
  fails('<<X:8>>.', /unexpected variable X/, 1, 3);
  fails('<<0:1000000000000>>.', /larger than the 16 MiB/, 1, 3);
});

/** Literals file:consult reads, and ones it refuses (each checked against erl below; `native` is this machine's order). */
const LITERALS = [
  '<<1:4>>', '<<1:16>>', '<<"abc"/utf16>>', '<<256>>', '<<1:4, 2:4>>', '<<1:8/unit:1>>', '<<3.0/float>>', '<<$a/utf8>>',
  '<<-1:16/signed-little>>', '<<"x"/utf32-big>>', '<<16#abc:12/little>>', '<<16#abcdef:20/little>>', '<<16#1ff:9/signed-little>>',
  '<<1:2/unit:8>>', '<<1:2/unit:256>>', '<<1:16/native>>', '<<16#abcdef:20/native>>', '<<"é"/utf16-little>>', '<<"ab"/utf32-native>>',
  '<<1.5:16/float>>', '<<1.0e300:32/float>>', '<<65520.0:16/float>>', '<<65519.99:16/float>>', '<<3.0e-8:16/float>>',
  '<<2.9802322387695312e-8:16/float>>', '<<1.0004882812500009:16/float>>', '<<0.1:16/float>>', '<<-0.1:16/float-little>>',
  '<<1.0e-45:32/float>>', '<<1.0e-320/float>>', '<<-0.0/float>>', '<<123456789012345678901234567890/float>>', '<<3:32/float-little>>',
  '<<1:4/float-unit:16>>', '<<1:8/float-little-unit:8>>', '<<<<1,2>>/binary>>', '<<<<1,2,3>>:2/binary>>', '<<<<1:4>>/bitstring>>',
  '<<<<1:4>>/bits, 2:4>>', '<<<<1:4>>/binary-unit:4>>', '<<<<1,2>>:all/binary>>', '<<<<1,2,3>>:9/bits>>', '<<<<1,2,3>>:1/binary-unit:3>>',
  '<<(1)>>', '<<(-1)>>', '<<-(1.5)/float>>', '<<+ $a>>', '<<1:(8)>>', '<<1:$a>>', '<<1:(+8)>>', '<<1:0>>', '<<"abc":4>>', '<<"abc":16/little>>',
  '<<"abc"/float>>', '<<"a" "b"/utf16>>', '<<"">>', '<<""/utf8>>', '<<"":undefined/utf8>>', '<<"a日">>', '<<$日>>', '<<1:undefined/utf8>>',
  '<<16#1F600/utf16-little>>', '<<16#10FFFF/utf8>>', '<<1:16/integer-unit:1-little-signed>>', '<<1:8/integer-integer>>',
  '<<123456789012345678901234567890:100>>', '<<-123456789012345678901234567890:100/little>>', '<<"ab":2/float-unit:32>>',
  '<<1:1,0:1,1:1,0:1,1:1,0:1,1:1,0:1,1:1>>', "<<1:8/'integer'>>", '<<<<<<1>>/binary>>/binary>>', '<<(<<1:1>>):1/bits, ("ab")>>',
  '<<<<1:4>>/bits-binary>>', '<<<<1:3>>:1/binary-unit:3>>', '<<<<1,2>>/unit:8-bytes>>', '<<<<1:4>>/bitstring-unit:1>>',
  // refused by file:consult
  '<<1:7/float>>', '<<1/foo>>', '<<1/unit:8>>', '<<1:2/unit:0>>', '<<1:2/unit:257>>', '<<1:2/size:8>>', '<<1:8/big-little>>',
  '<<1:16/little-native>>', '<<1:8/integer-float>>', '<<$a:8/utf8>>', '<<$a/utf8-unit:8>>', '<<1.5>>', '<<"abc"/binary>>',
  '<<""/binary>>', '<<"":8/float>>', '<<<<1,2>>>>', '<<<<1,2,3>>:4/binary>>', '<<<<1:4>>/binary>>', '<<1:(-8)>>', '<<1:8.0>>',
  '<<16#110000/utf8>>', '<<16#D800/utf8>>', '<<-1/utf8>>', '<<a>>', '<<{1}>>', '<<1:all>>', '<<$a:all/utf8>>', '<<-(-1)>>',
  '<<-"a">>', '<<(<<1>>)>>', '<<1:8/integer:1>>', '<<1:8/unit>>', '<<0:0/float>>', '<<"ab"/float-unit:8>>', '<<1:(1+1)>>',
  '<<<<1:4>>:1/bits-unit:2>>', '<<<<1,2>>:1/bytes-unit:16>>', '<<<<1:4>>/bytes-bits>>', '<<<<1:4>>:0/bits-unit:16>>',
];

/**
 * The value as erl prints it below: a binary as its text (UTF-8 when valid,
 * else one character per byte, as the term model keeps it), a bitstring as its
 * bit size and bytes, the last padded with zero bits.
 */
function bitsOf(t: Term): string {
  if (t.kind === 'binary') return `b:${[...t.value].map((c) => c.codePointAt(0)).join('.')}`;
  assert.equal(t.kind, 'bitstring');
  return `${t.bits}:${[...t.value].join('.')}`;
}

/** Each literal read by file:consult/1 (one file each) and by the reader; returns how many both accepted. */
function compareWithErl(literals: readonly string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-bits-'));
  try {
    const files = literals.map((literal, i) => {
      const file = join(dir, `b${i}.config`);
      writeFileSync(file, `${literal}.\n`);
      return file;
    });
    writeFileSync(join(dir, 'files'), files.join('\n'));
    const script = `{ok, Names} = file:read_file("${join(dir, 'files')}"),
      Dots = fun(Xs) -> lists:join(".", [integer_to_list(X) || X <- Xs]) end,
      Show = fun(B) when is_binary(B) ->
                   ["b:", Dots(case unicode:characters_to_list(B) of L when is_list(L) -> L; _ -> binary_to_list(B) end)];
                (B) -> io_lib:format("~b:~s", [bit_size(B), Dots(binary_to_list(<<B/bitstring, 0:(8 - bit_size(B) rem 8)>>))]) end,
      [io:format("~s~n", [case file:consult(F) of {ok, [B]} -> Show(B); {error, _} -> "refused" end])
        || F <- string:split(binary_to_list(Names), "\\n", all)], halt().`;
    const r = spawnSync('erl', ['-noshell', '-eval', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const erl = r.stdout.trim().split('\n');
    assert.equal(erl.length, literals.length);
    let accepted = 0;
    literals.forEach((literal, i) => {
      let ours: string;
      try {
        ours = bitsOf(parseErlangTerms(readFileSync(files[i]!, 'utf8'), files[i]!)[0]!);
        accepted++;
      } catch (e) {
        assert.ok(e instanceof BeambakeError && e.code === 'TERM_PARSE', `${literal}: ${String(e)}`);
        assert.match(e.format(), /^.+:1:\d+: [^\n]+$/);
        ours = 'refused';
      }
      assert.equal(ours, erl[i], literal);
    });
    return accepted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('bit syntax literals read to the bits file:consult/1 builds, and what it refuses is refused', (t) => {
  if (!needTools(t, 'erl')) return;
  const accepted = compareWithErl(LITERALS);
  t.diagnostic(`${LITERALS.length} literals compared with erl: ${accepted} read to the same bits, ${LITERALS.length - accepted} refused by both`);
});


test('seeded mixes of segment values, sizes and specifiers: accepted and refused exactly where file:consult/1 accepts and refuses', (t) => {
  if (!needTools(t, 'erl')) return;
  const r = rng(20261207);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const values = ['0', '1', '-1', '255', '256', '1.5', '-0.0', '$a', '"ab"', '""', '"é"', '<<1,2>>', '<<1:4>>', '<<>>', 'a', 'all', '(3)', '(-3)', '-(2.5)',
    '16#10FFFF', '16#D800', '"a" "b"', '(<<1:3>>)', '123456789012345678901234567890', '65504.0', '-$a', '1.0e300', '(-(1))'];
  const sizes = ['', '', ':0', ':1', ':3', ':7', ':8', ':9', ':16', ':32', ':64', ':all', ':undefined', ':(4)', ':(-1)', ':$a', ':2', ':4'];
  const specs = ['integer', 'float', 'binary', 'bytes', 'bitstring', 'bits', 'utf8', 'utf16', 'utf32', 'signed', 'unsigned', 'big', 'little', 'native',
    'unit:1', 'unit:2', 'unit:8', 'unit:16', 'unit:0', 'foo'];
  const literals = Array.from({ length: 1500 }, () => {
    const segs = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
      const types = Array.from({ length: Math.floor(r() * 3) }, () => pick(specs));
      return pick(values) + pick(sizes) + (types.length ? `/${types.join('-')}` : '');
    });
    return `<<${segs.join(', ')}>>`;
  });
  const accepted = compareWithErl(literals);
  t.diagnostic(`${literals.length} generated literals: ${accepted} read to the same bits as erl, ${literals.length - accepted} refused by both`);
  assert.ok(accepted > 100 && accepted < literals.length - 100, 'the mix holds both accepted and refused literals');
});
