/**
 * A kas project file for a board, meant to be committed: oe-core + BitBake
 * (every release; poky is not published for the newest ones), meta-yocto for
 * the poky distro, meta-erlang, the BSP layer and the generated layer(s).
 *
 * - Every fetched repository is pinned to a commit (`refspec: <sha>`): kas
 *   checks that commit out detached, so the same file gives the same sources
 *   next year. beambake knows the commits of the stacks it is tested with
 *   (KNOWN_COMMITS); `--repo-commit NAME=SHA` gives or overrides the others.
 * - The generated layers are one repository entry without `url` and `path`,
 *   which kas resolves to the git checkout holding the kas file (or the kas
 *   file's directory), so the layer paths are relative and the file works in
 *   any clone.
 * - The applications of those layers go into the image (IMAGE_INSTALL), and
 *   `--mirror` adds the verified-mirror lines of docs/vendor.md.
 *
 * Format version 12 with `refspec`: the newest format Debian bookworm's kas 3.1
 * reads; current kas (4.x) still reads it and takes a commit as refspec (with a
 * deprecation note), so one file serves both.
 */
import { stringify } from 'yaml';
import { BeambakeError } from '../util/errors.js';
import type { HardwareProfile, YoctoBranchRelease } from '../profiles/index.js';

export const KAS_FORMAT_VERSION = 12;
export const KAS_RELEASES: YoctoBranchRelease[] = ['scarthgap', 'walnascar', 'whinlatter', 'wrynose'];

/** Branch of each repository per release (for the comments and error messages); null when not known. */
const RELEASE_BRANCH: Record<string, Record<YoctoBranchRelease, string | null>> = {
  bitbake: { scarthgap: '2.8', walnascar: '2.12', whinlatter: '2.14', wrynose: '2.18' },
  'openembedded-core': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: 'whinlatter', wrynose: 'wrynose' },
  'meta-yocto': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: 'whinlatter', wrynose: 'wrynose' },
  // meta-erlang has no wrynose branch; its master declares wrynose
  'meta-erlang': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: null, wrynose: 'master' },
};

/**
 * Commits beambake's tests build with (the offline snapshots of ../shared/yocto,
 * taken with `git archive` of these commits on the branches above).
 */
export const KNOWN_COMMITS: Record<YoctoBranchRelease, Record<string, string>> = {
  scarthgap: {
    bitbake: '0880963fea4d91a034e4a6e007d23f98658ab986',
    'openembedded-core': '543550522f831479f07d332a40ba343c53ae1065',
    'meta-erlang': '62acd0499dc3fc1022b8edcd6f7785fd4255a8c1',
  },
  walnascar: {},
  whinlatter: {},
  wrynose: {
    bitbake: 'fae9db3168dbff1b8c76fe9c6726a9687ff97514',
    'openembedded-core': 'ef022bf82d79015802309d14c28b13373ebe53f5',
    'meta-erlang': 'd4bd0123cf30bca6d07477401eeb346500b7a6c7',
  },
};

const DEFAULT_URLS: Record<string, string> = {
  bitbake: 'https://git.openembedded.org/bitbake',
  'openembedded-core': 'https://git.openembedded.org/openembedded-core',
  'meta-yocto': 'https://git.yoctoproject.org/meta-yocto',
  'meta-erlang': 'https://github.com/meta-erlang/meta-erlang',
};

/** Key of the repository entry holding the generated layers. */
export const LAYERS_REPO = 'beambake-layers';

export interface KasLayer {
  /** Path relative to the kas root (see layers.ts kasRootFor), `/`-separated. */
  path: string;
  /** PNs of the layer's recipes: added to IMAGE_INSTALL. */
  recipes: string[];
  /** `https://host/` prefixes of the Hex downloads (mirror lines). */
  hexUrlPrefixes: string[];
}

export interface KasOptions {
  profile: HardwareProfile;
  yocto: string;
  layers: KasLayer[];
  target: string;
  distro: string;
  /** `NAME=URL` / `NAME=SHA` overrides per repository name. */
  repoUrls?: string[];
  repoCommits?: string[];
  /** Absolute directory of a `beambake vendor` mirror. */
  mirror?: string;
}

