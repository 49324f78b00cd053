/**
 * Hex package tarballs (version 3, hexpm/specifications package_tarball.md):
 * an uncompressed outer tar holding VERSION ("3"), CHECKSUM (uppercase hex
 * SHA-256 of VERSION‖metadata.config‖contents.tar.gz, the "inner checksum"),
 * metadata.config (Erlang terms) and contents.tar.gz. The "outer checksum" is
 * the SHA-256 of the whole file and is what current lockfiles pin.
 *
 * `createHexTarball` writes what hex_core's `hex_tarball:create/2` writes
 * (same header layout, Y2K mtimes, uid/gid 0, reproducible gzip header), with
 * files sorted so the same spec always gives the same bytes.
 * `readHexTarball` is the checked reader every consumer uses.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { parseErlangTerms } from '../terms/index.js';
import { BeambakeError, isBeambakeError, ioError } from '../util/errors.js';
import { digestHex, sha256Hex } from '../util/hash.js';
import { checkContents, DEFAULT_MAX_UNCOMPRESSED, UnsafeContentsError, type ContentsFile } from './contents.js';
import { decodeMetadata, encodeMetadata, MetadataError, type HexMetadata, type HexMetadataSpec } from './metadata.js';
import { parseTar, TarFormatError, writeTar, type TarWriteEntry } from './tar.js';

export type { HexMetadata, HexRequirement } from './metadata.js';
export type { ContentsFile } from './contents.js';

/** Largest outer tarball accepted (hex_core's default `tarball_max_size`). */
export const DEFAULT_MAX_TARBALL = 16 * 1024 * 1024;

export type HexFileContent = string | Uint8Array | { content: string | Uint8Array; mode?: number };

export interface HexTarballSpec extends HexMetadataSpec {
  /** Package files: path inside the package -> content (mode 0644 unless given). */
  files: Record<string, HexFileContent>;
}

export interface CreatedHexTarball {
  tarball: Buffer;
  /** SHA-256 of the whole tarball, lowercase hex (mix.lock/rebar.lock "outer" checksum). */
  outerChecksum: string;
  /** The CHECKSUM file's value, lowercase hex. */
  innerChecksum: string;
}

const OUTER_FILES = ['VERSION', 'CHECKSUM', 'metadata.config', 'contents.tar.gz'] as const;

/** gzip with a zero mtime and OS byte, like hex_tarball:gzip/1, so output is reproducible. */
export function gzipDeterministic(data: Uint8Array): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([header, deflateRawSync(data), trailer]);
}

function bytesOf(c: string | Uint8Array): Uint8Array {
  return typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
}

/**
 * Put a Hex tarball together from an already-encoded metadata.config and
 * contents.tar.gz. `checksum` overrides the CHECKSUM file (for negative tests);
 * by default it is computed.
 */
export function assembleHexTarball(
  metadataConfig: string | Uint8Array,
  contentsTarGz: Uint8Array,
  opts: { version?: string; checksum?: string } = {},
): CreatedHexTarball {
  const version = Buffer.from(opts.version ?? '3');
  const metadata = bytesOf(metadataConfig);
  const inner = sha256Hex(version, metadata, contentsTarGz);
  const checksum = opts.checksum ?? inner.toUpperCase();
  const tarball = writeTar([
    { path: 'VERSION', content: version },
    { path: 'CHECKSUM', content: Buffer.from(checksum) },
    { path: 'metadata.config', content: metadata },
    { path: 'contents.tar.gz', content: contentsTarGz },
  ]);
  return { tarball, outerChecksum: sha256Hex(tarball), innerChecksum: inner };
}

const comparePaths = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Build a real Hex v3 package tarball; deterministic for a given spec. */
export function createHexTarball(spec: HexTarballSpec): CreatedHexTarball {
  const paths = Object.keys(spec.files).sort(comparePaths);
  const entries: TarWriteEntry[] = paths.map((path) => {
    const f = spec.files[path]!;
    const isObj = typeof f === 'object' && !(f instanceof Uint8Array);
    return {
      path,
      content: bytesOf(isObj ? f.content : f),
      mode: isObj && f.mode !== undefined ? f.mode : 0o644,
    };
  });
  const contents = gzipDeterministic(writeTar(entries));
  return assembleHexTarball(encodeMetadata(spec, paths), contents);
}

