/**
 * Where beambake's own files are. The code runs both from source (tsx:
 * src/...) and compiled (dist/src/...), at different depths below the package
 * root, so files shipped beside the code (templates, schemas, profiles) are
 * found from the root rather than from relative URLs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding beambake's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'meta-beam-templates'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`beambake's package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let version: string | undefined;

/** beambake's own version, as written into generated files. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
