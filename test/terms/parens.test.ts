/**
 * Issue 10 §2: file:consult/1 reads a term with erl_parse:parse_term/1, which
 * parses an expression and keeps it only if erl_parse:normalise/1 turns it
 * into a value: parentheses (they only group), a unary `-`/`+` on a number or
 * `$c` (bare or parenthesised), `# {` maps; not a second sign, a sign on
 * anything else, any other operator or call, or an unquoted reserved word. Each form below, in several
 * surrounding positions, goes through the real `erl` and parseErlangTerms:
 * same value where erl accepts it, one located line where erl refuses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseErlangTerms } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { needTools } from '../helpers/toolchain.js';
import { canon, erlCanon, setupCanonDir } from './consult-canon.js';
import { assertTermError, plain } from './helpers.js';

/** [form, does file:consult accept it] (the verdicts of OTP's erl_parse, checked against erl below). */
const FORMS: [string, boolean][] = [
  ['(1)', true], ['(((1)))', true], ['( %% c\n a )', true], ['{(a)}', true], ['[(<<"x">>)]', true],
  ['("a" "b")', true], ['($a)', true], ['(fun m:f/1)', true], ['(#{a => 1})', true], ['#{(a) => (1)}', true],
  ['[a | (b)]', true], ['[(a) | ("bc")]', true], ['{a, (b), (c)}', true], ['<<(1), (-2):(8), ("x")>>', true],
  ['-(1)', true], ['+1', true], ['- 1', true], ['+(3)', true], ['-$a', true], ['+$a', true], ['-(($a))', true],
  ['(-1)', true], ['((-(1)))', true], ['-(1.5e3)', true], ['-16#ff', true], ['-(16#ff)', true], ['- 1.0e3', true],
  ['+ (1)', true], ['(+1)', true], ['-\n(\n2.5\n)', true], ['-(123456789012345678901234567890)', true],
  ['# {a => 1}', true], ['#\n{}', true],
  ['-(-(2.5))', false], ['-(-2.5)', false], ['- - 1', false], ['--1', false], ['+-1', false], ['-+1', false],
  ['+ + 1', false], ['- (- 1)', false], ['-a', false], ['-"x"', false], ['-[1]', false], ['-<<1>>', false],
  ['-(fun m:f/1)', false], ['-(a)', false], ['-()', false], ['1+1', false], ['1 - 1', false], ["'-'(1)", false],
  ['bnot 1', false], ['not true', false], ['()', false], ['(1,2)', false], ['(a, b)', false], ['("a") "b"', false],
  ['(1)(2)', false], ['-(1):8', false], ['fun (m):f/1', false], ['fun m:f/(1)', false], ['fun m:f/-1', false],
  ['#{}#{}', false], ['(1', false], ['((1)', false], ['(1))', false], ['#{a := 1}', false], ['# a', false],
  // reserved words are keywords, not atoms, unless quoted (`maybe`/`else` depend on the OTP release: not here)
  ['end', false], ['div', false], ['(of)', false], ['fun end:f/1', false], ['fun m:fun/1', false], ['-catch', false],
  ["'end'", true], ["fun 'end':'fun'/1", true], ['query', true], ['spec', true], ['endx', true], ['xor_', true],
];

/** Where a form is put: alone, and inside each kind of compound term. */
const CONTEXTS = ['F', '{ok, F}', '[x, F | F]', '#{k => F}', '#{F => v}', '[(F)]'];

