/** CycloneDX JSON, streamed: `components`, `dependencies` and `vulnerabilities` arrive one element at a time. */
import { createHash } from 'node:crypto';
import { hashFile } from '../../util/hash.js';
import { scanJsonFile } from './json-scan.js';
import { CycloneDxBuilder, cdxKey, checkSpec, usableSerial } from './cyclonedx.js';
import type { InputSbom, ReadOptions } from './types.js';

const STREAMED = new Set(['components', 'dependencies', 'vulnerabilities', 'compositions']);

export async function readCycloneDxJson(file: string, opts: ReadOptions = {}): Promise<InputSbom> {
  const b = new CycloneDxBuilder(file, 'cyclonedx-json');
  const top: Record<string, unknown> = {};
  // the bytes' hash is the key only without a serial number: not computed once one came (most documents
  // state it first); a document that replaces it with an unusable one later is hashed again at the end
  const sha = createHash('sha256');
  let hashing = true;
  await scanJsonFile(
    file,
    {
      streamed: (k) => STREAMED.has(k),
      onValue(k, v) {
        top[k] = v;
        if (k === 'serialNumber') {
          b.serialNumberSeen(v);
          if (usableSerial(v) !== undefined) hashing = false;
        }
      },
      onElement(k, v, i) {
        if (k === 'components') b.addTopLevel(v, i);
        else if (k === 'dependencies') b.addDependency(v, i);
        else if (k === 'vulnerabilities') b.addVulnerability(v, i);
        else b.addComposition(v);
      },
    },
    (chunk) => {
      if (hashing) sha.update(chunk);
      opts.onBytes?.(chunk.length);
    },
  );
  b.specVersion = checkSpec(file, top.bomFormat ?? 'missing', top.specVersion);
  b.metadata = (top.metadata as Record<string, unknown>) ?? {};
  b.serialNumber = typeof top.serialNumber === 'string' ? top.serialNumber : undefined;
  b.key = usableSerial(top.serialNumber) ?? cdxKey(undefined, hashing ? sha.digest('hex') : (await hashFile(file, ['sha256'])).sha256);
  return b.finish();
}