export type TarballCheck = 'structure' | 'inner-checksum' | 'metadata' | 'contents';

/** A tarball that fails a check; `check` names which one (for reports). */
export class HexTarballError extends BeambakeError {
  constructor(
    readonly check: TarballCheck,
    code: string,
    message: string,
    location: { file?: string; entry?: string; line?: number; column?: number },
  ) {
    super(code, message, location);
  }
}

export interface LicenseFile {
  path: string;
  size: number;
  md5: string;
  sha256: string;
  data: Buffer;
}

export interface HexTarball {
  metadata: HexMetadata;
  /** The raw metadata.config text. */
  metadataConfig: string;
  /** Verified CHECKSUM value, lowercase hex. */
  innerChecksum: string;
  outerChecksum: string;
  size: number;
  /** Entries of contents.tar.gz, sorted by path. */
  files: ContentsFile[];
  uncompressedSize: number;
  /** LICENSE/COPYING/NOTICE-like files, sorted by path. */
  licenseFiles: LicenseFile[];
  /** Regular files selected with `keep`, by path. */
  contents: Map<string, Buffer>;
}

export interface ReadOptions {
  /** Name used in error messages (defaults to the path, or `<buffer>`). */
  file?: string;
  /** Already-computed SHA-256 of the data (saves hashing it again). */
  outerChecksum?: string;
  maxTarballSize?: number;
  maxUncompressed?: number;
  /** Keep the data of these regular files in `contents`. */
  keep?: (path: string) => boolean;
}

export const LICENSE_FILE = /^(un)?licen[cs]e|^copying|^copyright|^notice/i;

/**
 * Read a whole tarball file while hashing it (one read, no second copy).
 * Refuses files above `maxSize` before reading them.
 */
export async function loadTarball(path: string, maxSize = DEFAULT_MAX_TARBALL): Promise<{ data: Buffer; outerChecksum: string }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path, 'cannot open');
  }
  try {
    const { size } = await fh.stat();
    if (size > maxSize) {
      throw new HexTarballError('structure', 'TARBALL_INVALID', `tarball is ${size} bytes, larger than the limit of ${maxSize}`, { file: path });
    }
    const data = Buffer.allocUnsafe(size);
    const hash = createHash('sha256');
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(data, pos, Math.min(1 << 20, size - pos), pos);
      if (bytesRead === 0) break;
      hash.update(data.subarray(pos, pos + bytesRead));
      pos += bytesRead;
    }
    if (pos !== size) throw new BeambakeError('IO', `file changed while reading (${pos} of ${size} bytes)`, { file: path });
    return { data, outerChecksum: hash.digest('hex') };
  } catch (e) {
    if (isBeambakeError(e)) throw e;
    throw ioError(e, path, 'cannot read');
  } finally {
    await fh.close();
  }
}

