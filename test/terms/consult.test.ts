/**
 * Issue 10: the Erlang term reader must accept what `file:consult/1` accepts
 * (`fun M:F/A` in emqx's rebar.config included) and read it to the same
 * values. Generated term files (fixed seed) and the corpus's Erlang term files
 * go through both: the real `erl` and parseErlangTerms, each printing a
 * canonical form, compared file by file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseErlangTerms } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { canon, erlCanon, setupCanonDir } from './consult-canon.js';
import { rng } from '../helpers/rng.js';

const ATOMS = ['ok', 'deps', 'a_b@c', 'Hello World', 'fun', 'end', 'x\'y', 'ünïcode', 'tab\there', ''];
const STRINGS = ['', 'hello', 'with "quotes"', 'back\\slash', 'line\nbreak', 'ünïcode ✓', 'tab\t', 'ctrl\u0001'];

function quoteAtom(a: string): string {
  if (/^[a-z][A-Za-z0-9_@]*$/.test(a) && !['fun', 'end', 'case', 'of', 'if', 'when', 'receive', 'after', 'try', 'catch', 'begin', 'not', 'and', 'or', 'div', 'rem', 'band', 'bor', 'bxor', 'bnot', 'bsl', 'bsr', 'orelse', 'andalso', 'xor', 'let', 'query', 'cond', 'maybe', 'else'].includes(a)) return a;
  return `'${escapeChars(a, "'")}'`;
}

function escapeChars(s: string, q: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20) out += `\\x{${cp.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** Layout inside parentheses: none, spaces, a newline, a comment. */
const PAREN_SPACE = ['', '', ' ', '\n', ' %% in parentheses\n'];

/** `text` in 0 to 3 pairs of parentheses (parentheses only group, so the value is the same). */
function parens(r: () => number, text: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let n = r() < 0.75 ? 0 : 1 + Math.floor(r() * 3); n > 0; n--) text = `(${pick(PAREN_SPACE)}${text}${pick(PAREN_SPACE)})`;
  return text;
}

/** The `left`-th term generated (from 0) is `form` instead: a form file:consult refuses, at a random position. */
interface Poison {
  left: number;
  form: string;
}

/** One random term as Erlang source text, in parentheses now and then. */
function genTerm(r: () => number, depth: number, poison?: Poison): string {
  if (poison && poison.left-- === 0) return poison.form;
  return parens(r, genBareTerm(r, depth, poison));
}

/**
 * `-N` or `+N` on a number or `$c`, itself in parentheses at times: the one
 * operator file:consult evaluates (a second sign is refused, so never two).
 */
function genSignedNumber(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = pick(['0', '1', '42', '16#ff', '2#101', '1_000', '123456789012345678901234567890', '$a', '$\\n', '0.0', '2.5', '1.0e-300', '6.02e23']);
  return `${pick(['-', '+'])}${pick(['', ' ', '\n'])}${parens(r, n)}`;
}

