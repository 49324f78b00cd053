/**
 * Minimal tar (ustar) writing and strict parsing for Hex tarballs.
 *
 * Writing reproduces the header layout of `hex_erl_tar` (the erl_tar copy
 * hex_core uses): ustar magic, zero uid/gid, empty user/group names, octal
 * fields NUL-terminated, no padding to a 10240-byte record. Parsing accepts
 * what real Hex clients produce (ustar, GNU long names, PAX path records) and
 * reports everything else as a typed entry or an error, so callers decide what
 * is safe instead of the parser silently guessing.
 */

const BLOCK = 512;

/** Hex tarballs carry the Y2K epoch as mtime (hex_tarball:tar_opts/0). */
export const HEX_TAR_MTIME = 946684800;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo' | 'other';

export interface TarWriteEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';
  content?: Uint8Array;
  /** Permission bits (the S_IFREG/S_IFDIR bits are added as erl_tar does). */
  mode?: number;
  linkname?: string;
  mtime?: number;
}

const TYPE_FLAG: Record<NonNullable<TarWriteEntry['type']>, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  chardev: '3',
  blockdev: '4',
  directory: '5',
  fifo: '6',
};

const FILE_TYPE_BITS: Record<NonNullable<TarWriteEntry['type']>, number> = {
  file: 0o100000,
  hardlink: 0o100000,
  symlink: 0o120000,
  chardev: 0o020000,
  blockdev: 0o060000,
  directory: 0o040000,
  fifo: 0o010000,
};

function octal(value: number, width: number): string {
  // erl_tar: width-1 zero-padded octal digits followed by NUL.
  const s = value.toString(8);
  if (s.length > width - 1) throw new RangeError(`value ${value} does not fit a ${width}-byte tar field`);
  return s.padStart(width - 1, '0') + '\0';
}

function putString(buf: Buffer, offset: number, width: number, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > width) throw new RangeError(`"${s}" does not fit a ${width}-byte tar field`);
  bytes.copy(buf, offset);
}

/** Split a long path into ustar prefix/name the way POSIX allows (at a slash). */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
  }
  throw new RangeError(`path too long for a ustar header: ${path}`);
}

function header(e: TarWriteEntry, size: number): Buffer {
  const type = e.type ?? 'file';
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(e.path);
  putString(h, 0, 100, name);
  const perm = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
  putString(h, 100, 8, octal(FILE_TYPE_BITS[type] | (perm & 0o7777), 8));
  putString(h, 108, 8, octal(0, 8));
  putString(h, 116, 8, octal(0, 8));
  putString(h, 124, 12, octal(size, 12));
  putString(h, 136, 12, octal(e.mtime ?? HEX_TAR_MTIME, 12));
  h.fill(0x20, 148, 156);
  putString(h, 156, 1, TYPE_FLAG[type]);
  if (e.linkname !== undefined) putString(h, 157, 100, e.linkname);
  putString(h, 257, 6, 'ustar\0');
  putString(h, 263, 2, '00');
  putString(h, 329, 8, octal(0, 8));
  putString(h, 337, 8, octal(0, 8));
  putString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, octal(sum, 8));
  return h;
}

/** Build an uncompressed tar in memory, entries in the order given. */
export function writeTar(entries: readonly TarWriteEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content = e.type === undefined || e.type === 'file' ? (e.content ?? new Uint8Array()) : new Uint8Array();
    parts.push(header(e, content.length));
    if (content.length > 0) {
      parts.push(Buffer.from(content.buffer, content.byteOffset, content.length));
      const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Raw typeflag character, for error messages about `other` entries. */
  typeflag: string;
  mode: number;
  size: number;
  linkname: string;
  /** Content of regular files (a view into the archive buffer, not a copy). */
  data: Buffer;
}

export class TarFormatError extends Error {}

function readString(buf: Buffer, offset: number, width: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, end === -1 || end > offset + width ? offset + width : end);
}

function readNumber(buf: Buffer, offset: number, width: number, what: string): number {
  const first = buf[offset]!;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as marker.
    if (first === 0xff) throw new TarFormatError(`negative ${what} in tar header`);
    let v = first & 0x7f;
    for (let i = 1; i < width; i++) v = v * 256 + buf[offset + i]!;
    if (!Number.isSafeInteger(v)) throw new TarFormatError(`${what} too large in tar header`);
    return v;
  }
  const s = buf.toString('latin1', offset, offset + width).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`malformed ${what} field "${s}" in tar header`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = readNumber(h, 148, 8, 'header checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(buf: Buffer, offset: number): boolean {
  for (let i = offset; i < offset + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

/** PAX extended header records: `LEN key=value\n`. */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) throw new TarFormatError('malformed PAX header record');
    const len = Number(data.toString('latin1', pos, sp));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new TarFormatError('malformed PAX header length');
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq === -1 || data[pos + len - 1] !== 0x0a) throw new TarFormatError('malformed PAX header record');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'chardev',
  '4': 'blockdev',
  '5': 'directory',
  '6': 'fifo',
};

/**
 * Parse every entry of an in-memory tar. Throws `TarFormatError` for anything
 * structurally wrong (bad header checksum, truncated data, garbage after the
 * end marker); type-level judgement is left to the caller.
 */
export function parseTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  for (;;) {
    if (pos + BLOCK > buf.length) {
      // Some writers omit the end-of-archive blocks; an exact end is acceptable, a partial block is not.
      if (pos === buf.length && longName === undefined && longLink === undefined && pax === undefined) return entries;
      throw new TarFormatError(`truncated tar archive at byte ${pos}`);
    }
    if (isZeroBlock(buf, pos)) {
      for (let p = pos; p < buf.length; p++) {
        if (buf[p] !== 0) throw new TarFormatError(`data after the end-of-archive marker at byte ${p}`);
      }
      if (longName !== undefined || longLink !== undefined || pax !== undefined) {
        throw new TarFormatError('extended header without a following entry');
      }
      return entries;
    }
    const h = buf.subarray(pos, pos + BLOCK);
    if (!checksumOk(h)) throw new TarFormatError(`bad tar header checksum at byte ${pos}`);
    const typeflag = String.fromCharCode(h[156]!);
    const size = readNumber(h, 124, 12, 'size');
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw new TarFormatError(`tar entry at byte ${pos} runs past the end of the archive`);
    const data = buf.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (typeflag === 'K') {
      longLink = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (typeflag === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (typeflag === 'g') {
      const global = parsePax(data);
      if (global.has('path') || global.has('linkpath')) throw new TarFormatError('global PAX header sets a path');
      continue;
    }

    const magic = h.toString('latin1', 257, 263);
    let path = readString(h, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = readString(h, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    let linkname = readString(h, 157, 100);
    if (longName !== undefined) path = longName;
    if (longLink !== undefined) linkname = longLink;
    if (pax?.has('path')) path = pax.get('path')!;
    if (pax?.has('linkpath')) linkname = pax.get('linkpath')!;
    if (pax?.has('size')) throw new TarFormatError(`PAX size override is not supported (${path})`);
    longName = longLink = pax = undefined;

    const type = TYPES[typeflag] ?? 'other';
    entries.push({
      path,
      type,
      typeflag,
      mode: readNumber(h, 100, 8, 'mode') & 0o7777,
      size: type === 'file' ? size : 0,
      linkname,
      data: type === 'file' ? data : Buffer.alloc(0),
    });
  }
}
