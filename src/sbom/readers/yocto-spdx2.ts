/**
 * Yocto `create-spdx` (SPDX 2.2) output as a whole: the deploy directory of
 * `*.spdx.json` with `index.json`, or the image's `.spdx.tar.zst` archive.
 * The archive is decompressed (fzstd, streaming) and untarred (tar's
 * parser) in one pass; members are read one at a time, so memory holds the
 * current member plus the extracted components, never the whole tree.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { createHash } from 'node:crypto';
import { Decompress } from 'fzstd';
import { Parser, type ReadEntry } from 'tar';
import { BeambakeError, ioError } from '../../util/errors.js';
import { isStackOverflow } from '../../util/nesting.js';
import { jsonReason } from './json-scan.js';
import { readSpdx2Doc, type Spdx2Doc } from './spdx2.js';
import { assembleSpdx2 } from './spdx2-assemble.js';
import type { InputSbom, ReadOptions } from './types.js';

interface IndexEntry {
  filename: string;
  sha1?: string;
  documentNamespace?: string;
}

function parseIndex(text: string, file: string): IndexEntry[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BeambakeError('SBOM_PARSE', `invalid JSON: ${jsonReason((e as Error).message)}`, { file });
  }
  const docs = (v as { documents?: unknown }).documents;
  if (!Array.isArray(docs)) throw new BeambakeError('SBOM_PARSE', 'index.json has no "documents" list', { file, entry: 'documents' });
  return docs.map((d, i) => {
    const e = d as IndexEntry;
    if (typeof e?.filename !== 'string' || e.filename.includes('/') || e.filename.includes('..')) {
      throw new BeambakeError('SBOM_PARSE', 'document entry needs a plain "filename"', { file, entry: `documents[${i}]` });
    }
    return e;
  });
}

function checkSha1(entry: IndexEntry | undefined, bytes: Uint8Array, file: string): void {
  if (!entry?.sha1) return;
  const got = createHash('sha1').update(bytes).digest('hex');
  if (got !== entry.sha1.toLowerCase()) {
    throw new BeambakeError('SBOM_PARSE', `SHA-1 ${got} differs from index.json (${entry.sha1})`, { file });
  }
}

function keyOf(docs: Spdx2Doc[], fallback: string): string {
  const referenced = new Set(docs.flatMap((d) => [...d.externalRefs.values()]));
  const roots = docs.filter((d) => !referenced.has(d.namespace)).map((d) => d.namespace).sort();
  return roots[0] ?? fallback;
}

/** A Yocto SPDX 2 deploy directory (index.json plus documents). */
export async function readYoctoSpdx2Dir(dir: string, opts: ReadOptions = {}): Promise<InputSbom> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.spdx.json')).sort();
  } catch (e) {
    throw ioError(e, dir, 'cannot read directory');
  }
  const indexFile = join(dir, 'index.json');
  let index: IndexEntry[] | undefined;
  try {
    index = parseIndex(await readFile(indexFile, 'utf8'), indexFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const byName = new Map(index?.map((e) => [e.filename, e]));
  const present = new Set(names);
  const missing = index ? index.filter((e) => !present.has(e.filename)).map((e) => e.filename) : [];
  if (names.length === 0) throw new BeambakeError('SBOM_PARSE', 'no *.spdx.json documents in this directory', { file: dir });
  const docs: Spdx2Doc[] = [];
  const h = createHash('sha256');
  for (const n of names) {
    const path = join(dir, n);
    const bytes = await readFile(path).catch((e) => {
      throw ioError(e, path, 'cannot read');
    });
    opts.onBytes?.(bytes.length);
    checkSha1(byName.get(n), bytes, path);
    h.update(n).update(bytes);
    docs.push(await readSpdx2Doc([bytes], path));
  }
  const input = assembleSpdx2(docs, dir, 'yocto-spdx2-dir', keyOf(docs, `sha256:${h.digest('hex')}`), opts);
  if (missing.length > 0) {
    input.notes.push(
      `${dir}: index.json lists ${missing.length} document(s) not in the directory (e.g. ${missing.slice(0, 3).join(', ')}); references into them stay unresolved`,
    );
  }
  return input;
}

/** A zstd frame, or a skippable frame (0x184D2A5?) as pzstd and the seekable format write first. */
function isZstd(b: Uint8Array): boolean {
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return true;
  return (b[0]! & 0xf0) === 0x50 && b[1] === 0x2a && b[2] === 0x4d && b[3] === 0x18;
}

/** The members of a tar (optionally zstd- or gzip-compressed) archive, streamed. */
async function readArchiveMembers(path: string, onMember: (name: string, bytes: Buffer) => Promise<void>, onBytes?: (n: number) => void): Promise<void> {
  const members: [string, Buffer][] = [];
  const parser = new Parser({
    onReadEntry(entry: ReadEntry) {
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        entry.resume();
        return;
      }
      const parts: Buffer[] = [];
      entry.on('data', (c: Buffer) => parts.push(c));
      entry.on('end', () => members.push([entry.path, Buffer.concat(parts)]));
    },
  });
  let parserError: unknown;
  parser.on('error', (e: unknown) => (parserError ??= e));
  parser.on('warn', (_code: string, msg: string | Error) => (parserError ??= msg));
  // a gzip stream that breaks off aborts the parser, which then never ends: wait for either
  const finished = new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.on('abort', () => resolve());
  });
  let zstd: Decompress | undefined;
  let first = true;
  const drain = async () => {
    while (members.length > 0) {
      const [name, bytes] = members.shift()!;
      await onMember(name, bytes);
    }
    if (parserError) {
      throw new BeambakeError('SBOM_PARSE', `not a readable tar archive: ${String((parserError as Error).message ?? parserError)}`, { file: path });
    }
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      onBytes?.(buf.length);
      if (first) {
        first = false;
        if (isZstd(buf)) {
          zstd = new Decompress((data) => {
            // fzstd may reuse its output window, and tar keeps partial headers: copy
            parser.write(Buffer.from(data));
          });
        }
      }
      try {
        if (zstd) zstd.push(buf);
        else parser.write(buf);
      } catch (e) {
        throw new BeambakeError('SBOM_PARSE', `cannot decompress: ${(e as Error).message}`, { file: path });
      }
      await drain();
    }
    if (zstd) {
      try {
        zstd.push(new Uint8Array(0), true);
      } catch (e) {
        throw new BeambakeError('SBOM_PARSE', `cannot decompress: ${(e as Error).message}`, { file: path });
      }
    }
    parser.end();
    await finished;
    await drain();
  } catch (e) {
    if (e instanceof BeambakeError || isStackOverflow(e)) throw e;
    throw ioError(e, path, 'cannot read');
  }
}

