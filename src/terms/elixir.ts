/**
 * One Elixir literal expression (what `Code.eval_file/1` would return for a
 * mix.lock), parsed without evaluating anything: maps, keyword lists, tuples,
 * lists, atoms, strings, charlists, binaries and numbers. Code is an error.
 */
import { tokenizeElixir, type ElixirToken } from './elixir-lexer.js';
import { readPlainElixirTerm, type TopMapEntry } from './elixir-fast.js';
import { termError } from './scanner.js';
import { TokenCursor } from './cursor.js';
import { MAX_NESTING } from '../util/nesting.js';
import { BinaryBytes, integerValue, type Term, type TermLoc, type TermOf } from './term.js';

const LITERAL_NAMES = new Set(['true', 'false', 'nil']);

export type { TopMapEntry };

class ElixirParser extends TokenCursor<ElixirToken> {
  constructor(
    toks: { take(): ElixirToken },
    file: string,
    private readonly onTopMapEntry?: TopMapEntry,
  ) {
    super(toks, file);
  }

  /** Entries of the top-level map go to the callback: a 100,000-entry mix.lock never holds its whole tree. */
  private addEntry(entries: [Term, Term][], key: Term, value: Term): void {
    if (this.onTopMapEntry && this.nesting === 1) this.onTopMapEntry(key, value);
    else entries.push([key, value]);
  }
  protected unexpected(t: ElixirToken, expected?: string): never {
    let what: string;
    switch (t.t) {
      case 'eof':
        what = 'end of input';
        break;
      case 'ident':
        what = `identifier '${t.v}'`;
        break;
      case 'alias':
        what = `alias '${t.v}'`;
        break;
      case 'kw':
        what = `keyword key '${t.v}:'`;
        break;
      case 'string':
        what = 'string';
        break;
      case 'charlist':
        what = 'charlist';
        break;
      case 'sigil':
        what = `sigil ~${t.sigil}`;
        break;
      case 'op':
        what = `character '${t.v}'`;
        break;
      default:
        what = `'${String(t.v)}'`;
    }
    throw termError(this.file, `unexpected ${what}${expected ? `, ${expected}` : ''}`, t.loc);
  }

  document(): Term {
    const value = this.value();
    const t = this.peek();
    if (t.t !== 'eof') this.unexpected(t, 'expected end of input after the term');
    return value;
  }

  value(): Term {
    // enter() and leave() inline, without a try/finally: a parse that throws is abandoned, nesting count and all
    if (++this.depth > MAX_NESTING) this.tooDeep(this.current.loc);
    const v = this.valueAt();
    this.depth--;
    return v;
  }

  private valueAt(): Term {
    const t = this.take();
    // cases are compared in order: the most frequent kinds of value first
    switch (t.t) {
      case 'string':
        if (t.interpolated) throw termError(this.file, 'string interpolation is not allowed here: only literal values', t.loc);
        return { kind: 'binary', value: t.v, loc: t.loc };
      case 'atom':
        return { kind: 'atom', value: t.v, loc: t.loc };
      case 'punct':
        switch (t.v) {
          case '{':
            return this.tuple(t.loc);
          case '[':
            return { kind: 'list', items: this.items(']', 'list'), loc: t.loc };
          case '%{':
            return this.map(t.loc);
          case '<<':
            return this.binary(t.loc);
        }
        return this.unexpected(t, 'expected a value');
      case 'ident':
        if (LITERAL_NAMES.has(t.v)) return { kind: 'atom', value: t.v, loc: t.loc };
        throw termError(this.file, `unexpected identifier '${t.v}': only literal values are allowed here`, t.loc);
      case 'charlist':
        if (t.interpolated) throw termError(this.file, 'string interpolation is not allowed here: only literal values', t.loc);
        return { kind: 'charlist', value: t.v, loc: t.loc };
      case 'int':
        return { kind: 'integer', value: integerValue(t.v), loc: t.loc };
      case 'float':
        return { kind: 'float', value: t.v, loc: t.loc };
      case 'op':
        if (t.v === '-' || t.v === '+') return this.signed(t);
        return this.unexpected(t, 'expected a value');
      default:
        return this.unexpected(t, 'expected a value');
    }
  }

  /** A keyword entry `key: value` as the BEAM sees it: `{:key, value}`. */
  private keywordPair(): Term {
    const k = this.take() as Extract<ElixirToken, { t: 'kw' }>;
    const key: Term = { kind: 'atom', value: k.v, loc: k.loc };
    return { kind: 'tuple', items: [key, this.value()], loc: k.loc };
  }

