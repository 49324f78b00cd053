/**
 * Character-level reading shared by the Erlang and Elixir tokenizers:
 * positions in code points, located errors, numbers and escape sequences.
 */
import { BeambakeError } from '../util/errors.js';
import { oneLine, type TermLoc } from './term.js';

export class Scanner {
  private readonly text: string;
  /** UTF-16 index into `text`. */
  private i = 0;
  private line = 1;
  /**
   * Where the current line starts. Columns (in code points, so they match what
   * editors show) are only worked out when a location is asked for.
   */
  private lineStart = 0;
  /** Whether the text has any surrogate pair: without one, a column is an index difference. */
  private readonly astral: boolean;
  /** The last column worked out on a line with surrogates, to go on from there (one long line stays linear). */
  private colIndex = 0;
  private colValue = 1;

  constructor(
    text: string,
    readonly file: string,
  ) {
    // A byte order mark is not part of the term text.
    this.text = text.startsWith('\uFEFF') ? text.slice(1) : text;
    this.astral = SURROGATE.test(this.text);
  }

  /** The code unit `offset` ahead ('' past the end); lookahead is only ever compared with ASCII. */
  peek(offset = 0): string {
    return this.text[this.i + offset] ?? '';
  }

  /** The whole code point at the cursor, for messages and identifier tests. */
  peekCodePoint(): string {
    const text = this.text;
    const i = this.i;
    const u = text.charCodeAt(i);
    // called before every token: a unit that cannot start a pair is returned without decoding,
    // after one comparison for most (NaN, past the end, fails both)
    if (u < 0xd800 || u > 0xdbff) return text[i]!;
    if (i >= text.length) return '';
    return String.fromCodePoint(text.codePointAt(i)!);
  }

  eof(): boolean {
    return this.i >= this.text.length;
  }

  /** Consume one code point (a surrogate pair is one). */
  next(): string {
    const text = this.text;
    const i = this.i;
    if (i >= text.length) return '';
    const u = text.charCodeAt(i);
    if (isHighSurrogate(u) && isLowSurrogate(text.charCodeAt(i + 1))) {
      this.i = i + 2;
      return text.slice(i, i + 2);
    }
    this.i = i + 1;
    if (u === 10) {
      this.line++;
      this.lineStart = i + 1;
    }
    return text[i]!;
  }

  /** Consume the code unit at the cursor, which the caller knows is ASCII and no line break: `next()` without its tests. */
  skipUnit(): void {
    this.i++;
  }

  /**
   * Consume the match of a sticky regular expression at the cursor and return
   * it ('' when it does not match). Runs of plain characters go through here
   * instead of one call per character: most of a lockfile is long strings.
   */
  run(re: RegExp): string {
    const text = this.text;
    const start = this.i;
    re.lastIndex = start;
    if (!re.test(text)) return '';
    const end = re.lastIndex;
    if (end === start) return '';
    const s = text.slice(start, end);
    this.i = end;
    let nl = s.indexOf('\n');
    if (nl >= 0) {
      let last: number;
      do {
        this.line++;
        last = nl;
        nl = s.indexOf('\n', nl + 1);
      } while (nl >= 0);
      this.lineStart = start + last + 1;
    }
    return s;
  }

  /**
   * Skip white space and comments (`comment` at `commentStart`) up to the next
   * token and return where it starts, in one call per token (most of a
   * lockfile's reading is spent between tokens). White space is `isSpace`:
   * U+00A0 counts in both languages.
   */
  tokenStart(commentStart: number, comment: RegExp): TermLoc {
    const text = this.text;
    let i = this.i;
    for (;;) {
      const u = text.charCodeAt(i);
      // Tokens outnumber white space characters: a printable one is known as a token's start
      // after two comparisons (each a call into V8 in code this cold); NaN is the end.
      if (u > 32 ? u !== 0xa0 : u !== 32 && u !== 10 && u !== 9 && u !== 13 && u !== 12 && u !== 11) {
        this.i = i;
        if (u !== commentStart || this.run(comment) === '') break;
        i = this.i;
        continue;
      }
      if (u === 10) {
        this.line++;
        this.lineStart = i + 1;
      }
      i++;
    }
    // what loc() returns, without its two calls on text without surrogate pairs (this runs once per token)
    return this.astral ? this.loc() : { line: this.line, column: i - this.lineStart + 1 };
  }