function genBareTerm(r: () => number, depth: number, poison?: Poison): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const leaf = depth <= 0 || r() < 0.35;
  if (leaf) {
    switch (Math.floor(r() * 13)) {
      case 0:
        return quoteAtom(pick(ATOMS));
      case 1:
        return String(Math.floor(r() * 2000) - 1000);
      case 2:
        return `${pick(['-', '', '+'])}${BigInt(Math.floor(r() * 1e15)) * 1000003n ** 3n}`;
      case 3:
        return `${pick(['2#1011', '16#ff', '16#DEAD_BEEF', '36#zz', '8#777', '1_000_000'])}`;
      case 4:
        return pick(['1.5', '-0.25', '1.0e10', '2.5E-3', '3.141592653589793', '0.1', '-1.0e-300']);
      case 5:
        return `"${escapeChars(pick(STRINGS), '"')}"`;
      case 6:
        return `<<"${escapeChars(pick(STRINGS), '"')}"${r() < 0.5 ? '/utf8' : ''}>>`.replace(/<<"((?:[^"\\]|\\.)*[^\x00-\xff](?:[^"\\]|\\.)*)">>/, '<<"$1"/utf8>>');
      case 7:
        return `<<${Array.from({ length: Math.floor(r() * 5) }, () => Math.floor(r() * 256)).join(',')}>>`;
      case 8:
        return `$${pick(['a', 'Z', '\\n', '\\x{41}', 'ü', '\\\\', ' '])}`;
      case 9:
        return genBinary(r, 2).text;
      case 10:
        return `fun ${quoteAtom(pick(['mod_project', 'lists', 'Quoted Mod']))}:${quoteAtom(pick(['get_vsn', 'map', 'f']))}/${Math.floor(r() * 4)}`;
      case 11:
        return genSignedNumber(r);
      default:
        return pick(['[]', '{}', '#{}', '<<>>', '""']);
    }
  }
  const n = Math.floor(r() * 4);
  const items = () => Array.from({ length: n }, () => genTerm(r, depth - 1, poison));
  switch (Math.floor(r() * 5)) {
    case 0:
      return `{${items().join(', ')}}`;
    case 1:
      return `[${items().join(', ')}]`;
    case 2: {
      const head = Array.from({ length: n + 1 }, () => genTerm(r, depth - 1, poison));
      return `[${head.join(', ')} | ${r() < 0.5 ? genTerm(r, depth - 1, poison) : `[${items().join(',')}]`}]`;
    }
    case 3: {
      // distinct keys: a repeated key keeps only its last value, which a reader need not model
      const keys = [...new Set(Array.from({ length: n }, (_, i) => `k${i}_${Math.floor(r() * 3)}`))];
      // `#{` is two tokens in Erlang: `# {` is the same map
      return `${pick(['#{', '#{', '# {'])}${keys.map((k) => `${parens(r, k)} => ${genTerm(r, depth - 1, poison)}`).join(', ')}}`;
    }
    default:
      return `"${escapeChars(pick(STRINGS), '"')}" "${escapeChars(pick(STRINGS), '"')}"`;
  }
}

/**
 * A binary literal with bit syntax, and its size in bits (so that the nested
 * binaries it takes `:N/binary` or `/binary` of are long enough and whole
 * bytes, and every file stays one that file:consult accepts).
 */
