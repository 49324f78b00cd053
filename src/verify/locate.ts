/**
 * Where a vendored Hex tarball may sit in a directory: the flat names a
 * beambake mirror or BitBake DL_DIR uses (`hexDownloadFilename`), and the
 * `NAME-VERSION.tar` names of Hex's, rebar3's and Gleam's package caches,
 * either directly in the directory or under the cache's per-repository
 * sub-directories.
 */
import { isFile } from '../util/files.js';
import { joinInside } from '../validate/lock.js';
import { hexDownloadFilename, hexTarballName } from '../bitbake/names.js';
import type { HexPackage } from '../model.js';

export function tarballCandidates(pkg: Pick<HexPackage, 'name' | 'version' | 'repository'>): string[] {
  const plain = hexTarballName(pkg);
  const repoDirs = [pkg.repository, pkg.repository.replace(/:/g, '_')];
  if (pkg.repository.startsWith('hexpm:')) repoDirs.push(pkg.repository.slice('hexpm:'.length));
  const out = [hexDownloadFilename(pkg), plain];
  for (const r of new Set(repoDirs)) out.push(`${r}/${plain}`, `${r}/packages/${plain}`);
  // rebar3 (~/.cache/rebar3/hex/hexpm/packages) and Gleam (~/.cache/gleam/hex/hexpm/packages) cache roots.
  for (const r of new Set(repoDirs)) out.push(`hex/${r}/packages/${plain}`);
  return out;
}

/** The first existing candidate over all directories (in the order given), or undefined. */
export function locateTarball(dirs: readonly string[], pkg: Pick<HexPackage, 'name' | 'version' | 'repository'>): string | undefined {
  const names = tarballCandidates(pkg);
  for (const dir of dirs) {
    for (const n of names) {
      const p = joinInside(dir, n);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}
