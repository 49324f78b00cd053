/** CycloneDX JSON, streamed: `components`, `dependencies` and `vulnerabilities` arrive one element at a time. */
import { createHash } from 'node:crypto';
import { scanJsonFile } from './json-scan.js';
import { CycloneDxBuilder, cdxKey, checkSpec } from './cyclonedx.js';
import type { InputSbom } from './types.js';

const STREAMED = new Set(['components', 'dependencies', 'vulnerabilities', 'compositions']);

export async function readCycloneDxJson(file: string): Promise<InputSbom> {
  const b = new CycloneDxBuilder(file, 'cyclonedx-json');
  const top: Record<string, unknown> = {};
  const sha = createHash('sha256');
  await scanJsonFile(
    file,
    {
      streamed: (k) => STREAMED.has(k),
      onValue(k, v) {
        top[k] = v;
        if (k === 'serialNumber') b.serialNumberSeen(v);
      },
      onElement(k, v, i) {
        if (k === 'components') b.addTopLevel(v, i);
        else if (k === 'dependencies') b.addDependency(v, i);
        else if (k === 'vulnerabilities') b.addVulnerability(v, i);
        else b.addComposition(v);
      },
    },
    (chunk) => sha.update(chunk),
  );
  b.specVersion = checkSpec(file, top.bomFormat ?? 'missing', top.specVersion);
  b.metadata = (top.metadata as Record<string, unknown>) ?? {};
  b.serialNumber = typeof top.serialNumber === 'string' ? top.serialNumber : undefined;
  b.key = cdxKey(top.serialNumber, sha.digest('hex'));
  return b.finish();
}
