/**
 * What differs between the Yocto releases a generated layer can target, as
 * data. The renderer asks this table instead of comparing release names.
 *
 * Sources (Yocto Project migration guides, docs.yoctoproject.org):
 * - 5.1 styhead, "WORKDIR changes": do_unpack now unpacks into
 *   UNPACKDIR (= WORKDIR/sources-unpack); recipes refer to fetched files via
 *   ${UNPACKDIR}. S = "${WORKDIR}/git" still works there (it is moved), but
 *   S = "${UNPACKDIR}/git" is the documented form.
 * - 5.2 walnascar, "Git fetcher: Branch parameter now required in SRC_URI":
 *   a git:// URL without `branch=` is an error (it was a warning before);
 *   `nobranch=1` is the way to pin a commit that is on no particular branch.
 *   Same release: "support for multiple revisions per URL removed"
 *   (`branch=a,b;name=x,y`), so every git dependency is its own SRC_URI entry.
 * - 5.3 whinlatter, "S = ${WORKDIR}/something no longer supported" and
 *   "S = ${WORKDIR}/git and S = ${UNPACKDIR}/git should be removed": the git
 *   fetcher unpacks into ${BB_GIT_DEFAULT_DESTSUFFIX} (set to ${BP} by
 *   oe-core's bitbake.conf) instead of `git/`, which matches the default S.
 *   Same release: `tag=` is now checked against SRCREV, and assignments
 *   without spaces around `=` warn (we always write `VAR = "value"`).
 * - 6.0 wrynose (LTS after scarthgap): keeps the 5.3 fetcher layout; removes
 *   the npm, bzr, osc and cvs fetchers (we use only https and git).
 * Before walnascar a missing `branch=` still made BitBake check SRCREV
 * against `master` (since 1.6 "Matching Branch Requirement for Git
 * Fetching"), so the renderer writes `branch=` or `nobranch=1` for every
 * release; the table keeps the flag for the self-check.
 */
import { BeambakeError } from '../util/errors.js';

export const YOCTO_RELEASES = ['scarthgap', 'styhead', 'walnascar', 'whinlatter', 'wrynose'] as const;
export type YoctoRelease = (typeof YOCTO_RELEASES)[number];
export const DEFAULT_RELEASE: YoctoRelease = 'scarthgap';

export interface ReleaseInfo {
  name: YoctoRelease;
  version: string;
  lts: boolean;
  /**
   * LAYERSERIES_COMPAT of a layer rendered for this release: the releases on
   * which exactly these recipe lines are correct (same unpack layout and
   * fetcher rules), not every release beambake knows.
   */
  layerSeriesCompat: YoctoRelease[];
  /** Variable naming the directory SRC_URI entries are unpacked into. */
  unpackVar: 'WORKDIR' | 'UNPACKDIR';
  /**
   * Where the git fetcher puts a checkout without `destsuffix=`, relative to
   * the unpack directory: `git` up to walnascar, ${BB_GIT_DEFAULT_DESTSUFFIX}
   * (= ${BP}) from whinlatter on.
   */
  gitDefaultDestsuffix: string;
  /** Whether S must be set for a git checkout in the default place (false: the default S already matches). */
  setGitS: boolean;
  /** A git:// SRC_URI entry without `branch=`/`nobranch=1` is an error. */
  gitBranchRequired: boolean;
  /** `branch=a,b;name=x,y` (several revisions in one URL) is accepted. */
  gitMultipleRevisionsPerUrl: boolean;
  /** BitBake checks `tag=` against SRCREV. */
  gitTagChecked: boolean;
  /**
   * create-spdx-3.0 is the default SBOM class and reads SPDX_PACKAGE_URLS
   * for the recipe's packages; on scarthgap (SPDX 2.2 by default) the purls
   * are still written, and the summary comment carries them as well.
   */
  spdx3Default: boolean;
  /**
   * meta-erlang's branch for this release has a gleam recipe (gleam-native, which
   * beambake-gleam.bbclass builds with). Only its master branch has one, and master
   * declares wrynose; its scarthgap branch has none (checked in the snapshots of
   * ../shared/yocto), and for the releases in between none is known.
   */
  metaErlangGleamNative: boolean;
}

const TABLE: Record<YoctoRelease, ReleaseInfo> = {
  scarthgap: {
    name: 'scarthgap',
    version: '5.0',
    lts: true,
    layerSeriesCompat: ['scarthgap'],
    unpackVar: 'WORKDIR',
    gitDefaultDestsuffix: 'git',
    setGitS: true,
    gitBranchRequired: false,
    gitMultipleRevisionsPerUrl: true,
    gitTagChecked: false,
    spdx3Default: false,
    metaErlangGleamNative: false,
  },
  styhead: {
    name: 'styhead',
    version: '5.1',
    lts: false,
    layerSeriesCompat: ['styhead', 'walnascar'],
    unpackVar: 'UNPACKDIR',
    gitDefaultDestsuffix: 'git',
    setGitS: true,
    gitBranchRequired: false,
    gitMultipleRevisionsPerUrl: true,
    gitTagChecked: false,
    spdx3Default: true,
    metaErlangGleamNative: false,
  },
  walnascar: {
    name: 'walnascar',
    version: '5.2',
    lts: false,
    layerSeriesCompat: ['styhead', 'walnascar'],
    unpackVar: 'UNPACKDIR',
    gitDefaultDestsuffix: 'git',
    setGitS: true,
    gitBranchRequired: true,
    gitMultipleRevisionsPerUrl: false,
    gitTagChecked: false,
    spdx3Default: true,
    metaErlangGleamNative: false,
  },
  whinlatter: {
    name: 'whinlatter',
    version: '5.3',
    lts: false,
    layerSeriesCompat: ['whinlatter', 'wrynose'],
    unpackVar: 'UNPACKDIR',
    gitDefaultDestsuffix: '${BB_GIT_DEFAULT_DESTSUFFIX}',
    setGitS: false,
    gitBranchRequired: true,
    gitMultipleRevisionsPerUrl: false,
    gitTagChecked: true,
    spdx3Default: true,
    metaErlangGleamNative: false,
  },
  wrynose: {
    name: 'wrynose',
    version: '6.0',
    lts: true,
    layerSeriesCompat: ['whinlatter', 'wrynose'],
    unpackVar: 'UNPACKDIR',
    gitDefaultDestsuffix: '${BB_GIT_DEFAULT_DESTSUFFIX}',
    setGitS: false,
    gitBranchRequired: true,
    gitMultipleRevisionsPerUrl: false,
    gitTagChecked: true,
    spdx3Default: true,
    metaErlangGleamNative: true,
  },
};

export function releaseInfo(name: string): ReleaseInfo {
  if (!(YOCTO_RELEASES as readonly string[]).includes(name)) {
    throw new BeambakeError('INVALID_ARGUMENT', `unknown Yocto release "${name}"; supported: ${YOCTO_RELEASES.join(', ')}`, {
      entry: '--yocto',
    });
  }
  return TABLE[name as YoctoRelease];
}
