/**
 * The fast path of `parseElixirTerm` for what a mix.lock is made of: maps,
 * tuples, lists and keyword lists of plain strings, plain atoms and
 * true/false/nil, read in one pass over the text, without token objects.
 *
 * Why: `beambake recipe` parses the lock once per run, in code V8 has not
 * optimised, where every property load, comparison and call is a call into
 * V8. The general tokenizer and parser (elixir-lexer.ts, elixir.ts) spend
 * ~7,000 instructions per token that way; here the state is a few variables
 * of one closure and a token costs a few comparisons.
 *
 * It mirrors the general parser (same tokens, by the same regular
 * expressions; same terms, at the same locations; one token of lookahead, so
 * top-level map entries are handed over at the same points) and stops at
 * anything else: comments, escapes, numbers, sigils, code, surrogate pairs,
 * any error. `parseElixirTerm` then parses the text again with the general
 * parser, which reports errors exactly as before, without handing over the
 * entries this path already has. test/terms/elixir-fast.test.ts compares both.
 */
import { PLAIN_ATOM, PLAIN_NAME, PLAIN_STRING } from './elixir-lexer.js';
import { MAX_NESTING } from '../util/nesting.js';
import type { Term, TermLoc } from './term.js';

/** Called for each entry of a top-level map as soon as it is read; the map term is then returned empty. */
export type TopMapEntry = (key: Term, value: Term) => void;

/** The term, or (`term` undefined) how many top-level map entries went to `onTopMapEntry` before the fast path stopped. */
export interface FastRead {
  term?: Term;
  delivered: number;
}

// token kinds; punctuation is `PUNCT` with its character code (or MAP_OPEN, ARROW) in `code`
const EOF = 0;
const PUNCT = 1;
const STRING = 2;
const ATOM = 3;
const KW = 4;
const IDENT = 5;
const MAP_OPEN = -1; // %{
const ARROW = -2; // =>
const COMMA = 44;
const OPEN_LIST = 91;
const CLOSE_LIST = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Thrown where the fast path stops; anything else thrown (by `onTopMapEntry`) is a real error. */
const STOP = new Error('not a plain Elixir literal');

/** What Scanner counts columns by: without one, a column is an index difference. */
const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

