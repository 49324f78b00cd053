/** Reading directory trees for comparisons: contents by relative path, or the paths alone. */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
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

/**
 * What a tree is, for comparing two builds: every path (symlinks not followed) with its type,
 * permission bits and content digest or link target.
 */
export function treeManifest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of pathsUnder(root)) {
    const p = join(root, rel);
    const st = lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
    else if (st.isDirectory()) out[rel] = `dir ${mode}`;
    else out[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
  }
  return out;
}

/** Paths whose entry differs between two manifests (present in one only included), sorted. */
export function manifestDifferences(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}