/** Check and decode an in-memory Hex tarball. Throws `HexTarballError` naming the failed check. */
export function inspectHexTarball(data: Buffer, opts: ReadOptions = {}): HexTarball {
  const file = opts.file ?? '<buffer>';
  const bad = (check: TarballCheck, code: string, message: string, extra: { entry?: string; line?: number; column?: number } = {}) =>
    new HexTarballError(check, code, message, { file, ...extra });
  const maxSize = opts.maxTarballSize ?? DEFAULT_MAX_TARBALL;
  if (data.length > maxSize) throw bad('structure', 'TARBALL_INVALID', `tarball is ${data.length} bytes, larger than the limit of ${maxSize}`);

  let entries;
  try {
    entries = parseTar(data);
  } catch (e) {
    if (e instanceof TarFormatError) throw bad('structure', 'TARBALL_INVALID', `not a valid tar archive: ${e.message}`);
    throw e;
  }
  const parts = new Map<string, Buffer>();
  for (const e of entries) {
    if (!(OUTER_FILES as readonly string[]).includes(e.path)) throw bad('structure', 'TARBALL_INVALID', `unexpected file in package tarball`, { entry: e.path });
    if (e.type !== 'file') throw bad('structure', 'TARBALL_INVALID', `is not a regular file`, { entry: e.path });
    if (parts.has(e.path)) throw bad('structure', 'TARBALL_INVALID', `appears twice in the package tarball`, { entry: e.path });
    parts.set(e.path, e.data);
  }
  const missing = OUTER_FILES.filter((f) => !parts.has(f));
  if (missing.length > 0) throw bad('structure', 'TARBALL_INVALID', `package tarball lacks ${missing.join(', ')}`);
  const version = parts.get('VERSION')!;
  const checksumFile = parts.get('CHECKSUM')!;
  const metadataBytes = parts.get('metadata.config')!;
  const contentsGz = parts.get('contents.tar.gz')!;

  if (version.toString('latin1') !== '3') {
    throw bad('structure', 'TARBALL_INVALID', `unsupported tarball VERSION ${JSON.stringify(version.toString('latin1').slice(0, 20))} (expected "3")`, { entry: 'VERSION' });
  }
  const recorded = checksumFile.toString('latin1');
  if (!/^[0-9A-Fa-f]{64}$/.test(recorded)) {
    throw bad('inner-checksum', 'TARBALL_INVALID', `CHECKSUM is not 64 hex digits`, { entry: 'CHECKSUM' });
  }
  const computed = sha256Hex(version, metadataBytes, contentsGz);
  if (computed !== recorded.toLowerCase()) {
    throw bad('inner-checksum', 'CHECKSUM_MISMATCH', `inner checksum mismatch: CHECKSUM says ${recorded.toLowerCase()}, contents hash to ${computed}`, {
      entry: 'CHECKSUM',
    });
  }

  const metadataConfig = metadataBytes.toString('utf8');
  let metadata: HexMetadata;
  try {
    metadata = decodeMetadata(parseErlangTerms(metadataConfig, `${file}:metadata.config`));
  } catch (e) {
    if (e instanceof MetadataError) throw bad('metadata', 'TARBALL_INVALID', e.message, { entry: 'metadata.config', line: e.line, column: e.column });
    if (isBeambakeError(e)) throw bad('metadata', 'TARBALL_INVALID', e.message, { entry: 'metadata.config', line: e.location.line, column: e.location.column });
    throw e;
  }

  let checked;
  try {
    checked = checkContents(contentsGz, { maxUncompressed: opts.maxUncompressed ?? DEFAULT_MAX_UNCOMPRESSED });
  } catch (e) {
    if (e instanceof UnsafeContentsError) {
      throw bad('contents', 'UNSAFE_ARCHIVE', e.message, { entry: e.entry ? `contents.tar.gz:${e.entry}` : 'contents.tar.gz' });
    }
    throw e;
  }
  const licenseFiles: LicenseFile[] = [];
  const contents = new Map<string, Buffer>();
  for (const e of checked.entries) {
    if (e.type !== 'file') continue;
    const path = e.path.split('/').filter((s) => s !== '' && s !== '.').join('/');
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (LICENSE_FILE.test(base)) {
      licenseFiles.push({
        path,
        size: e.size,
        md5: digestHex('md5', e.data),
        sha256: sha256Hex(e.data),
        data: Buffer.from(e.data),
      });
    }
    if (opts.keep?.(path)) contents.set(path, Buffer.from(e.data));
  }
  licenseFiles.sort((a, b) => comparePaths(a.path, b.path));

  return {
    metadata,
    metadataConfig,
    innerChecksum: computed,
    outerChecksum: opts.outerChecksum ?? sha256Hex(data),
    size: data.length,
    files: checked.files,
    uncompressedSize: checked.uncompressedSize,
    licenseFiles,
    contents,
  };
}

/** Checked reading of a Hex tarball from a path or a buffer. */
export async function readHexTarball(source: string | Uint8Array, opts: ReadOptions = {}): Promise<HexTarball> {
  if (typeof source === 'string') {
    const { data, outerChecksum } = await loadTarball(source, opts.maxTarballSize);
    return inspectHexTarball(data, { file: source, ...opts, outerChecksum });
  }
  const data = Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.length);
  return inspectHexTarball(data, opts);
}