function genBinary(r: () => number, depth: number): { text: string; bits: number } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const opt = (s: string) => (r() < 0.5 ? s : '');
  const specs = (...xs: string[]) => (xs.filter(Boolean).length ? `/${xs.filter(Boolean).join('-')}` : '');
  const endian = () => pick(['', '', 'big', 'little', 'native']);
  const segs: { text: string; bits: number }[] = [];
  for (let n = Math.floor(r() * 5); n > 0; n--) {
    switch (Math.floor(r() * 7)) {
      case 0: {
        // integers of any size, sign and value (truncated modulo 2^size, as Erlang does)
        const v = pick(['0', '1', '255', '256', '-1', '-128', '16#abcdef', '$a', '(-3)', '-$z', '123456789012345678901234567890', '-98765432109876543210', '-(7)', '+((200))', '(+ $b)', '((-(1)))']);
        const [size, unit] = r() < 0.3 ? [8, 0] : [Math.floor(r() * 40), pick([0, 0, 1, 3, 8])];
        const sized = size === 8 && unit === 0 && r() < 0.5 ? '' : `:${size}`;
        const u = sized && unit ? `unit:${unit}` : '';
        segs.push({ text: `${v}${sized}${specs(opt('integer'), pick(['', 'signed', 'unsigned']), endian(), u)}`, bits: size * (unit || 1) });
        break;
      }
      case 1: {
        const v = pick(['1.5', '-0.1', '3.141592653589793', '1.0e300', '65519.99', '3.0e-8', '1.0e-320', '7', '-2', '0.0', '-(2.5)', '(+0.5)']);
        const [size, unit] = pick([[64, 0], [32, 0], [16, 0], [4, 16], [2, 32], [8, 8]] as const);
        const sized = size === 64 && r() < 0.5 ? '' : `:${size}`;
        segs.push({ text: `${v}${sized}${specs('float', endian(), sized && unit ? `unit:${unit}` : '')}`, bits: size * (unit || 1) });
        break;
      }
      case 2: {
        const cp = pick([0, 0x41, 0xe9, 0x7ff, 0x800, 0xfeff, 0xffff, 0x10000, 0x1f600, 0x10ffff]);
        const type = pick(['utf8', 'utf16', 'utf32']);
        const bits = type === 'utf32' ? 32 : type === 'utf16' ? (cp > 0xffff ? 32 : 16) : 8 * Buffer.byteLength(String.fromCodePoint(cp));
        segs.push({ text: `${pick([String(cp), `16#${cp.toString(16)}`])}${specs(type, endian(), opt('signed'))}`, bits });
        break;
      }
      case 3: {
        // a string: one segment per character, each with the same specifiers
        const str = pick(['', 'ab', 'é', 'x"y', '✓ok']);
        const chars = [...str].length;
        const [spec, bitsEach] = pick([['', 8], ['/utf16', 0], [':16/little', 16], [':4', 4], ['/float', 64], ['/utf8', 0], [':3/unit:5', 15]] as const);
        const bits = spec === '/utf16' ? 16 * chars : spec === '/utf8' ? 8 * Buffer.byteLength(str) : bitsEach * chars;
        const lit = `"${escapeChars(str, '"')}"`;
        segs.push({ text: spec === '' && /[^\x00-\xff]/.test(str) ? `${lit}/utf8` : `${lit}${spec}`, bits: spec === '' && /[^\x00-\xff]/.test(str) ? 8 * Buffer.byteLength(str) : bits });
        break;
      }
      case 4: {
        if (depth <= 0) break;
        const inner = genBinary(r, depth - 1);
        const take = Math.floor(r() * (inner.bits + 1));
        const forms = [
          { text: `${inner.text}/bits`, bits: inner.bits },
          { text: `${inner.text}:${take}/bitstring`, bits: take },
          { text: `(${inner.text}):${Math.floor(take / 8)}/binary`, bits: 8 * Math.floor(take / 8) },
          ...(inner.bits % 8 === 0 ? [{ text: `${inner.text}/binary`, bits: inner.bits }, { text: `${inner.text}:all/bytes`, bits: inner.bits }] : []),
        ];
        segs.push(pick(forms));
        break;
      }
      default: {
        const size = 1 + Math.floor(r() * 7);
        segs.push({ text: `${Math.floor(r() * 300)}:${size}`, bits: size });
      }
    }
  }
  return { text: `<<${segs.map((s) => s.text).join(pick([',', ', ']))}>>`, bits: segs.reduce((a, s) => a + s.bits, 0) };
}

test('the Erlang term reader reads generated term files exactly as file:consult/1 does (seeded)', (t) => {
  if (!needTools(t, 'escript')) return;
  const work = setupCanonDir();
  try {
    const r = rng(20261206);
    const FILES = 300;
    const files: [string, string][] = [];
    for (let i = 0; i < FILES; i++) {
      const texts = Array.from({ length: 1 + Math.floor(r() * 6) }, () => genTerm(r, 4));
      const text = texts.map((x) => `${x}.\n`).join('%% a comment\n');
      const file = join(work, `gen-${i}.config`);
      writeFileSync(file, text);
      files.push([file, text]);
    }
    const erl = erlCanon(work, files.map(([f]) => f));
    let terms = 0;
    for (const [file, text] of files) {
      const want = erl.get(file);
      assert.ok(want, `erl refused ${file} (a generator bug):\n${text}`);
      const ours = parseErlangTerms(text, file).map(canon);
      assert.deepEqual(ours, want, `${file}:\n${text}`);
      terms += ours.length;
    }
    // the generator must keep covering parentheses around terms and signs on (parenthesised) numbers
    const count = (re: RegExp) => files.reduce((n, [, text]) => n + (text.match(re)?.length ?? 0), 0);
    const parenthesised = count(/\(/g);
    const signedParens = count(/(?<![\w$])[-+]\s*\(/g);
    assert.ok(parenthesised > 100 && signedParens > 10, `${parenthesised} parentheses, ${signedParens} signs before one`);
    t.diagnostic(`${FILES} generated files, ${terms} terms read identically by erl and beambake (${parenthesised} parentheses, ${signedParens} of them after a sign)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** Forms file:consult refuses (see parens.test.ts for each one checked alone). */
const REFUSED = ['-(-1)', '- -1', '+-1', '-(+(2.5))', '-a', '-(a)', '-"x"', '-[1]', '-<<1>>', '-(fun m:f/1)', '1+1', '1 - 1', "'-'(1)", '(1,2)', '()', '(a)(b)', 'bnot 1', 'end', '#{a := 1}', '{a}#{}'];

test('forms file:consult refuses, put at random positions in generated terms, are refused by both (seeded)', (t) => {
  if (!needTools(t, 'escript')) return;
  const work = setupCanonDir();
  try {
    const r = rng(20261207);
    const FILES = 150;
    const files: [string, string][] = [];
    for (let i = 0; i < FILES; i++) {
      const poison: Poison = { left: Math.floor(r() * 10), form: REFUSED[i % REFUSED.length]! };
      // each term inside a tuple, so that the bad form is never a whole term (parens.test.ts has those)
      const texts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => `{t, ${genTerm(r, 3, poison)}}`);
      if (poison.left >= 0) texts.push(`{last, [${poison.form}]}`); // fewer terms than the chosen position
      const file = join(work, `bad-${i}.config`);
      const text = texts.map((x) => `${x}.\n`).join('');
      writeFileSync(file, text);
      files.push([file, text]);
    }
    const erl = erlCanon(work, files.map(([f]) => f));
    for (const [file, text] of files) {
      assert.ok(erl.has(file) && erl.get(file) === undefined, `erl accepted ${file} (a generator bug):\n${text}`);
      assert.throws(
        () => parseErlangTerms(text, file),
        (e: unknown) => e instanceof BeambakeError && e.code === 'TERM_PARSE' && /^[^\n]+:\d+:\d+: [^\n]+$/.test(e.format()) && e.format().startsWith(`${file}:`),
        `${file}:\n${text}`,
      );
    }
    t.diagnostic(`${FILES} generated files with one refused form each (${REFUSED.length} forms), refused by erl and beambake`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("emqx's `fun mod_project:get_vsn/1` and the corpus's Erlang term files read as file:consult/1 reads them", (t) => {
  if (!needTools(t, 'escript')) return;
  const work = setupCanonDir();
  try {
    const emqx = join(work, 'rebar.config');
    writeFileSync(emqx, '{relx, [{overlay_vars_values, [{"GIT_DESC", var, fun mod_project:get_vsn/1}]}]}.\n');
    const erl = erlCanon(work, [emqx]);
    assert.deepEqual(parseErlangTerms(readFileSync(emqx, 'utf8'), emqx).map(canon), erl.get(emqx));
    assert.deepEqual(erl.get(emqx), ['t(a(72.65.6c.78),l(t(a(6f.76.65.72.6c.61.79.5f.76.61.72.73.5f.76.61.6c.75.65.73),l(t(l(i(71),i(73),i(84),i(95),i(68),i(69),i(83),i(67)|),a(76.61.72),fun(6d.6f.64.5f.70.72.6f.6a.65.63.74:67.65.74.5f.76.73.6e/1))|))|))']);

    const files = readdirSync(corpusDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /(^|\/)(rebar\.config|rebar\.lock)$|\.app\.src$/.test(f))
      .sort();
    const all = erlCanon(work, files.map((f) => join(corpusDir, f)));
    let compared = 0;
    let refusedByErl = 0;
    for (const f of files) {
      const path = join(corpusDir, f);
      const want = all.get(path);
      // a file may use macros or expressions: then file:consult refuses it too, and so may we.
      if (want === undefined) {
        refusedByErl++;
        continue;
      }
      assert.deepEqual(parseErlangTerms(readFileSync(path, 'utf8'), path).map(canon), want, f);
      compared++;
    }
    t.diagnostic(`${compared} corpus term files read identically (${refusedByErl} that file:consult itself refuses skipped)`);
    assert.ok(compared > 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
