/**
 * The gate every command passes a lock through right after reading it: every
 * name, version, checksum, revision, URL and path a lockfile supplies is
 * checked with the same validators the BitBake renderers use, before `deps`,
 * `verify`, `vendor`, `sbom` or `recipe` builds a file name, a path or an
 * output line from it. A hostile name such as `a/../../../../escaped_pkg`
 * therefore fails in every command the same way (UNSAFE_VALUE, exit 3)
 * instead of reaching `join(dir, name)` in one of them.
 */
import { join, resolve, sep } from 'node:path';
import type { Package } from '../model.js';
import * as v from './values.js';
import { BeambakeError } from '../util/errors.js';

const ctx = v.packageField;

/** Check one locked package; throws UNSAFE_VALUE naming the entry and field. */
export function validateLockedPackage(pkg: Package): void {
  v.appName(pkg.app, ctx(pkg, 'app'));
  for (const dep of pkg.dependencies) v.appName(dep, ctx(pkg, 'dependency'));
  switch (pkg.source) {
    case 'hex':
      v.hexName(pkg.name, ctx(pkg, 'name'));
      v.version(pkg.version, ctx(pkg, 'version'));
      v.repositoryName(pkg.repository, ctx(pkg, 'repository'));
      if (pkg.outerChecksum !== null) v.sha256(pkg.outerChecksum, ctx(pkg, 'outer checksum'));
      if (pkg.innerChecksum !== null) v.sha256(pkg.innerChecksum, ctx(pkg, 'inner checksum'));
      for (const tool of pkg.buildTools) v.hexName(tool, ctx(pkg, 'build tool'));
      return;
    case 'git':
      v.gitUrl(pkg.url, ctx(pkg, 'url'));
      v.gitRev(pkg.rev, ctx(pkg, 'rev'));
      for (const k of ['ref', 'tag', 'branch'] as const) {
        const ref = pkg[k];
        if (ref !== undefined) v.gitRefName(ref, ctx(pkg, k));
      }
      if (pkg.subdir !== undefined) v.relativePath(pkg.subdir, ctx(pkg, 'subdir'));
      if (pkg.sparse !== undefined) v.relativePath(pkg.sparse, ctx(pkg, 'sparse'));
      if (pkg.depth !== undefined && !(Number.isSafeInteger(pkg.depth) && pkg.depth > 0)) {
        throw v.unsafe(String(pkg.depth), ctx(pkg, 'depth'), 'is not a positive integer that fits in 53 bits');
      }
      return;
    case 'path':
      // Local path dependencies legitimately point at siblings (`../shared`): they are
      // never joined to an output directory, so only text that breaks lines is refused.
      // eslint-disable-next-line no-control-regex
      if (typeof pkg.path !== 'string' || pkg.path.length === 0 || /[\u0000-\u001f\u007f]/.test(pkg.path)) {
        throw v.unsafe(String(pkg.path), ctx(pkg, 'path'), 'is not a usable path');
      }
      if (pkg.version !== undefined) v.version(pkg.version, ctx(pkg, 'version'));
      return;
  }
}

/** Check every locked package (the first bad value wins, in lock order). */
export function validateLockedPackages(packages: readonly Package[]): void {
  for (const p of packages) validateLockedPackage(p);
}

/**
 * `join(dir, rel)` that refuses to leave `dir`: every file beambake derives
 * from a lock value goes through here, so even a value the validators missed
 * cannot name a file outside the directory the user gave.
 */
export function joinInside(dir: string, rel: string): string {
  const base = resolve(dir);
  const full = resolve(base, rel);
  if (full !== base && !full.startsWith(base.endsWith(sep) ? base : base + sep)) {
    throw new BeambakeError('UNSAFE_VALUE', `${JSON.stringify(rel)} would leave the directory`, { file: dir });
  }
  return join(dir, rel);
}
