/**
 * Read any supported SBOM input, choosing the reader by content (not by file
 * name): a directory is a Yocto SPDX 2 deploy directory; zstd/gzip/tar bytes
 * are a Yocto SPDX archive; `<` starts CycloneDX XML; JSON is told apart by
 * its top-level keys.
 */
import { open, stat } from 'node:fs/promises';
import { BeambakeError, ioError } from '../../util/errors.js';
import { guardNestingAsync } from '../../util/nesting.js';
import { readYoctoSpdx2Archive, readYoctoSpdx2Dir } from './yocto-spdx2.js';
import { readSpdx2Doc } from './spdx2.js';
import { assembleSpdx2 } from './spdx2-assemble.js';
import { readSpdx3 } from './spdx3.js';
import { readCycloneDxJson } from './cyclonedx-json.js';
import { readCycloneDxXml } from './cyclonedx-xml.js';
import type { InputFormat, InputSbom, ReadOptions } from './types.js';
import { createReadStream } from 'node:fs';

export type { InputSbom, InputFormat, Folded, ReadOptions } from './types.js';

async function head(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Which reader a file needs, from its first bytes. */
export async function detectFormat(path: string): Promise<InputFormat> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw ioError(e, path);
  }
  if (st.isDirectory()) return 'yocto-spdx2-dir';
  const b = await head(path, 64 * 1024).catch((e) => {
    throw ioError(e, path, 'cannot read');
  });
  const zstd = (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) || ((b[0]! & 0xf0) === 0x50 && b[1] === 0x2a && b[2] === 0x4d && b[3] === 0x18);
  const gzip = b[0] === 0x1f && b[1] === 0x8b;
  const tar = b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
  if (zstd || gzip || tar) return 'yocto-spdx2-archive';
  const text = b.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'cyclonedx-xml';
  if (!text.startsWith('{')) {
    throw new BeambakeError('SBOM_UNSUPPORTED', 'not an SBOM: expected JSON, CycloneDX XML, a Yocto SPDX archive or directory', { file: path, line: 1, column: 1 });
  }
  // top-level keys may come in any order, and big arrays first: look for the telltale keys in the head
  if (/"@context"\s*:/.test(text) && /spdx\.org\/rdf\/3\./.test(text)) return 'spdx3-jsonld';
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) return 'cyclonedx-json';
  if (/"spdxVersion"\s*:\s*"SPDX-2\./.test(text) || /"SPDXID"\s*:\s*"SPDXRef-DOCUMENT"/.test(text)) return 'spdx2-json';
  if (/"@graph"\s*:/.test(text)) return 'spdx3-jsonld';
  if (/"components"\s*:|"specVersion"\s*:\s*"1\.\d"/.test(text)) return 'cyclonedx-json';
  if (/"documentNamespace"\s*:|"relationships"\s*:/.test(text)) return 'spdx2-json';
  throw new BeambakeError('SBOM_UNSUPPORTED', 'JSON that is neither SPDX 2, SPDX 3 nor CycloneDX', { file: path, line: 1, column: 1 });
}

async function readSpdx2File(path: string, opts: ReadOptions): Promise<InputSbom> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of stream) {
        opts.onBytes?.((c as Buffer).length);
        yield c as Buffer;
      }
    } catch (e) {
      throw ioError(e, path, 'cannot read');
    }
  }
  const doc = await readSpdx2Doc(chunks(), path, true);
  return assembleSpdx2([doc], path, 'spdx2-json', doc.namespace, opts);
}

/** Read one SBOM input of any supported format. */
export async function readSbom(path: string, opts: ReadOptions = {}): Promise<InputSbom> {
  return guardNestingAsync(path, 'SBOM_PARSE', () => readSbomAs(path, opts));
}

async function readSbomAs(path: string, opts: ReadOptions): Promise<InputSbom> {
  const format = await detectFormat(path);
  switch (format) {
    case 'yocto-spdx2-dir':
      return readYoctoSpdx2Dir(path, opts);
    case 'yocto-spdx2-archive':
      return readYoctoSpdx2Archive(path, opts);
    case 'spdx2-json':
      return readSpdx2File(path, opts);
    case 'spdx3-jsonld':
      return readSpdx3(path, opts);
    case 'cyclonedx-json':
      return readCycloneDxJson(path, opts);
    case 'cyclonedx-xml':
      return readCycloneDxXml(path, opts);
  }
}
