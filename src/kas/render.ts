/**
 * A kas project file for a board: oe-core + BitBake (every release; poky is
 * not published for the newest ones), meta-yocto for the poky distro,
 * meta-erlang, the BSP layer and the generated layer(s).
 *
 * Format version 12 with `refspec`: the newest format Debian's kas 3.1 reads,
 * and one current kas still accepts (it keeps reading old formats).
 */
import { stringify } from 'yaml';
import { resolve } from 'node:path';
import { BeambakeError } from '../util/errors.js';
import type { HardwareProfile, YoctoBranchRelease } from '../profiles/index.js';

export const KAS_FORMAT_VERSION = 12;
export const KAS_RELEASES: YoctoBranchRelease[] = ['scarthgap', 'walnascar', 'whinlatter', 'wrynose'];

/** BitBake branch per release (oe-core's documented pairing); null when not known. */
const BITBAKE_BRANCH: Record<YoctoBranchRelease, string | null> = { scarthgap: '2.8', walnascar: '2.12', whinlatter: '2.14', wrynose: null };
/** Branches of the other repositories: oe-core, meta-yocto and meta-erlang name them after the release; null when not known. */
const RELEASE_BRANCH: Record<string, Record<YoctoBranchRelease, string | null>> = {
  'openembedded-core': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: 'whinlatter', wrynose: null },
  'meta-yocto': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: 'whinlatter', wrynose: null },
  'meta-erlang': { scarthgap: 'scarthgap', walnascar: 'walnascar', whinlatter: null, wrynose: null },
};
const DEFAULT_URLS: Record<string, string> = {
  bitbake: 'https://git.openembedded.org/bitbake',
  'openembedded-core': 'https://git.openembedded.org/openembedded-core',
  'meta-yocto': 'https://git.yoctoproject.org/meta-yocto',
  'meta-erlang': 'https://github.com/meta-erlang/meta-erlang',
};

