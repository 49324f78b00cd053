/**
 * Proof under emulation, 64-bit: the fixture Elixir release assembled for raspberrypi4-64 with
 * the TARGET ERTS (Debian's arm64 erlang, staged like a Yocto sysroot) and its C NIF
 * cross-compiled with the profile's compiler and tune flags; every native file in the release
 * must be the target's (no build-host x86-64 file may remain). It then runs under
 * qemu-aarch64-static with the BEAM JIT. riscv64 (qemuriscv64) gets the same checks when the
 * configured Debian mirror has riscv64 packages; bookworm has none, so riscv64 stays at the
 * cross-compiled NIF's ELF checks in cross-nif.test.ts.
 *
 * Built once per architecture; the assertions share the build and the one emulated run.
 */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getProfile, type HardwareProfile } from '../../src/profiles/index.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { ertsDirOf, hostErlangRoot } from './erlang-root.js';
import { APP } from './mix-fixture.js';
import { assertAllForProfile, assertHasNativeParts, buildCrossRelease, elfFiles, runUnderQemu, type CrossRelease, type QemuRun } from './qemu/cross-release.js';
import { EM } from './qemu/elf.js';
import { aptHasArch } from './qemu/sysroot.js';
import { assertUnpackedAndBuilt, failureText } from './run-script.js';

/** What the Debian-built ERTS reports (its configure triplet, not Yocto's TARGET_SYS). */
const SYSTEM_ARCHITECTURE: Record<string, string> = { arm64: 'aarch64-unknown-linux-gnu', riscv64: 'riscv64-unknown-linux-gnu' };

/** ELF e_machine of the build host. */
const HOST_MACHINE = ({ x64: EM.X86_64, arm64: EM.AARCH64, arm: EM.ARM, riscv64: EM.RISCV } as Record<string, number>)[process.arch];

function releaseFor(profile: HardwareProfile): void {
  const TOOLS = [profile.qemuUser, profile.crossCompiler, 'elixir', 'mix', 'erl', 'rebar3', 'python3', 'apt-get', 'apt-cache', 'dpkg', 'dpkg-deb'];

  describe(`fixture release for ${profile.name} (${profile.debianArch})`, { timeout: 30 * 60_000 }, () => {
    let available = false;
    let x: CrossRelease | undefined;
    let run: QemuRun | undefined;

    /** false when the test cannot run here (skipped with the reason). */
    function ready(t: TestContext): boolean {
      if (!needTools(t, ...TOOLS)) return false;
      if (!available) {
        t.skip(`no Debian ${profile.debianArch} packages from the configured apt mirror (Debian bookworm publishes no riscv64): no target sysroot, so ${profile.debianArch} stays at the cross-compiled NIF's ELF checks (cross-nif.test.ts)`);
        return false;
      }
      return true;
    }

    before(async () => {
      if (!TOOLS.every(hasTool)) return;
      available = aptHasArch(profile.debianArch);
      if (!available) return;
      x = buildCrossRelease(profile);
      if (x.build?.status !== 0) return;
      run = await runUnderQemu(x);
    });

    it('builds the release with the profile compiler and the target ERTS of the build host OTP version', (t) => {
      if (!ready(t)) return;
      t.diagnostic(`sysroot ${x!.sysroot}: erlang-base ${x!.targetErlangPackage}; OTP host ${x!.hostOtp}, target ${x!.targetOtp}`);
      assert.equal(x!.targetOtp, x!.hostOtp, 'the native Erlang that builds the release must be the target OTP version');
      assertUnpackedAndBuilt(x!);
      t.diagnostic(`CC="${x!.cc}"; beambake-build-mix all: ${x!.buildSeconds.toFixed(1)} s`);
    });

    it(`has only ${profile.debianArch} native files (ELF class ${profile.elf.class}, machine ${profile.elf.machine}), none of the build host`, (t) => {
      if (!ready(t)) return;
      assert.equal(x!.build?.status, 0, 'build failed');
      const elves = elfFiles(x!.w.output);
      t.diagnostic(`${elves.length} ELF files: ${elves.map((e) => e.path).join(', ')}`);
      assertHasNativeParts(elves);
      // Control: the same scan sees the build host's own ERTS as the host's machine.
      const hostBin = join(hostErlangRoot(), ertsDirOf(x!.w.output), 'bin');
      assert.ok(elfFiles(hostBin).some((e) => e.path === 'beam.smp' && e.elf.machine === HOST_MACHINE), `${hostBin}/beam.smp is ${process.arch}`);
      if (HOST_MACHINE !== profile.elf.machine) {
        assert.deepEqual(
          elves.filter((e) => e.elf.machine === HOST_MACHINE).map((e) => e.path),
          [],
          `no ${process.arch} file of the build host may remain`,
        );
      }
      assertAllForProfile(elves, profile);
    });

    it(`runs under ${profile.qemuUser}: ${SYSTEM_ARCHITECTURE[profile.debianArch]}, emu_flavor ${profile.beamJit ? 'jit' : 'emu'}, and the NIF answers`, (t) => {
      if (!ready(t)) return;
      assert.ok(run, 'the release was not built');
      const { probe } = run;
      const f = probe.facts;
      t.diagnostic(`bin/${APP} eval under ${profile.qemuUser} ${run.emulatorFlags.join(' ')}: ${probe.seconds.toFixed(1)} s`);
      for (const k of ['system_architecture', 'emu_flavor', 'wordsize', 'report', 'nif_add', 'nif_beyond_32bit_long', 'root_dir']) t.diagnostic(`${k}=${f[k]}`);
      assert.equal(probe.result.status, 0, failureText(probe.result));
      assert.equal(f.system_architecture, SYSTEM_ARCHITECTURE[profile.debianArch]);
      assert.equal(f.emu_flavor, profile.beamJit ? 'jit' : 'emu');
      assert.equal(f.wordsize, '8');
      assert.equal(f.report, 'Hello, Yocto! sum=42 words=5 nif=2.16');
      assert.equal(f.nif_add, '-4');
      // A 64-bit C long: 2^31 + 1 fits (on armhf the same call raises badarg).
      assert.equal(f.nif_beyond_32bit_long, '2147483649');
      assert.equal(f.root_dir, join(x!.w.dir, 'emulated'));
      // The emulated beam.smp and helpers are the release's own files, started through QEMU.
      const bin = join(x!.w.output, ertsDirOf(x!.w.output), 'bin');
      assert.ok(f.beam?.startsWith(`${profile.qemuUser} -L ${x!.sysroot} ${join(bin, 'beam.smp')} `), f.beam);
      assert.ok(f.forker?.startsWith(`${profile.qemuUser} -L ${x!.sysroot} ${join(bin, 'erl_child_setup')} `), f.forker);
      assert.ok(f.inet_gethost?.startsWith(`${profile.qemuUser} -L ${x!.sysroot} ${join(bin, 'inet_gethost')} `), f.inet_gethost);
      assert.deepEqual(probe.epmd.map((p) => p.cmdline), [`${profile.qemuUser} -L ${x!.sysroot} ${join(bin, 'epmd')} -daemon`]);
    });
  });
}

releaseFor(getProfile('raspberrypi4-64'));
releaseFor(getProfile('qemuriscv64'));
