/**
 * Safety rules for a package's contents.tar.gz: what may be extracted into a
 * build directory without escaping it. Every rule here corresponds to a known
 * tar attack (path traversal, link redirection, device nodes, decompression
 * bombs, duplicate entries that overwrite a checked file).
 */
import { gunzipSync } from 'node:zlib';
import { parseTar, TarFormatError, type TarEntry } from './tar.js';

export interface ContentsLimits {
  /** Maximum size of the uncompressed inner tar, bytes. */
  maxUncompressed: number;
}

/** hex_core's current limit for a package's uncompressed contents. */
export const DEFAULT_MAX_UNCOMPRESSED = 128 * 1024 * 1024;

export interface ContentsFile {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  mode: number;
  size: number;
  /** Link target, for symlinks and hard links. */
  linkname?: string;
}

export class UnsafeContentsError extends Error {
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

/** Normalise an archive path; undefined when it is absolute or climbs out. */
function normalise(path: string): string[] | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return parts;
}

/** Resolve a symlink target relative to the link's directory; undefined when it leaves the root. */
function resolveLink(linkDir: string[], target: string): string[] | undefined {
  if (target.startsWith('/') || target.includes('\\')) return undefined;
  const parts = [...linkDir];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts;
}

/** Linux's limit on symbolic links followed while resolving one path (ELOOP). */
const MAX_LINK_HOPS = 40;

/**
 * Where a symbolic link points once the whole archive is extracted, resolved
 * the way the kernel (and Python's tarfile `data` filter, through realpath)
 * does: component by component, following every link met on the way, so `..`
 * after a link climbs from the link's target, not from its name. With
 * `d/l1 -> ..`, the target `d/l1/..` is the package's parent, although it
 * reads as `d`. Undefined when any step leaves the package or the links loop.
 */
function resolvePhysical(linkDir: string[], target: string, links: ReadonlyMap<string, string>): string[] | undefined {
  const parts = [...linkDir];
  let pending = target.split('/').reverse();
  let hops = 0;
  while (pending.length > 0) {
    const seg = pending.pop()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    parts.push(seg);
    const link = links.get(parts.join('/'));
    if (link === undefined) continue;
    if (++hops > MAX_LINK_HOPS || link.startsWith('/') || link.includes('\\')) return undefined;
    parts.pop();
    pending = pending.concat(link.split('/').reverse());
  }
  return parts;
}

export function gunzipLimited(gz: Uint8Array, limit: number): Buffer {
  try {
    return gunzipSync(gz, { maxOutputLength: limit });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new UnsafeContentsError(`uncompressed contents exceed the limit of ${limit} bytes`);
    }
    throw new UnsafeContentsError(`contents.tar.gz is not valid gzip: ${err.message}`);
  }
}

/**
 * Decompress and check contents.tar.gz. Returns the entries (sorted by path)
 * and the raw parsed entries for callers that need file data.
 */
export function checkContents(gz: Uint8Array, limits: ContentsLimits): { files: ContentsFile[]; entries: TarEntry[]; uncompressedSize: number } {
  const tar = gunzipLimited(gz, limits.maxUncompressed);
  let entries: TarEntry[];
  try {
    entries = parseTar(tar);
  } catch (e) {
    if (e instanceof TarFormatError) throw new UnsafeContentsError(`contents.tar.gz: ${e.message}`);
    throw e;
  }
  const kinds = new Map<string, ContentsFile['type']>();
  // Directories implied by deeper paths: a later file or link with that name would replace them.
  const implied = new Set<string>();
  const files: ContentsFile[] = [];
  for (const e of entries) {
    if (e.path.includes('\0')) throw new UnsafeContentsError('entry name contains a NUL byte', e.path);
    const parts = normalise(e.path);
    if (parts === undefined) throw new UnsafeContentsError('absolute path or ".." component', e.path);
    if (parts.length === 0) {
      if (e.type === 'directory') continue; // "./" as the archive root is harmless
      throw new UnsafeContentsError('entry without a name', e.path);
    }
    const key = parts.join('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const kind = kinds.get(parent);
      if (kind === 'symlink') throw new UnsafeContentsError(`path goes through the symbolic link ${parent}`, e.path);
      if (kind !== undefined && kind !== 'directory') throw new UnsafeContentsError(`path goes through the file ${parent}`, e.path);
    }
    if (kinds.has(key)) throw new UnsafeContentsError('duplicate entry', e.path);
    if (implied.has(key) && e.type !== 'directory') throw new UnsafeContentsError('entry replaces a directory used by earlier entries', e.path);
    let linkname: string | undefined;
    switch (e.type) {
      case 'file':
      case 'directory':
        break;
      case 'symlink': {
        const target = resolveLink(parts.slice(0, -1), e.linkname);
        if (e.linkname === '' || target === undefined) {
          throw new UnsafeContentsError(`symbolic link points outside the package (${e.linkname})`, e.path);
        }
        linkname = e.linkname;
        break;
      }
      case 'hardlink': {
        const target = normalise(e.linkname);
        if (target === undefined || target.length === 0 || kinds.get(target.join('/')) !== 'file') {
          throw new UnsafeContentsError(`hard link to something other than an earlier file in the package (${e.linkname})`, e.path);
        }
        linkname = target.join('/');
        break;
      }
      case 'chardev':
      case 'blockdev':
      case 'fifo':
        throw new UnsafeContentsError(`${e.type === 'fifo' ? 'FIFO' : 'device node'} entries are not allowed`, e.path);
      default:
        throw new UnsafeContentsError(`unsupported tar entry type '${e.typeflag.replace(/\0/g, '\\0')}'`, e.path);
    }
    if (e.mode & 0o6000) throw new UnsafeContentsError('setuid/setgid bit set', e.path);
    kinds.set(key, e.type);
    for (let i = 1; i < parts.length; i++) implied.add(parts.slice(0, i).join('/'));
    files.push({ path: key, type: e.type, mode: e.mode, size: e.size, ...(linkname !== undefined ? { linkname } : {}) });
  }
  // Each link was checked on its own above; chains (`l2 -> d/l1/..` through `d/l1 -> ..`) only
  // show once every link is known, so resolve them all again against the final tree.
  const links = new Map<string, string>();
  for (const f of files) if (f.type === 'symlink') links.set(f.path, f.linkname!);
  for (const [path, linkname] of links) {
    const dir = path.split('/').slice(0, -1);
    if (resolvePhysical(dir, linkname, links) === undefined) {
      throw new UnsafeContentsError(`symbolic link points outside the package once the links it goes through are followed (${linkname}), or the links loop`, path);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, entries, uncompressedSize: tar.length };
}