  /** Consume a punctuation token at the cursor, two-character forms first; undefined when none is there. */
  punct(two: readonly string[], one: string): string | undefined {
    const c = this.peek();
    if (c === '') return undefined;
    const pair = c + this.peek(1);
    if (two.includes(pair)) {
      this.next();
      this.next();
      return pair;
    }
    if (!one.includes(c)) return undefined;
    this.next();
    return c;
  }

  loc(): TermLoc {
    return { line: this.line, column: this.column() };
  }

  private column(): number {
    if (!this.astral) return this.i - this.lineStart + 1;
    if (this.colIndex < this.lineStart || this.colIndex > this.i) {
      this.colIndex = this.lineStart;
      this.colValue = 1;
    }
    const text = this.text;
    for (let k = this.colIndex; k < this.i; k++) {
      const u = text.charCodeAt(k);
      // the low half of a pair is part of the code point before it
      if (!(isLowSurrogate(u) && k > this.lineStart && isHighSurrogate(text.charCodeAt(k - 1)))) this.colValue++;
    }
    this.colIndex = this.i;
    return this.colValue;
  }

  fail(message: string, loc: TermLoc = this.loc()): never {
    throw termError(this.file, message, loc);
  }

  /** Read digits of `base`, allowing single `_` separators between digits. */
  digits(base: number, what: string): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (isDigitOf(c, base)) {
        out += this.next();
      } else if (c === '_' && out.length > 0 && isDigitOf(this.peek(1), base)) {
        this.next();
      } else {
        break;
      }
    }
    if (out.length === 0) this.fail(`expected ${what}, found ${describeChar(this.peekCodePoint())}`);
    return out;
  }

  /** An optional float tail after integer digits: `.digits` and/or an exponent. */
  floatTail(intDigits: string): number | undefined {
    if (this.peek() !== '.' || !isDigitOf(this.peek(1), 10)) return undefined;
    this.next();
    let text = `${intDigits}.${this.digits(10, 'a digit')}`;
    if (this.peek() === 'e' || this.peek() === 'E') {
      const sign = this.peek(1);
      if (isDigitOf(sign, 10) || ((sign === '+' || sign === '-') && isDigitOf(this.peek(2), 10))) {
        this.next();
        text += 'e';
        if (sign === '+' || sign === '-') text += this.next();
        text += this.digits(10, 'an exponent');
      }
    }
    return Number(text);
  }
}

/**
 * Tokens on demand, so the first problem in file order is the one reported:
 * white space and comments (`comment`, a sticky regular expression whose first
 * character is the one every comment starts with) are skipped, `read` reads
 * the one token that starts at `c`, and the stream ends with an `eof` token.
 * The parsers call `take()`; iterating yields each token once, `eof` last.
 */
export class TokenStream<T> implements IterableIterator<T | EofToken> {
  private readonly s: Scanner;
  private ended = false;
  /** The code of the character every comment starts with: the regular expression only runs there. */
  private readonly commentStart: number;

  constructor(
    text: string,
    file: string,
    private readonly comment: RegExp,
    private readonly read: (s: Scanner, c: string, loc: TermLoc) => T,
  ) {
    this.s = new Scanner(text, file);
    this.commentStart = comment.source.charCodeAt(0);
  }

  /** The next token; `eof` again and again at the end. */
  take(): T | EofToken {
    const s = this.s;
    const loc = s.tokenStart(this.commentStart, this.comment);
    const c = s.peekCodePoint();
    if (c === '') return { t: 'eof', v: '', loc };
    return this.read(s, c, loc);
  }

