import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs as TS (tsx) or compiled JS in dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

export const repoRoot = findRoot();
export const sharedDir = resolve(repoRoot, process.env.BEAMBAKE_SHARED ?? '../shared');
export const corpusDir = join(sharedDir, 'corpus');
export const schemasDir = join(sharedDir, 'schemas');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
/** True when running the compiled tests from dist/. */
export const runningCompiled = fileURLToPath(import.meta.url).endsWith('.js');