test('parentheses, unary signs and `# {` are accepted and refused exactly as file:consult/1 does', (t) => {
  if (!needTools(t, 'escript')) return;
  const work = setupCanonDir();
  try {
    const files: { file: string; text: string; form: string; accepted: boolean }[] = [];
    FORMS.forEach(([form, accepted], i) =>
      CONTEXTS.forEach((context, j) => {
        const file = join(work, `form-${i}-${j}.config`);
        const text = `%% ${JSON.stringify(form)}\n${context.replaceAll('F', form)}.\n`;
        writeFileSync(file, text);
        files.push({ file, text, form, accepted });
      }),
    );
    const erl = erlCanon(work, files.map((f) => f.file));
    let same = 0;
    let refused = 0;
    for (const { file, text, form, accepted } of files) {
      const want = erl.get(file);
      // the table's verdict is erl's (a form erl reads differently in some position would show here)
      assert.equal(want !== undefined, accepted, `erl ${want ? 'accepts' : 'refuses'} ${file}:\n${text}`);
      if (want !== undefined) {
        assert.deepEqual(parseErlangTerms(text, file).map(canon), want, `${file}:\n${text}`);
        same++;
        continue;
      }
      assert.throws(
        () => parseErlangTerms(text, file),
        (e: unknown) => {
          assert.ok(e instanceof BeambakeError, `${form}: ${String(e)}`);
          assert.equal(e.code, 'TERM_PARSE');
          assert.match(e.format(), new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:2:\\d+: \\S[^\\n]*$`), form);
          return true;
        },
        `${form} in ${text}`,
      );
      refused++;
    }
    t.diagnostic(`${FORMS.length} forms in ${CONTEXTS.length} positions: ${same} files read identically, ${refused} refused by both`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a parenthesised or signed term keeps its value and the position of its first token', () => {
  const [t] = parseErlangTerms('{ (a), -(1), +\n(2.5), ((-$a)), # {k => (v)}}.', 'f');
  assert.deepEqual(plain(t!), {
    tuple: [{ atom: 'a' }, { integer: -1 }, { float: 2.5 }, { integer: -97 }, { map: [[{ atom: 'k' }, { atom: 'v' }]] }],
  });
  assert.ok(t!.kind === 'tuple');
  assert.deepEqual(t.items.map((i) => i.loc), [
    { line: 1, column: 4 },
    { line: 1, column: 8 },
    { line: 1, column: 14 },
    { line: 2, column: 10 },
    { line: 2, column: 17 },
  ]);
});

test('refused forms name the token where the term stops being data', () => {
  const fails = (text: string, pattern: RegExp, line: number, column: number) =>
    assertTermError(() => parseErlangTerms(text, 'x.config'), 'x.config', pattern, line, column);
  fails('-(-1).', /unexpected '-', expected a number after '-'/, 1, 3);
  fails('{a, -b}.', /unexpected 'b', expected a number after '-'/, 1, 6);
  fails('[1 + 1].', /unexpected '\+', expected '\]' or ','/, 1, 4);
  fails('(1, 2).', /unexpected ',', expected '\)' to close the parenthesis/, 1, 3);
  fails('-((1).', /unexpected '\.', expected '\)' to close the parenthesis/, 1, 6);
  fails('().', /unexpected '\)', expected a term/, 1, 2);
  fails("'-'(1).", /unexpected '\(', expected '\.' after the term/, 1, 4);
  fails('{a, end}.', /unexpected reserved word end: write it quoted \('end'\) for the atom/, 1, 5);
  fails('fun m:div/2.', /unexpected reserved word div/, 1, 7);
  // maybe and else are keywords only with OTP's maybe_expr feature, which file:consult of OTP 25 leaves off
  assert.deepEqual(plain(parseErlangTerms('[maybe, else].', 'f')[0]!), [{ atom: 'maybe' }, { atom: 'else' }]);
});

test('100,000 nested parentheses, bare or after a sign, end in the nesting limit, not a stack overflow', () => {
  const deep = (core: string) => '('.repeat(100_000) + core + ')'.repeat(100_000) + '.';
  for (const [text, column] of [[deep('1'), 1001], [`-${deep('1')}`, 1001], [`{a, [${deep('x')}]}`, 1004]] as const) {
    assertTermError(() => parseErlangTerms(text, 'deep.config'), 'deep.config', /nested too deeply \(more than 1000 levels\)/, 1, column);
  }
});