  /**
   * Comma-separated items up to `close`, trailing comma allowed. Keyword
   * entries may only come last, as in Elixir (`[1, a: 2]` is `[1, {:a, 2}]`).
   */
  private items(close: string, what: string, keywords?: Term[]): Term[] {
    const items: Term[] = [];
    let inKeywords = false;
    for (;;) {
      let t = this.current;
      if (t.t === 'punct' && t.v === close) {
        this.take();
        return items;
      }
      if (t.t === 'kw') {
        inKeywords = true;
        (keywords ?? items).push(this.keywordPair());
      } else if (inKeywords) {
        this.unexpected(t, `expected a keyword entry: keyword entries must come last in a ${what}`);
      } else {
        items.push(this.value());
      }
      t = this.current;
      if (t.t === 'punct' && t.v === ',') {
        this.take();
        continue;
      }
      if (!(t.t === 'punct' && t.v === close)) this.unexpected(t, `expected ',' or '${close}' in ${what}`);
    }
  }

  private tuple(loc: TermLoc): Term {
    const keywords: Term[] = [];
    const items = this.items('}', 'tuple', keywords);
    // `{:a, b: 1}` is `{:a, [b: 1]}`: trailing keywords form one list element.
    if (keywords.length > 0) items.push({ kind: 'list', items: keywords, loc: keywords[0]!.loc });
    return { kind: 'tuple', items, loc };
  }

  private map(loc: TermLoc): Term {
    const entries: [Term, Term][] = [];
    let inKeywords = false;
    for (;;) {
      let t = this.current;
      if (t.t === 'punct' && t.v === '}') {
        this.take();
        return { kind: 'map', entries, loc };
      }
      if (t.t === 'kw') {
        inKeywords = true;
        const pair = this.keywordPair() as Extract<Term, { kind: 'tuple' }>;
        this.addEntry(entries, pair.items[0]!, pair.items[1]!);
      } else if (inKeywords) {
        this.unexpected(t, 'expected a keyword entry: keyword entries must come last in a map');
      } else {
        const key = this.value();
        if (!this.isPunct('=>')) this.unexpected(this.peek(), "expected '=>' after map key");
        this.take();
        this.addEntry(entries, key, this.value());
      }
      t = this.current;
      if (t.t === 'punct' && t.v === ',') {
        this.take();
        continue;
      }
      if (!(t.t === 'punct' && t.v === '}')) this.unexpected(t, "expected ',' or '}' in map");
    }
  }

  private binary(loc: TermLoc): Term {
    return { kind: 'binary', value: this.binaryBytes().text(), loc };
  }

  /** The bytes of `<<...>>`, read from after its opening token. */
  private binaryBytes(): BinaryBytes {
    const bytes = new BinaryBytes();
    for (;;) {
      if (this.isPunct('>>')) {
        this.take();
        return bytes;
      }
      // A nested binary joins by its bytes: its text may be the one-character-per-byte fallback.
      let seg: BinaryBytes | Term;
      if (this.isPunct('<<')) {
        this.enter(this.take().loc);
        seg = this.binaryBytes();
        this.leave();
      } else {
        seg = this.value();
        if (seg.kind !== 'binary' && !(seg.kind === 'integer' && seg.value >= 0 && seg.value <= 255)) {
          throw termError(this.file, 'expected a string or a byte (0..255) in binary', seg.loc);
        }
      }
      let utf8 = false;
      if (this.isPunct('::')) {
        this.take();
        const type = this.take();
        if (type.t !== 'ident' || !['binary', 'utf8', 'integer', 'bytes'].includes(type.v)) {
          this.unexpected(type, 'expected a binary segment type (binary, utf8)');
        }
        utf8 = type.v === 'utf8';
      }
      if (seg instanceof BinaryBytes) bytes.append(seg);
      else if (seg.kind === 'binary') bytes.utf8(seg.value);
      else if (utf8) bytes.utf8(String.fromCodePoint(Number((seg as TermOf<'integer'>).value)));
      else bytes.byte(Number((seg as TermOf<'integer'>).value));
      if (this.isPunct(',')) {
        this.take();
        continue;
      }
      if (!this.isPunct('>>')) this.unexpected(this.peek(), "expected ',' or '>>' in binary");
    }
  }
}

/**
 * Parse one Elixir literal expression, e.g. a whole mix.lock. With
 * `onTopMapEntry`, a top-level map hands over its entries one by one (in file
 * order) and comes back empty.
 */
export function parseElixirTerm(text: string, file: string, onTopMapEntry?: TopMapEntry): Term {
  const fast = readPlainElixirTerm(text, onTopMapEntry);
  if (fast.term) return fast.term;
  // Anything else, errors included, is the general parser's, from the start; the entries the fast
  // path has handed over already (the same terms, in the same order) are not handed over again.
  let skip = fast.delivered;
  const onEntry =
    onTopMapEntry && skip > 0
      ? (key: Term, value: Term) => {
          if (skip > 0) skip--;
          else onTopMapEntry(key, value);
        }
      : onTopMapEntry;
  return parseElixirTermGeneral(text, file, onEntry);
}

/** The general parser alone: what test/terms compares the fast path of `parseElixirTerm` with. */
export function parseElixirTermGeneral(text: string, file: string, onTopMapEntry?: TopMapEntry): Term {
  return new ElixirParser(tokenizeElixir(text, file), file, onTopMapEntry).document();
}
