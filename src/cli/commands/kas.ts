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
  repoBranch?: string[];
  json: boolean;
}

export const kasCommand: CommandModule<object, KasArgs> = {
  command: 'kas',
  describe: 'Write a kas project file for a board: oe-core, BitBake, meta-erlang, the BSP layer and your generated layers',
  builder: (y: Argv) => {
    let b = y.option('profile', { type: 'string', demandOption: true, describe: 'Hardware profile (see `beambake profiles list`)' });
    b = withYocto(b, 'Yocto release (branches of oe-core, BitBake, meta-erlang and the BSP)')
      .option('layer', { type: 'string', array: true, nargs: 1, describe: 'Generated layer directory (repeatable), e.g. the -o of beambake recipe' })
      .option('target', { type: 'string', default: 'core-image-minimal', describe: 'Image (or recipe) kas builds' })
      .option('distro', { type: 'string', default: 'poky', describe: 'DISTRO; poky adds meta-yocto (meta-poky)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'kas file to write' })
      .option('repo-url', { type: 'string', array: true, nargs: 1, describe: 'NAME=URL: fetch git repository NAME (bitbake, openembedded-core, meta-yocto, meta-erlang, the BSP) from URL, e.g. a mirror' })
      .option('repo-branch', { type: 'string', array: true, nargs: 1, describe: 'NAME=BRANCH: branch of repository NAME (needed where beambake does not know it)' });
    b = withJson(b, 'Print what was written (file, machine, repositories) as JSON');
    return examples(b, [
      ['$0 kas --profile raspberrypi4-64 --layer meta-myapp -o kas/rpi4.yml', 'Then: kas build kas/rpi4.yml'],
      ['$0 kas --profile qemuarm64 --yocto walnascar --repo-url meta-erlang=https://mirror.example/meta-erlang.git -o qemu.yml', 'Use a mirror for one repository'],
    ]) as unknown as Argv<KasArgs>;
  },
  handler: async (args: ArgumentsCamelCase<KasArgs>) => {
    const { getProfile } = await import('../../profiles/index.js');
    const { kasProject } = await import('../../kas/render.js');
    const { writeFileAtomic } = await import('../../util/atomic.js');
    const { info, style } = await import('../output.js');
    const { isFile } = await import('../../util/files.js');
    const { BeambakeError } = await import('../../util/errors.js');
    // a mistyped --layer would otherwise surface only when kas starts BitBake
    for (const dir of args.layer ?? []) {
      if (!isFile(`${dir}/conf/layer.conf`)) {
        throw new BeambakeError('INVALID_ARGUMENT', `--layer ${dir}: not a layer directory (no conf/layer.conf); write it with beambake recipe -o ${dir}`, { entry: '--layer' });
      }
    }
    const { doc, text } = kasProject({
      profile: getProfile(args.profile),
      yocto: args.yocto,
      layers: args.layer ?? [],
      target: args.target,
      distro: args.distro,
      ...(args.repoUrl ? { repoUrls: args.repoUrl } : {}),
      ...(args.repoBranch ? { repoBranches: args.repoBranch } : {}),
    });
    await writeFileAtomic(args.output, text);
    if (args.json) {
      const { printJson } = await import('../output.js');
      printJson({ output: args.output, profile: args.profile, yocto: args.yocto, kasFormat: doc.header.version, machine: doc.machine, distro: doc.distro, target: doc.target, repos: doc.repos });
    } else info(`${args.output} (kas format ${doc.header.version}; machine from profile ${args.profile})`, style.green('wrote', process.stderr));
  },
};