export interface KasRepoSummary {
  name: string;
  url?: string;
  commit?: string;
  branch?: string;
  layers: string[];
}

export interface KasRendered {
  text: string;
  repos: KasRepoSummary[];
  imageInstall: string[];
  localConf: string;
}

function pairs(list: string[] | undefined, option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of list ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw new BeambakeError('INVALID_ARGUMENT', `${option} wants NAME=VALUE, got ${JSON.stringify(p.slice(0, 80))}`, { entry: option });
    out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

const SAFE_YAML_VALUE = /^[A-Za-z0-9_.:/@+~=-][A-Za-z0-9_.:/@+~=%-]{0,499}$/;
const SAFE_PATH = /^[A-Za-z0-9_.+@~/-]{1,500}$/;
const COMMIT = /^[0-9a-f]{40}$/;

export function renderKas(opts: KasOptions): KasRendered {
  const release = opts.yocto as YoctoBranchRelease;
  if (!KAS_RELEASES.includes(release)) {
    throw new BeambakeError('INVALID_ARGUMENT', `kas files are written for ${KAS_RELEASES.join(', ')}; got "${opts.yocto}"`, { entry: '--yocto' });
  }
  const p = opts.profile;
  const urls = pairs(opts.repoUrls, '--repo-url');
  const commits = pairs(opts.repoCommits, '--repo-commit');
  const bspName = p.bsp.layer === 'meta' ? 'openembedded-core' : p.bsp.subdir === 'meta-yocto-bsp' ? 'meta-yocto' : p.bsp.layer;
  const known = new Set(['bitbake', 'openembedded-core', 'meta-erlang', bspName, ...(opts.distro === 'poky' ? ['meta-yocto'] : [])]);
  for (const name of [...urls.keys(), ...commits.keys()]) {
    if (!known.has(name)) throw new BeambakeError('INVALID_ARGUMENT', `no repository named "${name}" in this kas file; repositories: ${[...known].sort().join(', ')}`, { entry: name });
  }
  for (const [k, v] of urls) {
    if (!SAFE_YAML_VALUE.test(v)) throw new BeambakeError('UNSAFE_VALUE', `value ${JSON.stringify(v.slice(0, 80))} has characters kas files do not need`, { entry: k });
  }
  for (const [k, v] of commits) {
    if (!COMMIT.test(v)) throw new BeambakeError('INVALID_ARGUMENT', `--repo-commit ${k}=${JSON.stringify(v.slice(0, 80))}: want a full 40-hex-digit commit id (lowercase)`, { entry: '--repo-commit' });
  }
  for (const [what, v] of [['--target', opts.target], ['--distro', opts.distro]] as const) {
    if (!/^[a-z0-9][a-z0-9_+.-]{0,99}$/.test(v)) throw new BeambakeError('INVALID_ARGUMENT', `${what} ${JSON.stringify(v.slice(0, 80))} is not a recipe/distro name`, { entry: what });
  }

  const branchTable = (name: string): Record<YoctoBranchRelease, string | null> | undefined =>
    name === bspName && !RELEASE_BRANCH[name] ? p.bsp.branches : RELEASE_BRANCH[name];
  const summaries: KasRepoSummary[] = [];
  const repo = (name: string, layers: Record<string, null | string>, url = DEFAULT_URLS[name]!) => {
    const branch = branchTable(name)?.[release] ?? undefined;
    const commit = commits.get(name) ?? KNOWN_COMMITS[release][name];
    if (!commit) {
      throw new BeambakeError(
        'INVALID_ARGUMENT',
        `the ${name} commit for ${release}${branch ? ` (branch ${branch})` : ''} is not known to beambake; pin it with --repo-commit ${name}=SHA`,
        { entry: '--repo-commit' },
      );
    }
    const u = urls.get(name) ?? url;
    summaries.push({ name, url: u, commit, ...(branch ? { branch } : {}), layers: Object.keys(layers).filter((l) => layers[l] === null) });
    return { url: u, refspec: commit, layers };
  };

  const repos: Record<string, unknown> = {
    bitbake: repo('bitbake', { '.': 'excluded' }),
    'openembedded-core': repo('openembedded-core', { meta: null }),
  };
  const yoctoLayers: Record<string, null> = {};
  if (opts.distro === 'poky') yoctoLayers['meta-poky'] = null;
  if (bspName === 'meta-yocto') yoctoLayers['meta-yocto-bsp'] = null;
  if (Object.keys(yoctoLayers).length > 0) repos['meta-yocto'] = repo('meta-yocto', yoctoLayers);
  repos['meta-erlang'] = repo('meta-erlang', { '.': null });
  if (bspName !== 'openembedded-core' && bspName !== 'meta-yocto') {
    repos[bspName] = repo(bspName, { [p.bsp.subdir ?? '.']: null }, p.bsp.url);
  }
  if (opts.layers.length > 0) {
    const layers: Record<string, null> = {};
    for (const l of [...opts.layers].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!SAFE_PATH.test(l.path) || l.path.startsWith('/')) {
        throw new BeambakeError('UNSAFE_VALUE', `layer path ${JSON.stringify(l.path.slice(0, 80))} has unusual characters`, { entry: '--layer' });
      }
      if (l.path in layers) throw new BeambakeError('INVALID_ARGUMENT', `--layer ${l.path} is given twice`, { entry: '--layer' });
      layers[l.path] = null;
    }
    // No url and no path: kas takes the checkout holding this file, with no git operation.
    repos[LAYERS_REPO] = { layers };
    summaries.push({ name: LAYERS_REPO, layers: Object.keys(layers) });
  }

  const imageInstall = [...new Set(opts.layers.flatMap((l) => l.recipes))].sort();
  const localConf = [
    `# beambake hardware profile ${p.name}: ${p.gnuTriplet}, DEFAULTTUNE ${p.defaultTune}, BEAM ${p.beamJit ? 'JIT' : 'interpreter'}`,
    ...(p.bsp.depends.length > 0 ? [`# ${p.bsp.layer} also needs: ${p.bsp.depends.join(', ')} (add them with their repositories)`] : []),
    ...(imageInstall.length > 0 ? ['# The applications of the beambake layers', `IMAGE_INSTALL:append = " ${imageInstall.join(' ')}"`] : []),
    ...(opts.mirror !== undefined ? mirrorLines(opts.mirror, opts.layers) : []),
    '',
  ].join('\n');

  const doc = {
    header: { version: KAS_FORMAT_VERSION },
    machine: p.machine,
    distro: opts.distro,
    target: opts.target,
    repos,
    local_conf_header: { beambake: localConf },
  };
  const header = [
    `# kas project file generated by beambake (beambake kas --profile ${p.name} --yocto ${release}).`,
    '# Board facts come from hardware-profiles/' + p.name + '.json; re-run beambake kas to regenerate.',
    '# Pinned commits (refspec):',
    ...summaries.filter((s) => s.commit).map((s) => `#   ${s.name}: ${s.commit}${s.branch ? ` (branch ${s.branch})` : ''}`),
    ...(opts.layers.length > 0 ? [`# ${LAYERS_REPO}: paths relative to the git checkout holding this file (or its directory).`] : []),
  ].join('\n');
  const text = `${header}\n${stringify(doc, { lineWidth: 0, sortMapEntries: false }).replace(/\n*$/, '\n')}`;
  return { text, repos: summaries, imageInstall, localConf };
}

/** The local.conf lines of docs/vendor.md for a `beambake vendor` mirror. */
function mirrorLines(mirror: string, layers: KasLayer[]): string[] {
  if (!mirror.startsWith('/') || !SAFE_PATH.test(mirror)) {
    throw new BeambakeError('UNSAFE_VALUE', `mirror path ${JSON.stringify(mirror.slice(0, 80))} has unusual characters`, { entry: '--mirror' });
  }
  const dir = mirror.replace(/\/+$/, '') + '/';
  const prefixes = [...new Set(['https://repo.hex.pm/', ...layers.flatMap((l) => l.hexUrlPrefixes)])].sort();
  return [
    '# Hex tarballs from the verified beambake vendor mirror, never from the network (docs/vendor.md).',
    'PREMIRRORS:prepend = "\\',
    ...prefixes.map((u) => `    ${u}.* file://${dir} \\`),
    '"',
    '# Git sources (the application, git dependencies) need their git2_*.tar.gz mirror tarballs there too.',
    'BB_FETCH_PREMIRRORONLY = "1"',
  ];
}
