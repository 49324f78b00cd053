/**
 * Erlang term files as `file:consult/1` reads them: a sequence of terms, each
 * ended by a `.`. Used for rebar.lock, rebar.config, *.app.src and Hex
 * metadata.config. Only data is accepted: variables, records, funs and
 * expressions are errors, as they are for `file:consult/1`.
 */
import { Scanner, tokenStream, describeChar, erlangEscape, isDigitOf, isSpace, parseBigInt, termError } from './scanner.js';
import { TokenCursor } from './cursor.js';
import { integerValue, type Term, type TermLoc } from './term.js';
import { BitWriter, resolveSegment, writeSegment, type SegmentSize, type SegmentValue, type TypeSpecifier } from './binary.js';

type Tok =
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

function tokenizeErlang(text: string, file: string): Generator<Tok, void, undefined> {
  return tokenStream(text, file, COMMENT, token);
}

/** One token starting at `c`. */
function token(s: Scanner, c: string, loc: TermLoc): Tok {
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

function number(s: Scanner, loc: TermLoc): Tok {
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

/** A value inside a binary segment; `signed`: a `-`/`+` was applied, and another may not be. */
type Operand = (SegmentValue | { t: 'atom'; v: string }) & { signed?: boolean };

class ErlangParser extends TokenCursor<Tok> {
  private expectPunct(v: string, context: string): void {
    const t = this.peek();
    if (t.t === 'punct' && t.v === v) {
      this.take();
      return;
    }
    this.unexpected(t, `expected '${v}' ${context}`);
  }
  protected unexpected(t: Tok, expected?: string): never {
    const what =
      t.t === 'eof'
        ? 'end of input'
        : t.t === 'string'
          ? 'string'
          : t.t === 'dot'
            ? "'.'"
            : t.t === 'var'
              ? `variable ${t.v}`
              : `'${String(t.v)}'`;
    throw termError(this.file, `unexpected ${what}${expected ? `, ${expected}` : ''}`, t.loc);
  }

  all(): Term[] {
    const out: Term[] = [];
    while (this.peek().t !== 'eof') {
      out.push(this.term());
      const t = this.peek();
      if (t.t !== 'dot') this.unexpected(t, "expected '.' after the term");
      this.take();
    }
    return out;
  }

  term(): Term {
    const t = this.peek();
    this.enter(t.loc);
    try {
      return this.termAt();
    } finally {
      this.leave();
    }
  }

  private termAt(): Term {
    const t = this.take();
    switch (t.t) {
      case 'atom':
        // `fun` is a reserved word: unquoted, it can only start `fun M:F/A` (quoted 'fun' is the atom).
        if (t.v === 'fun' && t.raw) return this.externalFun(t.loc);
        return { kind: 'atom', value: t.v, loc: t.loc };
      case 'string': {
        // Adjacent string literals concatenate, as in Erlang source.
        let v = t.v;
        while (this.peek().t === 'string') v += (this.take() as { v: string }).v;
        return { kind: 'charlist', value: v, loc: t.loc };
      }
      case 'int':
      case 'char':
        return { kind: 'integer', value: integerValue(t.v), loc: t.loc };
      case 'float':
        return { kind: 'float', value: t.v, loc: t.loc };
      case 'var':
        throw termError(this.file, `unexpected variable ${t.v}: a term file holds only literal values`, t.loc);
      case 'punct':
        switch (t.v) {
          case '-':
          case '+':
            return this.signed(t);
          case '{':
            return { kind: 'tuple', items: this.sequence('}', 'in tuple'), loc: t.loc };
          case '[':
            return this.list(t.loc);
          case '<<':
            return this.binary(t.loc);
          case '#{':
            return this.map(t.loc);
          case '#':
            throw termError(this.file, 'records are not supported in a term file', t.loc);
        }
        return this.unexpected(t, 'expected a term');
      default:
        return this.unexpected(t, 'expected a term');
    }
  }

  /** `fun M:F/A` with literal atoms and arity, the one fun form `file:consult/1` reads. */
  private externalFun(loc: TermLoc): Term {
    const m = this.take();
    if (m.t !== 'atom') this.unexpected(m, 'expected a module name after fun (only fun Module:Function/Arity is data)');
    this.expectPunct(':', 'after the module of a fun');
    const f = this.take();
    if (f.t !== 'atom') this.unexpected(f, 'expected a function name in fun Module:Function/Arity');
    this.expectPunct('/', 'after the function of a fun');
    const a = this.take();
    if (a.t !== 'int' || a.v > 255n) this.unexpected(a, 'expected the arity (0..255) in fun Module:Function/Arity');
    return { kind: 'fun', module: m.v, name: f.v, arity: Number(a.v), loc };
  }

  private sequence(close: string, context: string): Term[] {
    const items: Term[] = [];
    if (this.isPunct(close)) {
      this.take();
      return items;
    }
    for (;;) {
      items.push(this.term());
      if (this.isPunct(',')) {
        this.take();
        continue;
      }
      this.expectPunct(close, `or ',' ${context}`);
      return items;
    }
  }

  private list(loc: TermLoc): Term {
    const items: Term[] = [];
    if (this.isPunct(']')) {
      this.take();
      return { kind: 'list', items, loc };
    }
    for (;;) {
      items.push(this.term());
      if (this.isPunct(',')) {
        this.take();
        continue;
      }
      if (this.isPunct('|')) {
        this.take();
        const tail = this.term();
        this.expectPunct(']', "after the tail of a list");
        // `[a | [b]]` is the proper list [a, b] (and `[a | "bc"]` is [a, $b, $c]); anything else stays an improper tail.
        if (tail.kind === 'charlist') {
          for (const ch of tail.value) items.push({ kind: 'integer', value: ch.codePointAt(0)!, loc: tail.loc });
          return { kind: 'list', items, loc };
        }
        if (tail.kind !== 'list') return { kind: 'list', items, tail, loc };
        for (const item of tail.items) items.push(item);
        return { kind: 'list', items, ...(tail.tail ? { tail: tail.tail } : {}), loc };
      }
      this.expectPunct(']', "or ',' in list");
      return { kind: 'list', items, loc };
    }
  }

  /** `<<Segment, ...>>` from after `<<`, evaluated as `file:consult/1` evaluates it (see binary.ts). */
  private binary(loc: TermLoc): Term {
    const out = this.binaryBits();
    if (out.size % 8 === 0) return { kind: 'binary', value: out.text(), loc };
    return { kind: 'bitstring', value: out.bytes().slice(), bits: out.size, loc };
  }

  private binaryBits(): BitWriter {
    const out = new BitWriter();
    if (this.isPunct('>>')) this.take();
    else {
      for (;;) {
        const at = this.peek().loc;
        const fail = (message: string): never => {
          throw termError(this.file, message, at);
        };
        const value = this.segmentValue();
        let size: SegmentSize;
        if (this.isPunct(':')) {
          this.take();
          size = this.segmentSize();
        }
        const specs: TypeSpecifier[] = [];
        if (this.isPunct('/')) {
          do {
            this.take();
            const name = this.take();
            if (name.t !== 'atom') this.unexpected(name, 'expected a binary segment type (integer, float, binary, utf8, big, unit:N, ...)');
            let arg: bigint | undefined;
            if (this.isPunct(':')) {
              this.take();
              const n = this.take();
              if (n.t !== 'int') this.unexpected(n, `expected an integer after ${name.v}:`);
              arg = n.v;
            }
            specs.push({ name: name.v, arg });
          } while (this.isPunct('-'));
        }
        writeSegment(out, resolveSegment(specs, size, fail), value, fail);
        if (!this.isPunct(',')) break;
        this.take();
      }
      this.expectPunct('>>', "or ',' in binary");
    }
    return out;
  }

  /** A segment's value: a number (with an optional sign), a string, or a nested binary. */
  private segmentValue(): SegmentValue {
    const t = this.peek();
    const v = this.segmentOperand();
    if (v.t === 'atom') throw termError(this.file, `the atom ${v.v} cannot be a binary segment value (expected a number, string or <<...>>)`, t.loc);
    return v;
  }

  /**
   * `[+-] Primary`, where Primary is a number, string(s), `<<...>>`, atom or `( ... )`: the
   * expressions erl_parse:normalise/1 turns into values. A sign applies to a number only,
   * and only once (`-(-1)` is refused, as file:consult refuses it).
   */
  private segmentOperand(): Operand {
    const sign = this.peek();
    if (sign.t === 'punct' && (sign.v === '-' || sign.v === '+')) {
      this.take();
      const inner = this.peek();
      const v = this.segmentPrimary();
      if (v.signed || (v.t !== 'int' && v.t !== 'float')) this.unexpected(inner, `expected a number after '${sign.v}'`);
      if (sign.v === '+') return { ...v, signed: true };
      return v.t === 'int' ? { t: 'int', v: -v.v, signed: true } : { t: 'float', v: -v.v, signed: true };
    }
    return this.segmentPrimary();
  }

  private segmentPrimary(): Operand {
    const t = this.take();
    switch (t.t) {
      case 'int':
      case 'char':
        return { t: 'int', v: t.v };
      case 'float':
        return { t: 'float', v: t.v };
      case 'atom':
        return { t: 'atom', v: t.v };
      case 'string': {
        let v = t.v;
        while (this.peek().t === 'string') v += (this.take() as { v: string }).v;
        return { t: 'string', v };
      }
      case 'punct':
        if (t.v === '<<' || t.v === '(') {
          this.enter(t.loc);
          try {
            if (t.v === '(') {
              const v = this.segmentOperand();
              this.expectPunct(')', 'to close the parenthesis');
              return v;
            }
            const b = this.binaryBits();
            return { t: 'bits', bytes: b.bytes(), bits: b.size };
          } finally {
            this.leave();
          }
        }
    }
    return this.unexpected(t, 'expected a number, string or <<...>> as a binary segment value');
  }

  /** `:Size`: an integer, an atom or a parenthesised expression of one (`all`, `undefined` and `(8)` are valid). */
  private segmentSize(): SegmentSize {
    const t = this.peek();
    if (t.t === 'punct' && (t.v === '-' || t.v === '+')) this.unexpected(t, 'expected a binary segment size (write a signed size in parentheses)');
    const v = this.segmentPrimary();
    if (v.t === 'int') return v.v;
    if (v.t === 'atom') return { atom: v.v };
    throw termError(this.file, 'binary segment size must be an integer', t.loc);
  }

  private map(loc: TermLoc): Term {
    const entries: [Term, Term][] = [];
    if (this.isPunct('}')) {
      this.take();
      return { kind: 'map', entries, loc };
    }
    for (;;) {
      const k = this.term();
      this.expectPunct('=>', 'after map key');
      entries.push([k, this.term()]);
      if (this.isPunct(',')) {
        this.take();
        continue;
      }
      this.expectPunct('}', "or ',' in map");
      return { kind: 'map', entries, loc };
    }
  }
}

/** Parse a `file:consult/1` style file: zero or more terms, each ended by `.`. */
export function parseErlangTerms(text: string, file: string): Term[] {
  return new ErlangParser(tokenizeErlang(text, file), file).all();
}
