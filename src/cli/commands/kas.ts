import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface KasArgs {
  profile: string;
  yocto: string;
  layer?: string[];
  target: string;
  distro: string;
  output: string;
  repoUrl?: string[];
  repoBranch?: string[];
}

export const kasCommand: CommandModule<object, KasArgs> = {
  command: 'kas',
  describe: 'Write a kas project file for a board: oe-core, BitBake, meta-erlang, the BSP layer and your generated layers',
  builder: (y: Argv) =>
    y
      .option('profile', { type: 'string', demandOption: true, describe: 'Hardware profile (see `beambake profiles list`)' })
      .option('yocto', { type: 'string', default: 'scarthgap', choices: ['scarthgap', 'walnascar', 'whinlatter', 'wrynose'], describe: 'Yocto release' })
      .option('layer', { type: 'string', array: true, describe: 'Generated layer directory (repeatable), e.g. the -o of beambake recipe' })
      .option('target', { type: 'string', default: 'core-image-minimal', describe: 'Image (or recipe) kas builds' })
      .option('distro', { type: 'string', default: 'poky', describe: 'DISTRO; poky adds meta-yocto (meta-poky)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'kas file to write' })
      .option('repo-url', { type: 'string', array: true, describe: 'NAME=URL: fetch repository NAME (bitbake, openembedded-core, meta-yocto, meta-erlang, the BSP) from URL, e.g. a mirror' })
      .option('repo-branch', { type: 'string', array: true, describe: 'NAME=BRANCH: branch of repository NAME (needed where beambake does not know it)' })
      .example('$0 kas --profile raspberrypi4-64 --layer meta-myapp -o kas/rpi4.yml', 'Then: kas build kas/rpi4.yml')
      .example('$0 kas --profile qemuarm64 --yocto walnascar --repo-url meta-erlang=https://mirror.example/meta-erlang.git -o qemu.yml', 'Use a mirror for one repository') as unknown as Argv<KasArgs>,
  handler: async (args: ArgumentsCamelCase<KasArgs>) => {
    const { getProfile } = await import('../../profiles/index.js');
    const { renderKas } = await import('../../kas/render.js');
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
    const text = renderKas({
      profile: getProfile(args.profile),
      yocto: args.yocto,
      layers: args.layer ?? [],
      target: args.target,
      distro: args.distro,
      ...(args.repoUrl ? { repoUrls: args.repoUrl } : {}),
      ...(args.repoBranch ? { repoBranches: args.repoBranch } : {}),
    });
    await writeFileAtomic(args.output, text);
    info(`${args.output} (kas format ${12}; machine from profile ${args.profile})`, style.green('wrote', process.stderr));
  },
};
