/**
 * The Erlang tokenizer for term files: atoms (plain and quoted), variables
 * (only to name them in errors), strings, numbers with bases and `_`
 * separators, `$c` characters, punctuation, and the `.` that ends a term.
 */
import { Scanner, TokenStream, describeChar, erlangEscape, isDigitOf, isSpace, parseBigInt } from './scanner.js';
import type { TermLoc } from './term.js';

export type ErlangToken =
  /** `raw`: written unquoted (so `fun` is the keyword, `'fun'` the atom). */
  | { t: 'atom'; v: string; loc: TermLoc; raw?: boolean }
  | { t: 'var'; v: string; loc: TermLoc }
  | { t: 'string'; v: string; loc: TermLoc }
  | { t: 'int'; v: bigint; loc: TermLoc }
  | { t: 'float'; v: number; loc: TermLoc }
  | { t: 'char'; v: bigint; loc: TermLoc }
  | { t: 'punct'; v: string; loc: TermLoc }
  | { t: 'dot'; v: '.'; loc: TermLoc }
  | { t: 'eof'; v: ''; loc: TermLoc };

const PUNCT2 = ['<<', '>>', '=>', ':=', '#{'];
const PUNCT1 = '{}[](),|-+/:#';
const COMMENT = /%[^\n]*/y;
const ASCII_NAME = /[a-zA-Z0-9_@]+/y;
const PLAIN_STRING = /[^"\\]+/y;
const PLAIN_ATOM = /[^'\\]+/y;

/**
 * Erlang's reserved words (erl_scan:reserved_word/1 of OTP 25): unquoted, they
 * are keywords, never atoms, so file:consult refuses `{a, end}` (`'end'` is the
 * atom). `maybe` and `else` are keywords only where the maybe_expr feature is
 * on, which file:consult of OTP 25 does not turn on: there they are atoms.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  'after and andalso band begin bnot bor bsl bsr bxor case catch cond div end fun if let not of or orelse receive rem try when xor'.split(' '),
);

/** An unquoted reserved word (`end`, `div`, ...), which is no atom. */
export function isReservedWord(t: ErlangToken): boolean {
  return t.t === 'atom' && t.raw === true && RESERVED_WORDS.has(t.v);
}

function isAtomStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= '\u00df' && c <= '\u00ff' && c !== '\u00f7');
}
function isNameChar(c: string): boolean {
  return (
    (c >= 'a' && c <= 'z') ||
    (c >= 'A' && c <= 'Z') ||
    (c >= '0' && c <= '9') ||
    c === '_' ||
    c === '@' ||
    (c >= '\u00c0' && c <= '\u00ff' && c !== '\u00d7' && c !== '\u00f7')
  );
}

export function tokenizeErlang(text: string, file: string): TokenStream<ErlangToken> {
  return new TokenStream(text, file, COMMENT, token);
}

/** One token starting at `c`. */
function token(s: Scanner, c: string, loc: TermLoc): ErlangToken {
  if (isAtomStart(c)) {
    return { t: 'atom', v: name(s), loc, raw: true };
  } else if ((c >= 'A' && c <= 'Z') || c === '_' || (c >= '\u00c0' && c <= '\u00de' && c !== '\u00d7')) {
    return { t: 'var', v: name(s), loc };
  } else if (c >= '0' && c <= '9') {
    return number(s, loc);
  } else if (c === '"' || c === "'") {
    const value = quoted(s, c, loc);
    return c === '"' ? { t: 'string', v: value, loc } : { t: 'atom', v: value, loc };
  } else if (c === '$') {
    s.next();
    let ch = s.next();
    if (ch === '') s.fail('unterminated character literal', loc);
    if (ch === '\\') ch = erlangEscape(s, loc);
    return { t: 'char', v: BigInt(ch.codePointAt(0)!), loc };
  } else if (c === '.') {
    s.next();
    const after = s.peek();
    if (after !== '' && !isSpace(after) && after !== '%') s.fail(`unexpected ${describeChar(s.peekCodePoint())} after '.'`);
    return { t: 'dot', v: '.', loc };
  } else {
    return { t: 'punct', v: s.punct(PUNCT2, PUNCT1) ?? s.fail(`unexpected ${describeChar(c)}`), loc };
  }
}

function name(s: Scanner): string {
  let out = '';
  while (isNameChar(s.peek())) out += s.next() + s.run(ASCII_NAME);
  return out;
}

function number(s: Scanner, loc: TermLoc): ErlangToken {
  const first = s.digits(10, 'a digit');
  if (s.peek() === '#' && isDigitOf(s.peek(1), 36)) {
    const base = Number(first);
    if (base < 2 || base > 36) s.fail(`invalid number base ${first}`, loc);
    s.next();
    return { t: 'int', v: parseBigInt(s.digits(base, `a base-${base} digit`), base), loc };
  }
  const f = s.floatTail(first);
  if (f !== undefined) return { t: 'float', v: f, loc };
  return { t: 'int', v: BigInt(first), loc };
}

function quoted(s: Scanner, q: string, loc: TermLoc): string {
  s.next();
  let out = '';
  const plain = q === '"' ? PLAIN_STRING : PLAIN_ATOM;
  for (;;) {
    out += s.run(plain);
    const at = s.loc();
    const c = s.next();
    if (c === '') s.fail(q === '"' ? 'unterminated string' : 'unterminated quoted atom', loc);
    if (c === q) return out;
    if (c === '\\') out += erlangEscape(s, at);
    else out += c;
  }
}
