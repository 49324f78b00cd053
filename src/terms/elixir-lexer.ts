/**
 * An Elixir tokenizer. It reads any Elixir source without failing on code
 * (identifiers, operators, sigils, heredocs and interpolation become tokens),
 * so the same tokens serve the strict literal parser for mix.lock and the
 * static reading of mix.exs. It only fails on malformed lexical elements:
 * unterminated strings, bad escapes, bad numbers.
 */
import { Scanner, TokenStream, describeChar, elixirEscape, isSpace, parseBigInt } from './scanner.js';
import type { TermLoc } from './term.js';

export type ElixirToken =
  | { t: 'atom'; v: string; loc: TermLoc }
  /** `key:` or `"key":` in a keyword list. */
  | { t: 'kw'; v: string; loc: TermLoc }
  | { t: 'string'; v: string; interpolated: boolean; loc: TermLoc }
  | { t: 'charlist'; v: string; interpolated: boolean; loc: TermLoc }
  | { t: 'int'; v: bigint; loc: TermLoc }
  | { t: 'float'; v: number; loc: TermLoc }
  | { t: 'ident'; v: string; loc: TermLoc }
  | { t: 'alias'; v: string; loc: TermLoc }
  | { t: 'sigil'; v: string; sigil: string; loc: TermLoc }
  /** Structural punctuation: `%{ { } [ ] ( ) , => << >> ::`. */
  | { t: 'punct'; v: string; loc: TermLoc }
  /** Any other single operator character (`@ . = | & + - ...`). */
  | { t: 'op'; v: string; loc: TermLoc }
  | { t: 'eof'; v: ''; loc: TermLoc };

const PUNCT2 = ['%{', '=>', '<<', '>>', '::'];
const COMMENT = /#[^\n]*/y;
const ASCII_NAME = /[a-zA-Z0-9_]+/y;
const PLAIN_RUNS = new Map<string, RegExp>();

/** Characters a quoted body can take in bulk: anything but its delimiters, `\\` and `#`. */
function plainRun(open: string, close: string): RegExp {
  const key = open + close;
  let re = PLAIN_RUNS.get(key);
  if (!re) {
    const esc = (c: string) => c.replace(/[\\\]^-]/g, '\\$&');
    re = new RegExp(`[^${esc(open)}${esc(close)}\\\\#]+`, 'y');
    PLAIN_RUNS.set(key, re);
  }
  return re;
}
const PUNCT1 = '{}[](),';
const SIGIL_CLOSE: Record<string, string> = { '"': '"', "'": "'", '(': ')', '[': ']', '{': '}', '<': '>', '/': '/', '|': '|' };

function isIdentStart(c: string): boolean {
  return c === '_' || (c >= 'a' && c <= 'z') || (c > '\u007f' && /\p{Ll}|\p{Lo}/u.test(c));
}
function isIdentChar(c: string): boolean {
  return c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c > '\u007f' && /[\p{L}\p{N}]/u.test(c));
}

export function tokenizeElixir(text: string, file: string): TokenStream<ElixirToken> {
  return new TokenStream(text, file, COMMENT, token);
}

/** The same tokens without the regular-expression shortcuts: what test/terms compares `tokenizeElixir` with. */
export function tokenizeElixirGeneral(text: string, file: string): TokenStream<ElixirToken> {
  return new TokenStream(text, file, COMMENT, generalToken);
}

/*
 * The tokens most of a mix.lock is made of, each read by one native regular
 * expression match instead of a loop of calls per character: a string without
 * escapes, interpolation or line breaks, or such a string as a `"key":`
 * keyword (every entry of a mix.lock starts with one); an ASCII atom; an ASCII
 * identifier or `key:` keyword. Each only matches where the general path below
 * reads the same token (the lookaheads leave everything else to it: heredocs,
 * `"k"::`, a keyword colon followed by anything but a space, tab or line
 * break, `a!=`, non-ASCII names, `::`), so they change how fast a token is
 * read, never which one. The fast path of parseElixirTerm (elixir-fast.ts) reads
 * tokens with the same expressions.
 */
export const PLAIN_STRING = /"[^"\\#\n]*"(?!")(?::(?=[ \t\r\n])|(?!:))/y;
export const PLAIN_ATOM = /:[a-z_][a-zA-Z0-9_@]*[?!]?(?![a-zA-Z0-9_@?!\u0080-\uffff])/y;
export const PLAIN_NAME = /[a-z_][a-zA-Z0-9_]*(?:[?!](?!=))?(?::(?=[ \t\r\n]))?(?![a-zA-Z0-9_:?!@\u0080-\uffff])/y;

