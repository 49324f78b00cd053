/**
 * The bit syntax of Erlang binary literals, evaluated as `file:consult/1`
 * evaluates them (erl_parse:normalise -> eval_bits): a segment is a value, an
 * optional size and an optional `/type-spec-list`, and each segment appends
 * size * unit bits. The syntax is read by the Erlang parser; this module
 * checks the specifiers and encodes values. Anything `file:consult/1` refuses
 * (`<<1:7/float>>`, `<<1/foo>>`, `<<1.5>>`) is refused here through `fail`.
 */
import { endianness } from 'node:os';
import { bytesText } from './term.js';

/** A segment value after `normalise`: the only values a segment can hold. */
export type SegmentValue =
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bits'; bytes: Uint8Array; bits: number }
  /** A string literal: one segment per character, all with the same specifiers. */
  | { t: 'string'; v: string };

/** `:Size`: absent, an integer, or an atom (`all` for binaries, `undefined` for utf). */
export type SegmentSize = undefined | bigint | { atom: string };

/** One specifier of `/a-b-unit:N`, as written. */
export interface TypeSpecifier {
  name: string;
  /** The N of `name:N`. */
  arg?: bigint;
}

type SegmentType = 'integer' | 'float' | 'binary' | 'utf8' | 'utf16' | 'utf32';
type Endian = 'big' | 'little' | 'native';

/** A resolved segment: its type and its bits (`size * unit`, or 'all' of a nested binary; unused for utf). */
interface Segment {
  type: SegmentType;
  bits: number | 'all';
  unit: number;
  little: boolean;
}

/** Bits one binary literal may hold; `file:consult/1` accepts more, a term file never needs it. */
export const MAX_BINARY_BITS = 8 * 16 * 1024 * 1024;

/** Type names; `bytes`, `bits` and `bitstring` are `binary` with a unit, as in erl_bits (so `bits-unit:8` conflicts). */
const TYPES: Record<string, [SegmentType, number?]> = {
  integer: ['integer'],
  float: ['float'],
  binary: ['binary'],
  bytes: ['binary', 8],
  bitstring: ['binary', 1],
  bits: ['binary', 1],
  utf8: ['utf8'],
  utf16: ['utf16'],
  utf32: ['utf32'],
};
const ENDIANS = new Set(['big', 'little', 'native']);
const SIGNS = new Set(['signed', 'unsigned']);
const NATIVE_LITTLE = endianness() === 'LE';
// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

type Fail = (message: string) => never;

/** A segment without size or specifiers: an 8-bit unsigned big-endian integer. */
const DEFAULT_SEGMENT: Segment = { type: 'integer', bits: 8, unit: 1, little: false };

/** Check `/type-spec-list` and `:Size` as erl_bits does, with its defaults (integer, 8 bits, unsigned, big). */
export function resolveSegment(specs: readonly TypeSpecifier[], size: SegmentSize, fail: Fail): Segment {
  if (specs.length === 0 && size === undefined) return DEFAULT_SEGMENT;
  let type: SegmentType | undefined;
  let endian: Endian | undefined;
  let sign: string | undefined;
  let unit: number | undefined;
  let unitFrom = '';
  const merge = <T>(old: T | undefined, now: T, show = (x: T) => String(x)): T => {
    if (old !== undefined && old !== now) fail(`conflicting binary segment specifiers ${show(old)} and ${show(now)}`);
    return now;
  };
  const setUnit = (u: number, from: string) => {
    if (unit !== undefined && unit !== u) fail(`conflicting binary segment specifiers ${unitFrom} and ${from}${from.startsWith('unit') ? '' : ` (unit:${u})`}`);
    [unit, unitFrom] = [u, from];
  };
  for (const s of specs) {
    const named = TYPES[s.name];
    if (s.arg !== undefined) {
      if (s.name !== 'unit') fail(`unknown binary segment type ${s.name}:${s.arg}`);
      if (s.arg < 1n || s.arg > 256n) fail(`binary segment unit must be 1..256, not ${s.arg}`);
      setUnit(Number(s.arg), `unit:${s.arg}`);
    } else if (named !== undefined) {
      type = merge(type, named[0]);
      if (named[1] !== undefined) setUnit(named[1], s.name);
    } else if (ENDIANS.has(s.name)) endian = merge(endian, s.name as Endian);
    else if (SIGNS.has(s.name)) sign = merge(sign, s.name);
    else {
      fail(`unknown binary segment type ${s.name} (expected integer, float, binary, bytes, bitstring, bits, utf8, utf16, utf32, signed, unsigned, big, little, native or unit:N)`);
    }
  }
  type ??= 'integer';
  const little = endian === 'little' || (endian === 'native' && NATIVE_LITTLE);
  const atom = typeof size === 'object' ? size.atom : undefined;
  if (type === 'utf8' || type === 'utf16' || type === 'utf32') {
    if ((size !== undefined && atom !== 'undefined') || unit !== undefined) fail(`a ${type} segment takes no size or unit`);
    return { type, bits: 0, unit: 1, little };
  }
  if (type === 'binary') {
    unit ??= 8;
    if (size === undefined || atom === 'all') return { type, bits: 'all', unit, little };
  } else if (size === undefined) {
    if (unit !== undefined) fail(`a unit needs a size in ${type === 'integer' ? 'an integer' : 'a float'} segment`);
    return { type, bits: type === 'integer' ? 8 : 64, unit: 1, little };
  }
  if (typeof size !== 'bigint') return fail(`binary segment size ${atom} is not an integer`);
  if (size < 0n) fail(`binary segment size must not be negative, got ${size}`);
  const bits = size * BigInt(unit ?? 1);
  if (bits > BigInt(MAX_BINARY_BITS)) fail(`binary segment of ${bits} bits is larger than the 16 MiB a binary literal may hold here`);
  return { type, bits: Number(bits), unit: unit ?? 1, little };
}