  next(): IteratorResult<T | EofToken, undefined> {
    if (this.ended) return { done: true, value: undefined };
    const t = this.take();
    if ((t as EofToken).t === 'eof') this.ended = true;
    return { done: false, value: t };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

export interface EofToken {
  t: 'eof';
  v: '';
  loc: TermLoc;
}

const SURROGATE = /[\uD800-\uDBFF]/;

function isHighSurrogate(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLowSurrogate(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

export function termError(file: string, message: string, loc: TermLoc): BeambakeError {
  return new BeambakeError('TERM_PARSE', oneLine(message), { file, line: loc.line, column: loc.column });
}

export function isDigitOf(c: string, base: number): boolean {
  if (c.length === 0) return false;
  const v = parseInt(c, 36);
  return !Number.isNaN(v) && v < base && /^[0-9a-zA-Z]$/.test(c);
}

export function parseBigInt(digits: string, base: number): bigint {
  let v = 0n;
  const b = BigInt(base);
  for (const d of digits) v = v * b + BigInt(parseInt(d, 36));
  return v;
}

export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}

/** `'x'` for printable characters, `U+0007` style for the rest, `end of input` for none. */
export function describeChar(c: string): string {
  if (c === '') return 'end of input';
  const cp = c.codePointAt(0)!;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  if (cp < 0x20 || cp === 0x7f || cp === 0xfffd) return `character ${hex}`;
  return cp < 0x80 ? `'${c}'` : `'${c}' (${hex})`;
}

function codePoint(s: Scanner, cp: number, loc: TermLoc): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) s.fail(`invalid code point in escape: ${cp.toString(16)}`, loc);
  return String.fromCodePoint(cp);
}

function hexRun(s: Scanner, min: number, max: number, loc: TermLoc): number {
  let text = '';
  while (text.length < max && isDigitOf(s.peek(), 16)) text += s.next();
  if (text.length < min) s.fail('invalid escape: expected hexadecimal digits', loc);
  return parseInt(text, 16);
}

function bracedHex(s: Scanner, loc: TermLoc): number {
  s.next(); // {
  const v = hexRun(s, 1, 6, loc);
  if (s.next() !== '}') s.fail("invalid escape: expected '}'", loc);
  return v;
}

/** A braced code point `{...}` (both languages), else min..max bare hex digits. */
function hexEscape(s: Scanner, loc: TermLoc, min: number, max: number): string {
  return codePoint(s, s.peek() === '{' ? bracedHex(s, loc) : hexRun(s, min, max, loc), loc);
}

/** Escapes Erlang and Elixir spell alike. */
const COMMON_ESCAPES = new Map([
  ['b', '\b'],
  ['d', '\x7f'],
  ['e', '\x1b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['s', ' '],
  ['t', '\t'],
  ['v', '\v'],
]);
// In Erlang `\0` starts an octal escape instead.
const ELIXIR_ESCAPES = new Map([...COMMON_ESCAPES, ['a', '\x07'], ['0', '\0']]);

/** Erlang escape after a backslash (the scanner sits on the character after `\`). */
export function erlangEscape(s: Scanner, loc: TermLoc): string {
  const c = s.next();
  const simple = COMMON_ESCAPES.get(c);
  if (simple !== undefined) return simple;
  switch (c) {
    case 'x':
      return hexEscape(s, loc, 2, 2);
    case '^': {
      const k = s.next();
      if (k === '') s.fail('unterminated escape sequence', loc);
      return String.fromCodePoint(k.codePointAt(0)! & 31);
    }
    case '':
      return s.fail('unterminated escape sequence', loc);
    default:
      if (c >= '0' && c <= '7') {
        let text = c;
        while (text.length < 3 && s.peek() >= '0' && s.peek() <= '7') text += s.next();
        return String.fromCodePoint(parseInt(text, 8));
      }
      // Erlang keeps any other escaped character as itself (\\, \", \', ...).
      return c;
  }
}

/** Elixir escape after a backslash; returns '' for a line continuation. */
export function elixirEscape(s: Scanner, loc: TermLoc): string {
  const c = s.next();
  const simple = ELIXIR_ESCAPES.get(c);
  if (simple !== undefined) return simple;
  switch (c) {
    case '\n':
      return '';
    case '\r':
      if (s.peek() === '\n') s.next();
      return '';
    case 'x':
      return hexEscape(s, loc, 1, 2);
    case 'u':
      return hexEscape(s, loc, 4, 4);
    case '':
      return s.fail('unterminated escape sequence', loc);
    default:
      return c;
  }
}
