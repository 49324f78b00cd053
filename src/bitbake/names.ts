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

/**
 * The recipe name (PN) of an OTP application, the OpenEmbedded way: lowercase, `-` for `_`.
 * BitBake takes PN and PV from the file name `PN_PV.bb` by splitting it at `_`, so an
 * application name with `_` in it cannot be PN (`hello_beam_0.1.0.bb` would be PN `hello`,
 * PV `beam`, and two underscores stop the parse). OTP names are `[a-z][a-z0-9_]*`, so the
 * mapping is one-to-one. The application name itself goes into BEAM_APP.
 */
export function recipeName(app: string): string {
  return app.toLowerCase().replace(/_/g, '-');
}

/**
 * `PN_PV.bb`. PV is the application's SemVer version as it is: BitBake splits the file name
 * only at `_`, which SemVer never contains, and accepts `-` and `+` in PV (oe-core itself has
 * `syslinux_6.04-pre2.bb` and `cargo-c_0.10.21+cargo-0.95.0.bb`; package_rpm turns `-` into `+`).
 */
export function recipeFileName(app: string, version: string): string {
  if (/_/.test(version)) throw new Error(`internal: version ${version} has an underscore`);
  return `${recipeName(app)}_${version}.bb`;
}

/** The directory of an application's recipe in a generated layer. */
export function recipeDir(app: string): string {
  return `recipes-beam/${recipeName(app)}`;
}
