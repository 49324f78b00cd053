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
    assignment('BEAM_HARDWARE_PROFILE', profile.name),
    // The flavor the target ERTS must report (erlang:system_info(emu_flavor)): checked against the
    // staged target ERTS by do_beam_check_emu_flavor (beambake-deps.bbclass) before do_compile.
    assignment('BEAM_EXPECTED_EMU_FLAVOR', profile.beamJit ? 'jit' : 'emu'),
    // NIF tuning: beambake-nif-env appends it to CFLAGS/CXXFLAGS (CC already carries TUNE_CCARGS,
    // but Makefiles that build their own compiler line from $(CROSSCOMPILE)gcc and $(CFLAGS) lose it).
    assignment('BEAM_NIF_TUNE_CFLAGS', profile.nifCflags.join(' ')),
    assignment('BEAM_RUST_TARGET', profile.rustTarget),
  ];
  if (opts.machineSpecific) {
    out.push(comments(['Board-specific application (--machine-specific): only this MACHINE may build it.']));
    out.push(assignment('COMPATIBLE_MACHINE', profile.machine));
  }
  return [lines(out)];
}
