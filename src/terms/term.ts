/**
 * The value model shared by the Erlang and Elixir term parsers. Both languages
 * reduce to the same handful of BEAM types; Elixir keyword lists arrive as
 * lists of `{atom, value}` 2-tuples exactly as the BEAM sees them.
 */

export interface TermLoc {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in Unicode code points. */
  column: number;
}

export type Term =
  | { kind: 'atom'; value: string; loc: TermLoc }
  /** `value`: the bytes as UTF-8 text when valid, else one character per byte (see `BinaryBytes`). */
  | { kind: 'binary'; value: string; loc: TermLoc }
  /**
   * A bitstring whose size is not a whole number of bytes (`<<1:4>>`): `bits`
   * bits, the last of `value`'s bytes padded with zero bits at the low end.
   * Whole-byte results are always `binary`.
   */
  | { kind: 'bitstring'; value: Uint8Array; bits: number; loc: TermLoc }
  | { kind: 'charlist'; value: string; loc: TermLoc }
  | { kind: 'integer'; value: bigint | number; loc: TermLoc }
  | { kind: 'float'; value: number; loc: TermLoc }
  | { kind: 'tuple'; items: Term[]; loc: TermLoc }
  /** `tail`: the last tail of an improper list (`[a | b]`), which `file:consult/1` accepts; lock readers ignore it. */
  | { kind: 'list'; items: Term[]; tail?: Term; loc: TermLoc }
  | { kind: 'map'; entries: [Term, Term][]; loc: TermLoc }
  /** An external fun, `fun M:F/A` (rebar.config hooks, relx `vsn` callbacks). */
  | { kind: 'fun'; module: string; name: string; arity: number; loc: TermLoc };

export type TermKind = Term['kind'];
export type TermOf<K extends TermKind> = Extract<Term, { kind: K }>;

// ignoreBOM keeps a leading EF BB BF as U+FEFF instead of dropping it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The bytes of a binary literal, collected segment by segment. A binary term
 * carries text: its bytes decoded as UTF-8 when they are valid UTF-8 (so
 * `<<230,151,165>>`, `<<"日"/utf8>>` and Elixir's `"日"` all read as "日", as
 * `unicode:characters_to_binary/1` would round-trip them), otherwise one
 * character per byte, so no byte is ever lost.
 */
export class BinaryBytes {
  // Lockfile binaries are nearly all ASCII, where bytes and text coincide:
  // keep the text until the first non-ASCII byte, then switch to bytes.
  private ascii = '';
  private bytes: number[] | undefined;

  /** One byte, 0..255 (the caller has checked the range). */
  byte(b: number): void {
    if (this.bytes === undefined && b < 0x80) this.ascii += String.fromCharCode(b);
    else this.raw().push(b);
  }

  /** The UTF-8 encoding of `text` (Erlang `/utf8` segments, Elixir strings). */
  utf8(text: string): void {
    if (this.bytes === undefined && ASCII.test(text)) this.ascii += text;
    else for (const b of Buffer.from(text, 'utf8')) this.raw().push(b);
  }

  /**
   * One byte per character (an Erlang string segment without `/utf8`).
   * Returns the first character above 255, which does not fit, or undefined.
   */
  latin1(text: string): string | undefined {
    if (this.bytes === undefined && ASCII.test(text)) {
      this.ascii += text;
      return undefined;
    }
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp > 0xff) return ch;
      this.raw().push(cp);
    }
    return undefined;
  }

  append(other: BinaryBytes): void {
    if (other.bytes === undefined) this.utf8(other.ascii);
    else for (const b of other.bytes) this.raw().push(b);
  }

  text(): string {
    return this.bytes === undefined ? this.ascii : bytesText(Uint8Array.from(this.bytes));
  }

  private raw(): number[] {
    if (this.bytes === undefined) {
      this.bytes = [];
      for (let i = 0; i < this.ascii.length; i++) this.bytes.push(this.ascii.charCodeAt(i));
    }
    return this.bytes;
  }
}

/** The text a binary term carries for `data`: UTF-8 when valid, else one character per byte. */
export function bytesText(data: Uint8Array): string {
  try {
    return strictUtf8.decode(data);
  } catch {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  }
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

/** Integers stay plain numbers while exact; larger ones become bigint. */
export function integerValue(big: bigint): bigint | number {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** A short human description of a term, for error messages ("a tuple of 3", "the atom :hex"). */
export function describeTerm(t: Term): string {
  switch (t.kind) {
    case 'atom':
      return `the atom ${t.value}`;
    case 'binary':
      return `the string ${JSON.stringify(truncate(t.value))}`;
    case 'bitstring':
      return `a bitstring of ${t.bits} bits`;
    case 'charlist':
      return `the charlist ${JSON.stringify(truncate(t.value))}`;
    case 'integer':
      return `the integer ${t.value}`;
    case 'float':
      return `the float ${t.value}`;
    case 'tuple':
      return `a tuple of ${t.items.length}`;
    case 'list':
      return `a list of ${t.items.length}`;
    case 'map':
      return `a map of ${t.entries.length}`;
    case 'fun':
      return `fun ${t.module}:${t.name}/${t.arity}`;
  }
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** The text of a binary, charlist or atom; undefined for anything else. */
export function textOf(t: Term | undefined): string | undefined {
  if (!t) return undefined;
  return t.kind === 'binary' || t.kind === 'charlist' || t.kind === 'atom' ? t.value : undefined;
}

export function isAtom(t: Term | undefined, value?: string): t is TermOf<'atom'> {
  return t !== undefined && t.kind === 'atom' && (value === undefined || t.value === value);
}

/**
 * Look a key up in a keyword list / proplist (`[{key, value}, ...]`), the way
 * `proplists:get_value/2` and `Keyword.get/2` do: first match wins.
 */
export function keywordGet(list: Term | undefined, key: string): Term | undefined {
  if (!list || list.kind !== 'list') return undefined;
  for (const item of list.items) {
    if (item.kind === 'tuple' && item.items.length === 2 && isAtom(item.items[0], key)) return item.items[1];
  }
  return undefined;
}

/** Control characters escaped, so a message quoting hostile input stays one line. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
