/**
 * Erlang and Elixir term syntax: one value model, two parsers. Lockfile,
 * project and Hex metadata readers all go through here; none of them looks at
 * lines of text.
 */
export type { Term, TermKind, TermLoc, TermOf } from './term.js';
export { describeTerm, isAtom, keywordGet, oneLine, textOf } from './term.js';
export { parseErlangTerms } from './erlang.js';
export { parseElixirTerm } from './elixir.js';
export { tokenizeElixir, type ElixirToken } from './elixir-lexer.js';