/** Append one segment's value; `fail` on a value the segment cannot hold, as eval_bits raises badarg. */
export function writeSegment(out: BitWriter, seg: Segment, value: SegmentValue, fail: Fail): void {
  writeValue(out, seg, value, fail);
  if (out.size > MAX_BINARY_BITS) fail('binary literal larger than the 16 MiB a binary literal may hold here');
}

function writeValue(out: BitWriter, seg: Segment, value: SegmentValue, fail: Fail): void {
  if (value.t === 'string' && seg === DEFAULT_SEGMENT) return out.bytes8(value.v); // `<<"text">>`, most of every lockfile
  if (value.t === 'string' && seg.type === 'utf8') return out.utf8(value.v);
  if (value.t === 'string') {
    // An empty string still has its specifiers checked against a character (eval_bits does the same with 0).
    const failChar: Fail = (message) => fail(`${message} (each character of a string is one segment)`);
    if (value.v === '') writeValue(new BitWriter(), seg, { t: 'int', v: 0n }, failChar);
    for (const ch of value.v) {
      writeValue(out, seg, { t: 'int', v: BigInt(ch.codePointAt(0)!) }, failChar);
      if (out.size > MAX_BINARY_BITS) break;
    }
    return;
  }
  switch (seg.type) {
    case 'integer':
      if (value.t !== 'int') return fail(`${describe(value)} cannot be an integer segment`);
      return writeInteger(out, value.v, seg.bits as number, seg.little);
    case 'float': {
      if (value.t === 'bits') return fail(`${describe(value)} cannot be a float segment`);
      const f = value.t === 'int' ? Number(value.v) : value.v;
      if (!Number.isFinite(f)) return fail(`the integer ${value.v} is too large for a float segment`);
      return writeFloat(out, f, seg.bits as number, seg.little, fail);
    }
    case 'binary': {
      if (value.t !== 'bits') return fail(`${describe(value)} cannot be a ${seg.type} segment, which takes a <<...>> value`);
      const take = seg.bits === 'all' ? value.bits : seg.bits;
      if (seg.bits === 'all' && value.bits % seg.unit !== 0) fail(`a value of ${value.bits} bits is not a whole number of ${seg.unit}-bit units in a ${seg.type} segment`);
      if (take > value.bits) fail(`a ${seg.type} segment of ${take} bits cannot be taken from a value of ${value.bits} bits`);
      return out.bitstring(value.bytes, take);
    }
    default: {
      const cp = value.t === 'int' ? value.v : -1n;
      if (cp < 0n || cp > 0x10ffffn || (cp >= 0xd800n && cp <= 0xdfffn)) {
        return fail(`${value.t === 'int' ? `${value.v} is not a Unicode code point` : `${describe(value)} cannot be`} in a ${seg.type} segment`);
      }
      return writeUtf(out, Number(cp), seg.type, seg.little);
    }
  }
}

function describe(v: SegmentValue): string {
  return v.t === 'int' ? `the integer ${v.v}` : v.t === 'float' ? `the float ${v.v}` : v.t === 'bits' ? 'a binary' : 'a string';
}

/** `<<V:N>>`: V modulo 2^N, most significant bits first, or, little-endian, whole bytes lowest first and then the N rem 8 top bits. */
function writeInteger(out: BitWriter, v: bigint, n: number, little: boolean): void {
  const whole = Math.floor(n / 8);
  const rest = n % 8;
  // Only the bytes the value reaches are computed; beyond them every byte is the sign fill.
  const reach = Math.min(whole, Math.ceil((bitLength(v) + 1) / 8));
  const low = BigInt.asUintN(reach * 8, v).toString(16).padStart(reach * 2, '0');
  const fill = v < 0n ? 0xff : 0;
  const byteAt = (i: number) => (i < reach ? parseInt(low.slice(low.length - 2 * i - 2, low.length - 2 * i), 16) : fill);
  const top = rest === 0 ? 0 : Number(BigInt.asUintN(rest, v >> BigInt(whole * 8)));
  if (little) {
    for (let i = 0; i < whole; i++) out.bits(byteAt(i), 8);
    out.bits(top, rest);
  } else {
    out.bits(top, rest);
    for (let i = whole - 1; i >= 0; i--) out.bits(byteAt(i), 8);
  }
}

