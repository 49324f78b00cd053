/**
 * What the Erlang and Elixir parsers share: one token of lookahead over a
 * lazily tokenized stream that ends with an `eof` token (so the first problem
 * in file order is the one reported), punctuation tests, and signed numbers.
 */
import { integerValue, type Term, type TermLoc } from './term.js';
import { termError } from './scanner.js';
import { MAX_NESTING } from '../util/nesting.js';

/** The fields every token of both tokenizers has; both end their stream with `{t: 'eof'}`. */
export interface BaseToken {
  t: string;
  v: unknown;
  loc: TermLoc;
}

export abstract class TokenCursor<T extends BaseToken> {
  /**
   * The next token (what `peek()` returns). The Elixir parser's item loops
   * read it directly: they run a few times per token of a lockfile, where a
   * call per test is a measurable part of a cold run.
   */
  protected current: T;
  /**
   * Open lists, tuples, maps and binaries around the cursor: bounded, so no input can exhaust the
   * stack. The Elixir parser counts it inline, as enter() and leave() do, once per value.
   */
  protected depth = 0;

  constructor(
    private readonly toks: { take(): T },
    protected readonly file: string,
  ) {
    this.current = toks.take();
  }

  /** Throws the located "unexpected X, expected Y" error; each language names its tokens. */
  protected abstract unexpected(t: T, expected?: string): never;

  /** Enter one level of nesting (at `loc`); refuses input nested deeper than MAX_NESTING. */
  protected enter(loc: TermLoc): void {
    if (++this.depth > MAX_NESTING) this.tooDeep(loc);
  }

  protected tooDeep(loc: TermLoc): never {
    throw termError(this.file, `nested too deeply (more than ${MAX_NESTING} levels)`, loc);
  }

  protected leave(): void {
    this.depth--;
  }

  /** How many lists, tuples, maps and binaries are open (1 inside the top-level term). */
  protected get nesting(): number {
    return this.depth;
  }

  protected peek(): T {
    return this.current;
  }

  protected take(): T {
    const t = this.current;
    if (t.t !== 'eof') this.current = this.toks.take();
    return t;
  }

  protected isPunct(v: string): boolean {
    return this.current.t === 'punct' && this.current.v === v;
  }

  /** A number after `-` or `+` (already taken), as one term at the sign's position. */
  protected signed(sign: T): Term {
    const n = this.take();
    const neg = sign.v === '-';
    if (n.t === 'int' || n.t === 'char') {
      const v = n.v as bigint;
      return { kind: 'integer', value: integerValue(neg ? -v : v), loc: sign.loc };
    }
    if (n.t === 'float') {
      const v = n.v as number;
      return { kind: 'float', value: neg ? -v : v, loc: sign.loc };
    }
    return this.unexpected(n, `expected a number after '${String(sign.v)}'`);
  }
}
