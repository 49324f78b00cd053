import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { examples, withJson } from '../options.js';

interface ProfilesArgs {
  action: string;
  name?: string;
  json: boolean;
}

export const profilesCommand: CommandModule<object, ProfilesArgs> = {
  command: 'profiles <action> [name]',
  describe: 'List the hardware profiles (boards) or show one',
  builder: (y: Argv) => {
    const b = y
      .positional('action', { type: 'string', choices: ['list', 'show'], describe: 'list every profile, or show one' })
      .positional('name', { type: 'string', describe: 'Profile name (for show), e.g. raspberrypi4-64, or a path to a profile file' });
    return examples(withJson(b), [
      ['$0 profiles list', 'Boards beambake knows, with MACHINE, triplet and JIT'],
      ['$0 profiles show raspberrypi3 --json', 'Every fact of one board and where it comes from'],
    ]) as unknown as Argv<ProfilesArgs>;
  },
  handler: async (args: ArgumentsCamelCase<ProfilesArgs>) => {
    const { listProfiles, getProfile } = await import('../../profiles/index.js');
    const { printJson, safeText, table } = await import('../output.js');
    const { BeambakeError } = await import('../../util/errors.js');
    if (args.action === 'list') {
      const all = listProfiles();
      if (args.json) printJson(all);
      else
        process.stdout.write(
          table(
            ['PROFILE', 'MACHINE', 'BSP LAYER', 'TRIPLET', 'TUNE', 'BEAM'],
            all.map((p) => [p.name, p.machine, p.bsp.layer, p.gnuTriplet, p.defaultTune, p.beamJit ? 'jit' : 'emu']),
          ),
        );
      return;
    }
    if (!args.name) throw new BeambakeError('INVALID_ARGUMENT', 'profiles show needs a profile name', { entry: 'name' });
    // a positional, not --profile: the error names no flag
    const p = getProfile(args.name, undefined, '');
    if (args.json) {
      printJson(p);
      return;
    }
    const branches = Object.entries(p.bsp.branches)
      .map(([r, b]) => `${r}=${b ?? '(unknown)'}`)
      .join(' ');
    const rows: [string, string][] = [
      ['profile', p.name],
      ['description', p.description],
      ['MACHINE', p.machine],
      ['BSP layer', `${p.bsp.layer} (collection ${p.bsp.collection}) ${p.bsp.url}${p.bsp.subdir ? ` [${p.bsp.subdir}]` : ''}`],
      ['branches', branches],
      ['TARGET_ARCH', p.targetArch],
      ['GNU triplet', p.gnuTriplet],
      ['DEFAULTTUNE', p.defaultTune],
      ['TUNE_FEATURES', p.tuneFeatures.join(' ')],
      ['NIF CFLAGS', p.nifCflags.join(' ')],
      ['Rust target', p.rustTarget],
      ['Debian arch', p.debianArch],
      ['QEMU user', p.qemuUser],
      ['BEAM', p.beamJit ? 'JIT' : 'interpreter (emu)'],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    let out = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n\nsources:\n';
    out += p.sources.map((s) => `  ${s.repo} ${s.path} @ ${s.commit.slice(0, 12)}`).join('\n') + '\n';
    if (p.notes.length > 0) out += '\nnotes:\n' + p.notes.map((n) => `  - ${n}`).join('\n') + '\n';
    process.stdout.write(safeText(out));
  },
};