/** The image's `.spdx.tar.zst` (or `.tar`, `.tar.gz`) archive as Yocto's do_image writes it. */
export async function readYoctoSpdx2Archive(path: string, opts: ReadOptions = {}): Promise<InputSbom> {
  const docs: Spdx2Doc[] = [];
  let index: IndexEntry[] | undefined;
  const sha1s = new Map<string, string>();
  const h = createHash('sha256');
  await readArchiveMembers(path, async (name, bytes) => {
    const base = basename(name);
    const where = `${path}!/${name}`;
    if (base === 'index.json') {
      index = parseIndex(bytes.toString('utf8'), where);
      return;
    }
    if (!base.endsWith('.spdx.json')) return;
    sha1s.set(base, createHash('sha1').update(bytes).digest('hex'));
    h.update(base).update(bytes);
    docs.push(await readSpdx2Doc([bytes], where));
  }, opts.onBytes);
  if (docs.length === 0) throw new BeambakeError('SBOM_PARSE', 'the archive holds no *.spdx.json documents', { file: path });
  const notes: string[] = [];
  if (index) {
    for (const e of index) {
      const got = sha1s.get(e.filename);
      if (got === undefined) notes.push(`${path}: index.json lists ${e.filename}, which the archive does not hold`);
      else if (e.sha1 && got !== e.sha1.toLowerCase()) {
        throw new BeambakeError('SBOM_PARSE', `SHA-1 ${got} differs from index.json (${e.sha1})`, { file: `${path}!/${e.filename}` });
      }
    }
  } else notes.push(`${path}: no index.json in the archive; every *.spdx.json member was read`);
  docs.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  const input = assembleSpdx2(docs, path, 'yocto-spdx2-archive', keyOf(docs, `sha256:${h.digest('hex')}`), opts);
  input.notes.push(...notes);
  return input;
}
