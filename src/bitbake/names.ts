/**
 * How Hex and git dependencies are named inside a generated layer. Shared by
 * the recipe renderer (SRC_URI), `beambake vendor` (mirror file names) and the
 * build classes (where fetched files land), so the three always agree.
 *
 * BitBake looks a mirrored file up by the basename of `downloadfilename`, so
 * these names are flat and unique per repository, name and version.
 */
import type { GitPackage, HexPackage } from '../model.js';

/** Directory under the unpack dir (WORKDIR/UNPACKDIR) where Hex tarballs are copied (unpack=0). */
export const HEX_SUBDIR = 'beam-deps/hex';
/** Directory under the unpack dir where git dependencies are checked out, one per app. */
export const GIT_SUBDIR = 'beam-deps/git';

/** `hexpm` → ``, `hexpm:acme` → `hexpm_acme`, `my_repo` → `my_repo`. */
function repoTag(repository: string): string {
  return repository === 'hexpm' ? '' : repository.replace(/:/g, '_');
}

/** File name of a Hex tarball in DL_DIR and in a beambake mirror. */
export function hexDownloadFilename(pkg: Pick<HexPackage, 'name' | 'version' | 'repository'>): string {
  const tag = repoTag(pkg.repository);
  return `hex-${tag ? tag + '-' : ''}${pkg.name}-${pkg.version}.tar`;
}

/** The tarball's own name as Hex serves and caches it. */
export function hexTarballName(pkg: Pick<HexPackage, 'name' | 'version'>): string {
  return `${pkg.name}-${pkg.version}.tar`;
}

/** SRC_URI `name=` of a Hex dependency (keyed by app, which is unique in a lock). */
export function hexSrcName(pkg: Pick<HexPackage, 'app'>): string {
  return `hex-${pkg.app}`;
}

/** SRC_URI `name=` of a git dependency. */
export function gitSrcName(pkg: Pick<GitPackage, 'app'>): string {
  return `git-${pkg.app}`;
}

/** Checkout directory of a git dependency, relative to the unpack dir. */
export function gitDestSuffix(pkg: Pick<GitPackage, 'app'>): string {
  return `${GIT_SUBDIR}/${pkg.app}`;
}
