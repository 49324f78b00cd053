import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ioError } from './errors.js';

export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Stream a file through one or more hashes in a single read; lowercase hex digests. */
export async function hashFile<A extends HashAlgorithm>(
  path: string,
  algorithms: readonly A[],
): Promise<Record<A, string> & { bytes: number }> {
  const hashes = algorithms.map((a) => createHash(a));
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      bytes += (chunk as Buffer).length;
      for (const h of hashes) h.update(chunk as Buffer);
    }
  } catch (e) {
    throw ioError(e, path, 'cannot read');
  }
  const out = { bytes } as Record<A, string> & { bytes: number };
  algorithms.forEach((a, i) => {
    (out as Record<string, unknown>)[a] = hashes[i]!.digest('hex');
  });
  return out;
}

/** Lowercase hex digest of in-memory data; several parts hash as their concatenation. */
export function digestHex(algorithm: string, ...parts: (string | Uint8Array)[]): string {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  return digestHex('sha256', ...parts);
}