export function readPlainElixirTerm(source: string, onTopMapEntry?: TopMapEntry): FastRead {
  // a byte order mark is not part of the term text, as in Scanner
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  let delivered = 0;
  if (HIGH_SURROGATE.test(text)) return { delivered };
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  // The current token (the general parser's `current`). Its location is kept as numbers and made
  // an object only for the tokens that become terms: most tokens are commas and closing brackets.
  let kind = EOF;
  let code = 0;
  let tokenText = '';
  let tokenLine = 1;
  let tokenColumn = 1;
  const loc = (): TermLoc => ({ line: tokenLine, column: tokenColumn });

  /** Whether sticky `re` matches at `i`; the match is consumed. None of them matches a line break. */
  function match(re: RegExp): boolean {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  }

  /** Reads the next token into kind/code/tokenText and its location, as the general tokenizer's shortcuts read it; stops at any other. */
  function advance(): void {
    let u = text.charCodeAt(i);
    // Scanner.tokenStart's white space (NaN, the end, is none)
    while (u > 32 ? u === 0xa0 : u === 32 || u === 10 || u === 9 || u === 13 || u === 12 || u === 11) {
      if (u === 10) {
        line++;
        lineStart = i + 1;
      }
      u = text.charCodeAt(++i);
    }
    const start = i;
    tokenLine = line;
    tokenColumn = start - lineStart + 1;
    switch (u) {
      case COMMA:
      case OPEN_LIST:
      case CLOSE_LIST:
      case OPEN_BRACE:
      case CLOSE_BRACE:
        i++;
        kind = PUNCT;
        code = u;
        return;
      // Strings, atoms and names: the text between the delimiters, cut once; a keyword key ends in `:`.
      case 34:
        if (!match(PLAIN_STRING)) throw STOP;
        kind = text.charCodeAt(i - 1) === 58 ? KW : STRING;
        tokenText = text.slice(start + 1, kind === KW ? i - 2 : i - 1);
        return;
      case 58:
        if (!match(PLAIN_ATOM)) throw STOP;
        kind = ATOM;
        tokenText = text.slice(start + 1, i);
        return;
      case 37: // %{
        if (text.charCodeAt(i + 1) !== OPEN_BRACE) throw STOP;
        i += 2;
        kind = PUNCT;
        code = MAP_OPEN;
        return;
      case 61: // =>
        if (text.charCodeAt(i + 1) !== 62) throw STOP;
        i += 2;
        kind = PUNCT;
        code = ARROW;
        return;
    }
    if (u === 95 || (u >= 97 && u <= 122)) {
      if (!match(PLAIN_NAME)) throw STOP;
      kind = text.charCodeAt(i - 1) === 58 ? KW : IDENT;
      tokenText = text.slice(start, kind === KW ? i - 1 : i);
      return;
    }
    if (u !== u) kind = EOF;
    else throw STOP;
  }

  /** The general parser's value(): the token is taken first, so a container reads on from the token after it. */
  function value(): Term {
    if (++depth > MAX_NESTING) throw STOP;
    const at = loc();
    const k = kind;
    const c = code;
    const v = tokenText;
    advance();
    let t: Term;
    if (k === STRING) t = { kind: 'binary', value: v, loc: at };
    else if (k === ATOM) t = { kind: 'atom', value: v, loc: at };
    // the general parser's LITERAL_NAMES
    else if (k === IDENT && (v === 'true' || v === 'false' || v === 'nil')) t = { kind: 'atom', value: v, loc: at };
    else if (k !== PUNCT) throw STOP;
    else if (c === OPEN_BRACE) t = tuple(at);
    else if (c === OPEN_LIST) t = { kind: 'list', items: items(CLOSE_LIST), loc: at };
    else if (c === MAP_OPEN) t = map(at);
    else throw STOP;
    depth--;
    return t;
  }

  function keywordPair(): Term {
    const at = loc();
    const key: Term = { kind: 'atom', value: tokenText, loc: at };
    advance();
    return { kind: 'tuple', items: [key, value()], loc: at };
  }

  function items(close: number, keywords?: Term[]): Term[] {
    const out: Term[] = [];
    let inKeywords = false;
    for (;;) {
      if (kind === PUNCT && code === close) {
        advance();
        return out;
      }
      if (kind === KW) {
        inKeywords = true;
        (keywords ?? out).push(keywordPair());
      } else if (inKeywords) throw STOP;
      else out.push(value());
      if (kind === PUNCT && code === COMMA) {
        advance();
        continue;
      }
      if (kind !== PUNCT || code !== close) throw STOP;
    }
  }

  function tuple(at: TermLoc): Term {
    const keywords: Term[] = [];
    const out = items(CLOSE_BRACE, keywords);
    if (keywords.length > 0) out.push({ kind: 'list', items: keywords, loc: keywords[0]!.loc });
    return { kind: 'tuple', items: out, loc: at };
  }

  function map(at: TermLoc): Term {
    const entries: [Term, Term][] = [];
    const add = (key: Term, v: Term): void => {
      if (onTopMapEntry && depth === 1) {
        onTopMapEntry(key, v);
        delivered++;
      } else entries.push([key, v]);
    };
    let inKeywords = false;
    for (;;) {
      if (kind === PUNCT && code === CLOSE_BRACE) {
        advance();
        return { kind: 'map', entries, loc: at };
      }
      if (kind === KW) {
        inKeywords = true;
        const pair = keywordPair() as Extract<Term, { kind: 'tuple' }>;
        add(pair.items[0]!, pair.items[1]!);
      } else if (inKeywords) throw STOP;
      else {
        const key = value();
        if (kind !== PUNCT || code !== ARROW) throw STOP;
        advance();
        add(key, value());
      }
      if (kind === PUNCT && code === COMMA) {
        advance();
        continue;
      }
      if (kind !== PUNCT || code !== CLOSE_BRACE) throw STOP;
    }
  }

  try {
    advance();
    const term = value();
    if (kind !== EOF) throw STOP;
    return { term, delivered };
  } catch (e) {
    if (e !== STOP) throw e;
    return { delivered };
  }
}