/** One token starting at `c`. */
function token(s: Scanner, c: string, loc: TermLoc): ElixirToken {
  // Cases are compared in order, each comparison a call in code this cold: the most frequent
  // first characters of a mix.lock come first. No two-character punctuation starts with these.
  switch (c) {
    case ',':
      s.skipUnit();
      return { t: 'punct', v: c, loc };
    case '"': {
      const q = s.run(PLAIN_STRING);
      if (q.endsWith(':')) return { t: 'kw', v: q.slice(1, -2), loc };
      if (q !== '') return { t: 'string', v: q.slice(1, -1), interpolated: false, loc };
      break;
    }
    case ':': {
      const a = s.run(PLAIN_ATOM);
      if (a !== '') return { t: 'atom', v: a.slice(1), loc };
      break;
    }
    case '[':
    case ']':
    case '}':
    case '{':
    case '(':
    case ')':
      s.skipUnit();
      return { t: 'punct', v: c, loc };
    default:
      if (c === '_' || (c >= 'a' && c <= 'z')) {
        const name = s.run(PLAIN_NAME);
        if (name.endsWith(':')) return { t: 'kw', v: name.slice(0, -1), loc };
        if (name !== '') return { t: 'ident', v: name, loc };
      }
  }
  return generalToken(s, c, loc);
}

function generalToken(s: Scanner, c: string, loc: TermLoc): ElixirToken {
  if (isIdentStart(c)) {
    const name = identifier(s);
    if (s.peek() === ':' && s.peek(1) !== ':') {
      keywordColon(s, name);
      return { t: 'kw', v: name, loc };
    } else {
      return { t: 'ident', v: name, loc };
    }
  } else if (c >= 'A' && c <= 'Z') {
    const name = identifier(s);
    return { t: 'alias', v: name, loc };
  } else if (c >= '0' && c <= '9') {
    return number(s, loc);
  } else if (c === '"' || c === "'") {
    const heredoc = s.peek(1) === c && s.peek(2) === c;
    const { value, interpolated } = heredoc ? readHeredoc(s, c, loc) : readQuoted(s, c, c, loc, true);
    if (!heredoc && s.peek() === ':' && s.peek(1) !== ':') {
      keywordColon(s, value);
      return { t: 'kw', v: value, loc };
    } else {
      return c === '"' ? { t: 'string', v: value, interpolated, loc } : { t: 'charlist', v: value, interpolated, loc };
    }
  } else if (c === ':' && s.peek(1) !== ':' && (isIdentStart(s.peek(1)) || (s.peek(1) >= 'A' && s.peek(1) <= 'Z'))) {
    s.next();
    let name = '';
    while (isIdentChar(s.peekCodePoint()) || s.peek() === '@') name += s.next() + s.run(ASCII_NAME);
    if (s.peek() === '?' || s.peek() === '!') name += s.next();
    return { t: 'atom', v: name, loc };
  } else if (c === ':' && (s.peek(1) === '"' || s.peek(1) === "'")) {
    s.next();
    const q = s.peek();
    const { value, interpolated } = readQuoted(s, q, q, loc, true);
    if (interpolated) s.fail('atom interpolation is not allowed here', loc);
    return { t: 'atom', v: value, loc };
  } else if (c === '?' && s.peek(1) !== '' && !isSpace(s.peek(1))) {
    s.next();
    let ch = s.next();
    if (ch === '\\') ch = elixirEscape(s, loc);
    return { t: 'int', v: BigInt(ch.codePointAt(0) ?? 0), loc };
  } else if (c === '~' && /[a-zA-Z]/.test(s.peek(1))) {
    return sigil(s, loc);
  } else {
    const p = s.punct(PUNCT2, PUNCT1);
    if (p !== undefined) return { t: 'punct', v: p, loc };
    else return { t: 'op', v: s.next(), loc };
  }
}

function identifier(s: Scanner): string {
  let name = s.run(ASCII_NAME);
  while (isIdentChar(s.peekCodePoint())) name += s.next() + s.run(ASCII_NAME);
  if ((s.peek() === '?' || s.peek() === '!') && s.peek(1) !== '=') name += s.next();
  return name;
}

/** Elixir requires a space after a keyword key's colon (`[a: 1]`, never `[a:1]`). */
function keywordColon(s: Scanner, name: string): void {
  s.next();
  const after = s.peek();
  if (after !== '' && !isSpace(after)) s.fail(`keyword key '${name}:' must be followed by a space, found ${describeChar(s.peekCodePoint())}`);
}

