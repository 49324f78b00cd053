/**
 * Erlang term printing as `io_lib_pretty:print(Term, [{encoding, utf8}])`
 * does it (line length 80, no depth limit, default latin1 printable range),
 * restricted to the values Hex metadata holds: binaries, integers, the atoms
 * true/false/nil, lists and 2-tuples whose first element is not an atom.
 *
 * hex_core writes metadata.config with exactly this call, so a faithful port
 * makes our tarballs byte-compatible with the ones `mix hex.build` and
 * `rebar3 hex build` produce for the same metadata.
 */

export type EValue =
  | { t: 'bin'; v: string }
  | { t: 'int'; v: number | bigint }
  | { t: 'atom'; v: 'true' | 'false' | 'nil' }
  | { t: 'list'; items: EValue[] }
  | { t: 'tuple'; items: EValue[] };

export const bin = (v: string): EValue => ({ t: 'bin', v });
export const int = (v: number | bigint): EValue => ({ t: 'int', v });
export const bool = (v: boolean): EValue => ({ t: 'atom', v: v ? 'true' : 'false' });
export const list = (items: EValue[]): EValue => ({ t: 'list', items });
export const tuple = (...items: EValue[]): EValue => ({ t: 'tuple', items });

/** io_lib_pretty's intermediate format: flat text (`atomic`) or a structure with its one-line length. */
type If =
  | { k: 'atomic'; s: string; len: number }
  | { k: 'bytes'; bytes: string[]; len: number }
  | { k: 'list' | 'tuple'; items: If[]; len: number };

const LL = 80;

function charsLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** io_lib:write_string/2 for characters already known to be printable. */
function quote(codePoints: number[]): string {
  let out = '"';
  for (const c of codePoints) {
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x0b:
        out += '\\v';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x1b:
        out += '\\e';
        break;
      default:
        out += String.fromCodePoint(c);
    }
  }
  return out + '"';
}

const ESCAPED_PRINTABLE = new Set([0x0a, 0x0d, 0x09, 0x0b, 0x08, 0x0c, 0x1b]);
const printableLatin1 = (c: number): boolean =>
  (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || ESCAPED_PRINTABLE.has(c);

function binaryIf(value: string): If {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0) return { k: 'atomic', s: '<<>>', len: 4 };
  const chars = [...value].map((ch) => ch.codePointAt(0)!);
  // printable_bin/4 with the utf8 encoding and the latin1 printable range.
  if (chars.every(printableLatin1)) {
    const s = quote(chars);
    if (bytes.length === chars.length) return { k: 'atomic', s: `<<${s}>>`, len: 4 + charsLength(s) };
    return { k: 'atomic', s: `<<${s}/utf8>>`, len: 9 + charsLength(s) };
  }
  const parts = [...bytes].map((b) => String(b));
  const len = 4 + parts.reduce((a, p) => a + p.length, 0) + parts.length - 1;
  return { k: 'bytes', bytes: parts, len };
}

function intermediate(v: EValue): If {
  switch (v.t) {
    case 'bin':
      return binaryIf(v.v);
    case 'int': {
      const s = String(v.v);
      return { k: 'atomic', s, len: s.length };
    }
    case 'atom':
      return { k: 'atomic', s: v.v, len: v.v.length };
    case 'list':
    case 'tuple': {
      if (v.items.length === 0) return { k: 'atomic', s: v.t === 'list' ? '[]' : '{}', len: 2 };
      if (v.t === 'tuple' && v.items.length > 1 && v.items[0]!.t === 'atom') {
        throw new Error('tagged tuples are not used in Hex metadata');
      }
      const items = v.items.map(intermediate);
      const len = 2 + items.reduce((a, i) => a + i.len, 0) + items.length - 1;
      return { k: v.t, items, len };
    }
  }
}

function write(i: If): string {
  switch (i.k) {
    case 'atomic':
      return i.s;
    case 'bytes':
      return `<<${i.bytes.join(',')}>>`;
    case 'list':
      return `[${i.items.map(write).join(',')}]`;
    case 'tuple':
      return `{${i.items.map(write).join(',')}}`;
  }
}

const atm = (i: If): boolean => i.k === 'atomic';
const lastDepth = (rest: number, ld: number): number => (rest > 0 ? 0 : ld + 1);

function pp(i: If, col: number, m: number, ind: string, ld: number, w: number): string {
  if (i.len < LL - col - ld && i.len + w + ld <= m) return write(i);
  switch (i.k) {
    case 'atomic':
      return i.s;
    case 'bytes':
      return ppBinary(i.bytes, col + 2, m, ' '.repeat(2) + ind, ld, w);
    case 'list':
      return `[${ppList(i.items, col + 1, m, ' ' + ind, ld, w + 1)}]`;
    case 'tuple':
      return `{${ppList(i.items, col + 1, m, ' ' + ind, ld, w + 1)}}`;
  }
}

function ppElement(i: If, col: number, m: number, ind: string, ld: number, w: number): [string, number] {
  if (i.len < LL - col - ld && i.len + w + ld <= m && atm(i)) return [write(i), i.len];
  return [pp(i, col, m, ind, ld, w), LL];
}

function ppList(items: If[], col0: number, m: number, ind: string, ld: number, w: number): string {
  const [es, we] = ppElement(items[0]!, col0, m, ind, lastDepth(items.length - 1, ld), w);
  let out = es;
  let col = col0 + we;
  w += we;
  for (let n = 1; n < items.length; n++) {
    const e = items[n]!;
    const ld1 = lastDepth(items.length - 1 - n, ld);
    const elen = 1 + e.len;
    const fits =
      atm(e) &&
      ((ld1 === 0 && elen + 1 < LL - col && w + elen + 1 <= m) || (ld1 > 0 && elen < LL - col - ld1 && w + elen + ld1 <= m));
    if (fits) {
      out += ',' + write(e);
      col += elen;
      w += elen;
    } else {
      const [s, we2] = ppElement(e, col0, m, ind, ld1, 0);
      out += ',\n' + ind + s;
      col = col0 + we2;
      w = we2;
    }
  }
  return out;
}

function ppBinary(bytes: string[], col: number, m: number, ind: string, ld: number, w: number): string {
  const n0 = Math.max(8, Math.min(LL - col, m - 4 - w) - ld);
  let n = n0;
  let out = '<<';
  for (let k = 0; k < bytes.length - 1; k++) {
    const len = bytes[k]!.length + 1;
    if (n - len < 0) {
      out += '\n' + ind + bytes[k] + ',';
      n = n0 - len;
    } else {
      out += bytes[k] + ',';
      n -= len;
    }
  }
  const last = bytes[bytes.length - 1]!;
  out += last.length > n ? '\n' + ind + last : last;
  return out + '>>';
}

/** `io_lib_pretty:print(Term, [{encoding, utf8}])` at column 1. */
export function prettyPrint(v: EValue): string {
  const i = intermediate(v);
  const m = i.len;
  if (i.len < LL - 1) return write(i);
  return pp(i, 1, m, '', 0, 0);
}

/** Erlang term order for binaries: bytewise, shorter prefix first. */
export function compareBinaries(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
