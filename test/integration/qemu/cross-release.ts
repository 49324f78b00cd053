/**
 * The fixture Elixir release cross-built for one hardware profile: the target sysroot staged
 * from Debian packages, then the layer's own scripts (beambake_deps unpack, beambake-build-mix)
 * with the compiler Yocto would export for the board — CC is the cross gcc followed by the
 * profile's tune flags, as bitbake.conf puts TUNE_CCARGS into CC — and the target's lib/erlang
 * as the ERTS and NIF headers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HardwareProfile } from '../../../src/profiles/index.js';
import { hasToolIn, hostToolchain, type Toolchain } from '../../helpers/toolchain-roots.js';
import { hostErlangRoot } from '../erlang-root.js';
import { APP, build, hexRecords, prepare, unpack, type Work } from '../mix-fixture.js';
import { unpackThenBuild, type UnpackedBuild } from '../run-script.js';
import { readElf, type ElfInfo } from './elf.js';
import { emulateRelease, qemuEmulatorFlags, runProbe, type EmulatedRelease, type ProbeRun } from './harness.js';
import { stageSysroot, sysrootPackages, targetErlangRoot } from './sysroot.js';

export interface CrossRelease extends UnpackedBuild {
  profile: HardwareProfile;
  sysroot: string;
  targetRoot: string;
  /** OTP_VERSION of the build host's Erlang and of the target package, which must be equal. */
  hostOtp: string;
  targetOtp: string;
  /** Debian version of erlang-base in the sysroot. */
  targetErlangPackage: string;
  w: Work;
  /** The CC given to the build. */
  cc: string;
  /** The toolchain that built it (and runs QEMU), and its QEMU user-mode emulator. */
  toolchain: Toolchain;
  qemu: string;
  buildSeconds: number;
}

/** The fixture's C NIF inside the release. */
export const RELEASE_NIF = join('lib', 'fast_sum-0.1.0', 'priv', 'fast_sum_nif.so');

/** Full OTP version (releases/<major>/OTP_VERSION) of an Erlang root. */
export function otpVersion(erlangRoot: string): string {
  const rel = readdirSync(join(erlangRoot, 'releases')).filter((n) => /^\d+$/.test(n));
  if (rel.length !== 1) throw new Error(`${erlangRoot}/releases: expected one OTP release directory, found ${rel.join(', ') || 'none'}`);
  return readFileSync(join(erlangRoot, 'releases', rel[0]!, 'OTP_VERSION'), 'utf8').trim();
}

/** The profile's QEMU in the toolchain: Debian trixie's qemu-user is static and has no -static names. */
export function qemuIn(tc: Toolchain, profile: HardwareProfile): string {
  return hasToolIn(tc, profile.qemuUser) ? profile.qemuUser : profile.qemuUser.replace(/-static$/, '');
}

export function buildCrossRelease(profile: HardwareProfile, tc: Toolchain = hostToolchain): CrossRelease {
  const sysroot = stageSysroot(profile.debianArch, undefined, tc);
  const targetRoot = targetErlangRoot(sysroot);
  const w = prepare({ prefix: `bb-cross-${profile.name}-` });
  const cc = [profile.crossCompiler, ...profile.nifCflags].join(' ');
  let buildSeconds = 0;
  const steps = unpackThenBuild(
    () => unpack(w, hexRecords(w.built), tc),
    () => {
      const t0 = Date.now();
      const r = build(w, targetRoot, { CC: cc, CFLAGS: '-O2' }, tc);
      buildSeconds = (Date.now() - t0) / 1000;
      return r;
    },
  );
  return {
    profile,
    sysroot,
    targetRoot,
    hostOtp: otpVersion(tc.hostPath(hostErlangRoot(tc))),
    targetOtp: otpVersion(targetRoot),
    targetErlangPackage: sysrootPackages(sysroot).get('erlang-base')?.version ?? '(none)',
    w,
    cc,
    toolchain: tc,
    qemu: qemuIn(tc, profile),
    buildSeconds,
    ...steps,
  };
}

export interface QemuRun {
  em: EmulatedRelease;
  probe: ProbeRun;
  /** The emulator flags BEAM was started with (qemuEmulatorFlags). */
  emulatorFlags: string[];
}

/** The built release run under the profile's QEMU through its own `bin/<app> eval` (harness.ts). */
export async function runUnderQemu(x: CrossRelease, opts: { emulatorFlags?: string[]; into?: string } = {}): Promise<QemuRun> {
  const em = emulateRelease(x.w.output, join(x.w.dir, opts.into ?? 'emulated'), x.qemu, x.sysroot);
  const emulatorFlags = opts.emulatorFlags ?? qemuEmulatorFlags(x.profile.beamJit, Number(x.targetOtp.split('.')[0]));
  const probe = await runProbe(em, x.w.output, APP, { home: x.w.dir, emulatorFlags, toolchain: x.toolchain });
  return { em, probe, emulatorFlags };
}

/** Every ELF file under `dir` (by magic number, not by name), release-relative and sorted. */
export function elfFiles(dir: string): { path: string; elf: ElfInfo }[] {
  const out: { path: string; elf: ElfInfo }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const elf = readElf(p);
        if (elf) out.push({ path: relative(dir, p), elf });
      }
    }
  };
  walk(dir);
  return out;
}

/** Not vacuous: the native files that matter (ERTS programs, the NIF) are among those found. */
export function assertHasNativeParts(elves: { path: string }[]): void {
  for (const name of ['beam.smp', 'erlexec', 'erl_child_setup', 'inet_gethost', 'epmd', 'heart']) {
    assert.ok(elves.some((e) => e.path.endsWith(`/bin/${name}`)), `the release has erts bin/${name}`);
  }
  assert.ok(elves.some((e) => e.path === RELEASE_NIF), 'the NIF is in the release');
}

/** Every ELF file has the profile's class, machine and ABI. */
export function assertAllForProfile(elves: { path: string; elf: ElfInfo }[], profile: HardwareProfile): void {
  const wrong = elves.filter((e) => e.elf.class !== profile.elf.class || e.elf.machine !== profile.elf.machine || e.elf.abi !== profile.elf.abi);
  assert.deepEqual(wrong, [], `every ELF file must be ${JSON.stringify(profile.elf)}`);
}
