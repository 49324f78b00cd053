/** Reading directory trees for comparisons: contents by relative path, or the paths alone. */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir` by '/'-separated relative path, sorted, with its bytes. */
export function filesOf(dir: string, base = dir): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, filesOf(p, base));
    else out[relative(base, p).split('\\').join('/')] = readFileSync(p);
  }
  return out;
}

/** Every path under `root`, relative, sorted depth-first (directories included, symlinks not followed). */
export function pathsUnder(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    out.push(relative(root, p));
    if (lstatSync(p).isDirectory()) out.push(...pathsUnder(root, p));
  }
  return out;
}
