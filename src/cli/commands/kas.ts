import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { examples, withJson, withYocto } from '../options.js';

interface KasArgs {
  profile: string;
  yocto: string;
  layer?: string[];
  target: string;
  distro: string;
  output: string;
  repoUrl?: string[];
  repoCommit?: string[];
  mirror?: string;
  json: boolean;
}

export const kasCommand: CommandModule<object, KasArgs> = {
  command: 'kas',
  describe: 'Write a kas project file for a board: oe-core, BitBake, meta-erlang, the BSP layer and your generated layers, each pinned to a commit',
  builder: (y: Argv) => {
    let b = y.option('profile', { type: 'string', demandOption: true, describe: 'Hardware profile (see `beambake profiles list`)' });
    b = withYocto(b, 'Yocto release (commits of oe-core, BitBake, meta-erlang and the BSP)')
      .option('layer', {
        type: 'string',
        array: true,
        nargs: 1,
        describe: 'Generated layer directory (repeatable), e.g. the -o of beambake recipe; its recipes are added to IMAGE_INSTALL and its LAYERSERIES_COMPAT must name --yocto',
      })
      .option('target', { type: 'string', default: 'core-image-minimal', describe: 'Image (or recipe) kas builds' })
      .option('distro', { type: 'string', default: 'poky', describe: 'DISTRO; poky adds meta-yocto (meta-poky)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'kas file to write' })
      .option('repo-url', { type: 'string', array: true, nargs: 1, describe: 'NAME=URL: fetch git repository NAME (bitbake, openembedded-core, meta-yocto, meta-erlang, the BSP) from URL, e.g. a mirror' })
      .option('repo-commit', { type: 'string', array: true, nargs: 1, describe: 'NAME=SHA: pin repository NAME to this commit (needed where beambake knows no commit for the release)' })
      .option('mirror', { type: 'string', describe: 'Directory of a beambake vendor mirror: adds its PREMIRRORS and BB_FETCH_PREMIRRORONLY lines (absolute path)' });
    b = withJson(b, 'Print what was written (file, machine, pinned repositories, IMAGE_INSTALL) as JSON');
    return examples(b, [
      ['$0 kas --profile qemuarm64 --layer meta-myapp -o kas/qemu.yml', 'Then: kas build kas/qemu.yml'],
      ['$0 kas --profile raspberrypi4-64 --layer meta-myapp --repo-commit meta-raspberrypi=SHA --repo-commit meta-yocto=SHA -o kas/rpi4.yml', 'Pin the repositories beambake knows no commit of'],
      ['$0 kas --profile qemuarm64 --layer meta-myapp --mirror /srv/beam-mirror -o kas/offline.yml', 'Build from a verified mirror only'],
    ]) as unknown as Argv<KasArgs>;
  },
  handler: async (args: ArgumentsCamelCase<KasArgs>) => {
    const { getProfile } = await import('../../profiles/index.js');
    const { renderKas } = await import('../../kas/render.js');
    const { checkSeries, inspectLayer, kasRootFor, layerPathFrom } = await import('../../kas/layers.js');
    const { writeFileAtomic } = await import('../../util/atomic.js');
    const { info, printJson, style } = await import('../output.js');
    const { isDirectory, isFile } = await import('../../util/files.js');
    const { BeambakeError } = await import('../../util/errors.js');
    const { resolve } = await import('node:path');
    const profile = getProfile(args.profile);
    // a mistyped --layer would otherwise surface only when kas starts BitBake
    for (const dir of args.layer ?? []) {
      if (!isFile(`${dir}/conf/layer.conf`)) {
        throw new BeambakeError('INVALID_ARGUMENT', `--layer ${dir}: not a layer directory (no conf/layer.conf); write it with beambake recipe -o ${dir}`, { entry: '--layer' });
      }
    }
    if (args.mirror !== undefined && !isDirectory(args.mirror)) {
      throw new BeambakeError('INVALID_ARGUMENT', `--mirror ${args.mirror}: no such directory; fill it with beambake vendor -o ${args.mirror}`, { entry: '--mirror' });
    }
    const root = kasRootFor(args.output);
    const layers = (args.layer ?? []).map((dir) => {
      const facts = inspectLayer(dir);
      checkSeries(facts, args.yocto);
      return { path: layerPathFrom(root, facts.dir), recipes: facts.recipes, hexUrlPrefixes: facts.hexUrlPrefixes };
    });
    const rendered = renderKas({
      profile,
      yocto: args.yocto,
      layers,
      target: args.target,
      distro: args.distro,
      ...(args.repoUrl ? { repoUrls: args.repoUrl } : {}),
      ...(args.repoCommit ? { repoCommits: args.repoCommit } : {}),
      ...(args.mirror !== undefined ? { mirror: resolve(args.mirror) } : {}),
    });
    await writeFileAtomic(args.output, rendered.text);
    if (args.json) {
      printJson({
        file: args.output,
        kasFormat: 12,
        machine: profile.machine,
        distro: args.distro,
        target: args.target,
        yocto: args.yocto,
        root,
        repos: rendered.repos,
        imageInstall: rendered.imageInstall,
        mirror: args.mirror !== undefined ? resolve(args.mirror) : null,
      });
    } else {
      const apps = rendered.imageInstall.length > 0 ? `; IMAGE_INSTALL += ${rendered.imageInstall.join(' ')}` : '';
      info(`${args.output} (kas format 12; machine from profile ${args.profile}; ${rendered.repos.filter((r) => r.commit).length} repositories pinned${apps})`, style.green('wrote', process.stderr));
    }
  },
};