function bitLength(v: bigint): number {
  return (v < 0n ? -v : v).toString(2).length;
}

function writeFloat(out: BitWriter, f: number, n: number, little: boolean, fail: Fail): void {
  const view = new DataView(new ArrayBuffer(8));
  if (n === 64) view.setFloat64(0, f, little);
  else if (n === 32) view.setFloat32(0, f, little);
  else if (n === 16) view.setUint16(0, toHalf(f), little);
  else fail(`a float segment must be 16, 32 or 64 bits, not ${n}`);
  for (let i = 0; i < n / 8; i++) out.bits(view.getUint8(i), 8);
}

/** IEEE 754 binary16 bits of `f`, rounded to nearest even in one step (as the BEAM does; no detour through binary32). */
function toHalf(f: number): number {
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  if (a >= 65520) return sign | 0x7c00; // at or above the halfway point past 65504: infinity
  if (a < 2 ** -14) return sign | roundEven(a / 2 ** -24); // subnormal (may round up to the smallest normal)
  const e = Math.floor(Math.log2(a));
  const exp = a >= 2 ** (e + 1) ? e + 1 : a < 2 ** e ? e - 1 : e; // log2 can be off by one near powers of two
  const mant = roundEven((a / 2 ** exp - 1) * 1024); // may carry into the exponent, which the addition below absorbs
  return sign | (((exp + 15) << 10) + mant);
}

function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function writeUtf(out: BitWriter, cp: number, type: SegmentType, little: boolean): void {
  if (type === 'utf8') {
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.bits(b, 8);
  } else if (type === 'utf32') {
    writeInteger(out, BigInt(cp), 32, little);
  } else {
    const units = cp < 0x10000 ? [cp] : [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)];
    for (const u of units) writeInteger(out, BigInt(u), 16, little);
  }
}

/**
 * The bits of a binary under construction. Binaries in lockfiles are nearly
 * all ASCII strings on byte boundaries: those stay text until the first
 * other write.
 */
export class BitWriter {
  private ascii = '';
  private buf: Uint8Array | undefined;
  private length = 0;

  /** The low `n` (0..8) bits of `v`, most significant first. */
  bits(v: number, n: number): void {
    if (n === 0) return;
    if (n === 8 && this.buf === undefined && v < 0x80) {
      this.ascii += String.fromCharCode(v);
      return;
    }
    const buf = this.room(n);
    const at = this.length;
    const used = at % 8;
    const i = at >> 3;
    const val = v & ((1 << n) - 1);
    // Up to 8 bits straddle at most two bytes.
    const wide = val << (16 - used - n);
    buf[i] = buf[i]! | (wide >> 8);
    if (used + n > 8) buf[i + 1] = wide & 0xff;
    this.length += n;
  }

  /** The low 8 bits of each character of `text` (a string segment without specifiers). */
  bytes8(text: string): void {
    if (this.buf === undefined && ASCII.test(text)) this.ascii += text;
    else for (const ch of text) this.bits(ch.codePointAt(0)! & 0xff, 8);
  }

  /** The UTF-8 encoding of `text` (a `/utf8` string segment). */
  utf8(text: string): void {
    if (this.buf === undefined && ASCII.test(text)) this.ascii += text;
    else for (const b of Buffer.from(text, 'utf8')) this.bits(b, 8);
  }

  /** The first `n` bits of `bytes` (a nested binary). */
  bitstring(bytes: Uint8Array, n: number): void {
    for (let i = 0; i < n >> 3; i++) this.bits(bytes[i]!, 8);
    if (n % 8 !== 0) this.bits(bytes[n >> 3]! >> (8 - (n % 8)), n % 8);
  }

  /** How many bits have been written. */
  get size(): number {
    return this.buf === undefined ? this.ascii.length * 8 : this.length;
  }

  /** The bytes, the last one padded with zero bits when `size` is not a whole number of bytes. */
  bytes(): Uint8Array {
    if (this.buf === undefined) return Buffer.from(this.ascii, 'latin1');
    return this.buf.subarray(0, Math.ceil(this.length / 8));
  }

  /** The text of a whole-byte binary (see `bytesText`). */
  text(): string {
    return this.buf === undefined ? this.ascii : bytesText(this.bytes());
  }

  private room(n: number): Uint8Array {
    if (this.buf === undefined) {
      this.buf = new Uint8Array(Math.max(64, this.ascii.length * 2));
      for (let i = 0; i < this.ascii.length; i++) this.buf[i] = this.ascii.charCodeAt(i);
      this.length = this.ascii.length * 8;
    }
    const need = (this.length + n + 7) >> 3;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
    }
    return this.buf;
  }
}