function number(s: Scanner, loc: TermLoc): ElixirToken {
  if (s.peek() === '0' && /[xob]/.test(s.peek(1))) {
    const base = { x: 16, o: 8, b: 2 }[s.peek(1) as 'x' | 'o' | 'b'];
    s.next();
    s.next();
    return { t: 'int', v: parseBigInt(s.digits(base, `a base-${base} digit`), base), loc };
  }
  const first = s.digits(10, 'a digit');
  const f = s.floatTail(first);
  if (f !== undefined) return { t: 'float', v: f, loc };
  return { t: 'int', v: BigInt(first), loc };
}

/**
 * A quoted string, atom or sigil body from the opening delimiter to `close`.
 * `#{...}` interpolation is skipped (nesting respected) and reported, so code
 * readers can carry on while the literal parser rejects it.
 */
function readQuoted(
  s: Scanner,
  open: string,
  close: string,
  loc: TermLoc,
  escapes: boolean,
): { value: string; interpolated: boolean } {
  s.next();
  let value = '';
  let interpolated = false;
  let depth = 0;
  const plain = plainRun(open, close);
  for (;;) {
    value += s.run(plain);
    const c = s.peek();
    if (c === '') s.fail(open === '"' ? 'unterminated string' : open === "'" ? 'unterminated charlist' : 'unterminated sigil', loc);
    if (c === close && depth === 0) {
      s.next();
      return { value, interpolated };
    }
    if (c === '\\') {
      const at = s.loc();
      s.next();
      if (escapes) value += elixirEscape(s, at);
      else {
        const e = s.next();
        value += e === close || e === '\\' ? e : '\\' + e;
      }
    } else if (c === '#' && s.peek(1) === '{' && escapes) {
      interpolated = true;
      skipInterpolation(s);
    } else {
      if (open !== close) {
        if (c === open) depth++;
        else if (c === close) depth--;
      }
      value += s.next();
    }
  }
}

function skipInterpolation(s: Scanner): void {
  const start = s.loc();
  s.next();
  s.next();
  let depth = 1;
  for (;;) {
    const c = s.peek();
    if (c === '') s.fail('unterminated string interpolation', start);
    if (c === '"' || c === "'") {
      readQuoted(s, c, c, s.loc(), true);
      continue;
    }
    s.next();
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return;
  }
}

function readHeredoc(s: Scanner, q: string, loc: TermLoc): { value: string; interpolated: boolean } {
  s.next();
  s.next();
  s.next();
  while (s.peek() === ' ' || s.peek() === '\t') s.next();
  if (s.peek() !== '\n' && s.peek() !== '\r') s.fail('heredoc start must be followed by a new line', loc);
  const lines: string[] = [];
  let line = '';
  let interpolated = false;
  for (;;) {
    const c = s.peek();
    if (c === '') s.fail('unterminated heredoc', loc);
    if (c === '\n') {
      s.next();
      lines.push(line);
      line = '';
      continue;
    }
    if (line.trim() === '' && c === q && s.peek(1) === q && s.peek(2) === q) {
      s.next();
      s.next();
      s.next();
      const indent = line.length;
      const body = lines.slice(1).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
      return { value: body.length ? body.join('\n') + '\n' : '', interpolated };
    }
    if (c === '\\') {
      const at = s.loc();
      s.next();
      line += elixirEscape(s, at);
    } else if (c === '#' && s.peek(1) === '{') {
      interpolated = true;
      skipInterpolation(s);
    } else {
      line += s.next();
    }
  }
}

function sigil(s: Scanner, loc: TermLoc): ElixirToken {
  s.next();
  let name = s.next();
  if (name >= 'A' && name <= 'Z') while (/[A-Z0-9]/.test(s.peek())) name += s.next();
  const open = s.peek();
  const close = SIGIL_CLOSE[open];
  if (!close) s.fail(`invalid sigil delimiter ${describeChar(s.peekCodePoint())}`);
  let value: string;
  if ((open === '"' || open === "'") && s.peek(1) === open && s.peek(2) === open) {
    value = readHeredoc(s, open, loc).value;
  } else {
    // Lowercase sigils process escapes and interpolation, uppercase ones do not.
    value = readQuoted(s, open, close, loc, name === name.toLowerCase()).value;
  }
  while (/[a-zA-Z]/.test(s.peek())) s.next();
  return { t: 'sigil', v: value, sigil: name, loc };
}
