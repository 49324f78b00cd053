/**
 * What `beambake recipe --profile NAME` adds to the recipe: the board's
 * expectations written as BitBake lines through the renderer's builders, so
 * profile values are validated like every other value that reaches a recipe.
 */
import { assignment, comments, lines, type BbText } from '../bitbake/template.js';
import type { HardwareProfile } from './index.js';

export function recipeLinesForProfile(profile: HardwareProfile, opts: { machineSpecific?: boolean } = {}): BbText[] {
  const out: BbText[] = [
    comments([
      `Hardware profile ${profile.name}: MACHINE ${profile.machine} from ${profile.bsp.layer}, DEFAULTTUNE ${profile.defaultTune},`,
      `${profile.gnuTriplet}, BEAM ${profile.beamJit ? 'JIT (emu_flavor jit)' : 'interpreter (emu_flavor emu)'}.`,
    ]),
    // The flavor the target ERTS reports (erlang:system_info(emu_flavor)); for packaging checks and images.
    assignment('BEAM_EXPECTED_EMU_FLAVOR', profile.beamJit ? 'jit' : 'emu'),
    // NIF flags beyond CFLAGS (which already carry TUNE_CCARGS through CC): for
    // Makefiles that drop $(CC)'s arguments and rebuild their own compiler line.
    assignment('BEAM_NIF_TUNE_CFLAGS', profile.nifCflags.join(' ')),
    assignment('BEAM_RUST_TARGET', profile.rustTarget),
  ];
  if (opts.machineSpecific) {
    out.push(comments(['Board-specific application (--machine-specific): only this MACHINE may build it.']));
    out.push(assignment('COMPATIBLE_MACHINE', profile.machine));
  }
  return [lines(out)];
}
