/**
 * Erlang term files as `file:consult/1` reads them: a sequence of terms, each
 * ended by a `.`. Used for rebar.lock, rebar.config, *.app.src and Hex
 * metadata.config. Only what erl_parse:normalise/1 turns into a value is
 * accepted: literals, parentheses around them, a unary `-`/`+` on a number,
 * `fun M:F/A` and binaries with bit syntax. Variables, records, other funs and
 * other expressions (`1+1`, `'-'(1)`, `-(-1)`) and unquoted reserved words
 * (`end`, `div`) are errors, as they are for `file:consult/1`.
 */
import { termError } from './scanner.js';
import { isReservedWord, tokenizeErlang, type ErlangToken as Tok } from './erlang-lexer.js';
import { TokenCursor } from './cursor.js';
import { integerValue, type Term, type TermLoc } from './term.js';
import { BitWriter, resolveSegment, writeSegment, type SegmentSize, type SegmentValue, type TypeSpecifier } from './binary.js';

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
        if (isReservedWord(t)) {
          // Unquoted `fun` can only start `fun M:F/A`; the other reserved words start no data at all.
          if (t.v === 'fun') return this.externalFun(t.loc);
          this.reservedWord(t);
        }
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
            return this.signedNumber(t);
          case '(': {
            // Parentheses only group: `(1)`, `{(a)}` and `[a|(b)]` are the values inside them.
            const inner = this.term();
            this.expectPunct(')', 'to close the parenthesis');
            return inner;
          }
          case '{':
            return { kind: 'tuple', items: this.sequence('}', 'in tuple'), loc: t.loc };
          case '[':
            return this.list(t.loc);
          case '<<':
            return this.binary(t.loc);
          case '#{':
            return this.map(t.loc);
          case '#':
            // `# {a => 1}`: the map's `#` and `{` are two tokens in Erlang, so layout may separate them.
            if (this.isPunct('{')) {
              this.take();
              return this.map(t.loc);
            }
            throw termError(this.file, 'records are not supported in a term file', t.loc);
        }
        return this.unexpected(t, 'expected a term');
      default:
        return this.unexpected(t, 'expected a term');
    }
  }

  /**
   * `-N` or `+N`: the one operator erl_parse:normalise/1 evaluates, on a number or `$c`
   * character, bare or in any number of parentheses (`-(1)`, `- ((2.5))`, `-$a` is -97).
   * Anything else after the sign is refused as file:consult refuses it, a second sign too
   * (`-(-1)`, `- -1`, `+-1`).
   */
  private signedNumber(sign: Tok): Term {
    const n = this.numberOperand(sign);
    const neg = sign.v === '-';
    if (n.t === 'float') return { kind: 'float', value: neg ? -n.v : n.v, loc: sign.loc };
    const v = n.v as bigint;
    return { kind: 'integer', value: integerValue(neg ? -v : v), loc: sign.loc };
  }

  private numberOperand(sign: Tok): Tok {
    const t = this.take();
    if (t.t === 'int' || t.t === 'char' || t.t === 'float') return t;
    if (t.t === 'punct' && t.v === '(') {
      this.enter(t.loc);
      try {
        const n = this.numberOperand(sign);
        this.expectPunct(')', 'to close the parenthesis');
        return n;
      } finally {
        this.leave();
      }
    }
    return this.unexpected(t, `expected a number after '${String(sign.v)}'`);
  }

  private reservedWord(t: Tok): never {
    throw termError(this.file, `unexpected reserved word ${String(t.v)}: write it quoted ('${String(t.v)}') for the atom`, t.loc);
  }

  /** `fun M:F/A` with literal atoms and arity, the one fun form `file:consult/1` reads. */
  private externalFun(loc: TermLoc): Term {
    const m = this.take();
    if (m.t !== 'atom') this.unexpected(m, 'expected a module name after fun (only fun Module:Function/Arity is data)');
    if (isReservedWord(m)) this.reservedWord(m);
    this.expectPunct(':', 'after the module of a fun');
    const f = this.take();
    if (f.t !== 'atom') this.unexpected(f, 'expected a function name in fun Module:Function/Arity');
    if (isReservedWord(f)) this.reservedWord(f);
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