export interface KasOptions {
  profile: HardwareProfile;
  yocto: string;
  /** Generated layer directories (beambake recipe -o DIR). */
  layers: string[];
  target: string;
  distro: string;
  /** `NAME=URL` / `NAME=BRANCH` overrides per repository name. */
  repoUrls?: string[];
  repoBranches?: string[];
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

/** The kas project file as text. */
export function renderKas(opts: KasOptions): string {
  return kasProject(opts).text;
}

/** The kas project as data (what `beambake kas --json` prints) and as the file text. */
export function kasProject(opts: KasOptions): { doc: { header: { version: number }; machine: string; distro: string; target: string; repos: Record<string, unknown> }; text: string } {
  const release = opts.yocto as YoctoBranchRelease;
  if (!KAS_RELEASES.includes(release)) {
    throw new BeambakeError('INVALID_ARGUMENT', `kas files are written for ${KAS_RELEASES.join(', ')}; got "${opts.yocto}"`, { entry: '--yocto' });
  }
  const p = opts.profile;
  const urls = pairs(opts.repoUrls, '--repo-url');
  const branches = pairs(opts.repoBranches, '--repo-branch');
  const bspName = p.bsp.layer === 'meta' ? 'openembedded-core' : p.bsp.subdir === 'meta-yocto-bsp' ? 'meta-yocto' : p.bsp.layer;
  const known = new Set(['bitbake', 'openembedded-core', 'meta-erlang', bspName, ...(opts.distro === 'poky' ? ['meta-yocto'] : [])]);
  for (const name of [...urls.keys(), ...branches.keys()]) {
    if (!known.has(name)) throw new BeambakeError('INVALID_ARGUMENT', `no repository named "${name}" in this kas file; repositories: ${[...known].sort().join(', ')}`, { entry: name });
  }
  for (const [k, v] of [...urls, ...branches]) {
    if (!SAFE_YAML_VALUE.test(v)) throw new BeambakeError('UNSAFE_VALUE', `value ${JSON.stringify(v.slice(0, 80))} has characters kas files do not need`, { entry: k });
  }
  for (const [what, v] of [['--target', opts.target], ['--distro', opts.distro]] as const) {
    if (!/^[a-z0-9][a-z0-9_+.-]{0,99}$/.test(v)) throw new BeambakeError('INVALID_ARGUMENT', `${what} ${JSON.stringify(v.slice(0, 80))} is not a recipe/distro name`, { entry: what });
  }

  const branchOf = (name: string, table: Record<YoctoBranchRelease, string | null>): string => {
    const b = branches.get(name) ?? table[release];
    if (!b) {
      throw new BeambakeError(
        'INVALID_ARGUMENT',
        `the ${name} branch for ${release} is not known to beambake; give it with --repo-branch ${name}=BRANCH`,
        { entry: name },
      );
    }
    return b;
  };
  const repo = (name: string, table: Record<YoctoBranchRelease, string | null>, layers: Record<string, null | string>, url = DEFAULT_URLS[name]!) => ({
    url: urls.get(name) ?? url,
    refspec: branchOf(name, table),
    layers,
  });

  const repos: Record<string, unknown> = {
    bitbake: repo('bitbake', BITBAKE_BRANCH, { '.': 'excluded' }),
    'openembedded-core': repo('openembedded-core', RELEASE_BRANCH['openembedded-core']!, { meta: null }),
  };
  const yoctoLayers: Record<string, null> = {};
  if (opts.distro === 'poky') yoctoLayers['meta-poky'] = null;
  if (bspName === 'meta-yocto') yoctoLayers['meta-yocto-bsp'] = null;
  if (Object.keys(yoctoLayers).length > 0) repos['meta-yocto'] = repo('meta-yocto', RELEASE_BRANCH['meta-yocto']!, yoctoLayers);
  repos['meta-erlang'] = repo('meta-erlang', RELEASE_BRANCH['meta-erlang']!, { '.': null });
  if (bspName !== 'openembedded-core' && bspName !== 'meta-yocto') {
    repos[bspName] = repo(bspName, p.bsp.branches, { [p.bsp.subdir ?? '.']: null }, p.bsp.url);
  }
  for (const dir of [...opts.layers].sort()) {
    const abs = resolve(dir);
    const name = `beambake-${abs.split('/').pop()!.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    if (repos[name]) throw new BeambakeError('INVALID_ARGUMENT', `two --layer directories are both named ${abs.split('/').pop()}`, { entry: '--layer' });
    if (!SAFE_YAML_VALUE.test(abs)) throw new BeambakeError('UNSAFE_VALUE', `layer path ${JSON.stringify(abs.slice(0, 80))} has unusual characters`, { entry: '--layer' });
    // No url: kas uses the directory as it is. Absolute, because kas resolves a relative
    // path against its work directory, not against the kas file.
    repos[name] = { path: abs };
  }

  const doc = {
    header: { version: KAS_FORMAT_VERSION },
    machine: p.machine,
    distro: opts.distro,
    target: opts.target,
    repos,
    local_conf_header: {
      beambake: [
        `# beambake hardware profile ${p.name}: ${p.gnuTriplet}, DEFAULTTUNE ${p.defaultTune}, BEAM ${p.beamJit ? 'JIT' : 'interpreter'}`,
        ...(p.bsp.depends.length > 0 ? [`# ${p.bsp.layer} also needs: ${p.bsp.depends.join(', ')} (add them with their repositories)`] : []),
        '',
      ].join('\n'),
    },
  };
  const header = [
    `# kas project file generated by beambake (beambake kas --profile ${p.name} --yocto ${release}).`,
    '# Board facts come from hardware-profiles/' + p.name + '.json; re-run beambake kas to regenerate.',
  ].join('\n');
  return { doc, text: `${header}\n${stringify(doc, { lineWidth: 0, sortMapEntries: false }).replace(/\n*$/, "\n")}` };
}
