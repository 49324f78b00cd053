/**
 * Proof under emulation, 64-bit: the fixture Elixir release assembled for raspberrypi4-64 with
 * the TARGET ERTS (Debian's arm64 erlang, staged like a Yocto sysroot) and its C NIF
 * cross-compiled with the profile's compiler and tune flags; every native file in the release
 * must be the target's (no build-host x86-64 file may remain). It then runs under
 * qemu-aarch64-static with the BEAM JIT. riscv64 (qemuriscv64) gets the same checks where Debian
 * has riscv64 packages: bookworm has none, so on a bookworm host it stays at the cross-compiled
 * NIF's ELF checks (cross-nif.test.ts), and it runs in the Debian trixie root
 * (test/helpers/toolchain-roots.ts) against trixie's riscv64 erlang-base (OTP 27, the root's own
 * OTP) under trixie's QEMU 10. The arm64 release is built and run in the trixie root too (OTP 27's
 * JIT under QEMU 10).
 *
 * Built once per architecture; the assertions share the build and the one emulated run.
 */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getProfile, type HardwareProfile } from '../../src/profiles/index.js';
import { hostToolchain, needToolchain, ROOT_SUITES, rootToolchainOf, runIn, toolchainReady, type Toolchain } from '../helpers/toolchain-roots.js';
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

interface Where {
  label: string;
  toolchain?: Toolchain;
  missing?: string;
}

const host: Where = { label: 'host toolchain', toolchain: hostToolchain };
function trixieRoot(): Where {
  const tc = rootToolchainOf('trixie');
  return { label: 'Debian trixie root', toolchain: tc, missing: tc ? undefined : 'no Debian trixie root (scripts/make-toolchain-root trixie makes it)' };
}

function releaseFor(profile: HardwareProfile, where: Where): void {
  // The root's QEMU has no -static name (trixie's qemu-user is static): either name will do.
  const qemuNames = [profile.qemuUser, profile.qemuUser.replace(/-static$/, '')];
  const TOOLS = [profile.crossCompiler, 'elixir', 'mix', 'erl', 'rebar3', 'python3', 'apt-get', 'apt-cache', 'dpkg', 'dpkg-deb'];

  describe(`fixture release for ${profile.name} (${profile.debianArch}) [${where.label}]`, { timeout: 30 * 60_000 }, () => {
    let available = false;
    let x: CrossRelease | undefined;
    let run: QemuRun | undefined;
    let tc: Toolchain;
    let nifVersion = '';
    const hasQemu = () => where.toolchain !== undefined && qemuNames.some((q) => toolchainReady(where, q));

    /** false when the test cannot run here (skipped with the reason). */
    function ready(t: TestContext): boolean {
      if (!needToolchain(t, where, ...TOOLS, ...(hasQemu() ? [] : [profile.qemuUser]))) return false;
      if (!available) {
        t.skip(`no Debian ${profile.debianArch} packages from the configured apt mirror (Debian bookworm publishes no riscv64): no target sysroot, so ${profile.debianArch} stays at the cross-compiled NIF's ELF checks (cross-nif.test.ts)`);
        return false;
      }
      return true;
    }

    before(async () => {
      if (!toolchainReady(where, ...TOOLS) || !hasQemu()) return;
      tc = where.toolchain;
      available = aptHasArch(profile.debianArch, tc);
      if (!available) return;
      nifVersion = runIn(tc, 'erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(nif_version)]), halt().']).stdout;
      x = buildCrossRelease(profile, tc);
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
      const hostBin = tc.hostPath(join(hostErlangRoot(tc), ertsDirOf(x!.w.output), 'bin'));
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
      const qemuVersion = runIn(tc, x!.qemu, ['--version']).stdout.split('\n')[0];
      t.diagnostic(`bin/${APP} eval under ${qemuVersion} ${run.emulatorFlags.join(' ')}: ${probe.seconds.toFixed(1)} s; OTP ${x!.targetOtp}`);
      for (const k of ['system_architecture', 'emu_flavor', 'wordsize', 'report', 'nif_add', 'nif_beyond_32bit_long', 'root_dir']) t.diagnostic(`${k}=${f[k]}`);
      assert.equal(probe.result.status, 0, failureText(probe.result));
      assert.equal(f.system_architecture, SYSTEM_ARCHITECTURE[profile.debianArch]);
      assert.equal(f.emu_flavor, profile.beamJit ? 'jit' : 'emu');
      assert.equal(f.wordsize, '8');
      assert.equal(f.report, `Hello, Yocto! sum=42 words=5 nif=${nifVersion}`);
      assert.equal(f.nif_add, '-4');
      // A 64-bit C long: 2^31 + 1 fits (on armhf the same call raises badarg).
      assert.equal(f.nif_beyond_32bit_long, '2147483649');
      assert.equal(f.root_dir, join(x!.w.dir, 'emulated'));
      // The emulated beam.smp and helpers are the release's own files, started through QEMU.
      const bin = join(x!.w.output, ertsDirOf(x!.w.output), 'bin');
      assert.ok(f.beam?.startsWith(`${x!.qemu} -L ${x!.sysroot} ${join(bin, 'beam.smp')} `), f.beam);
      assert.ok(f.forker?.startsWith(`${x!.qemu} -L ${x!.sysroot} ${join(bin, 'erl_child_setup')} `), f.forker);
      assert.ok(f.inet_gethost?.startsWith(`${x!.qemu} -L ${x!.sysroot} ${join(bin, 'inet_gethost')} `), f.inet_gethost);
      assert.deepEqual(probe.epmd.map((p) => p.cmdline), [`${x!.qemu} -L ${x!.sysroot} ${join(bin, 'epmd')} -daemon`]);
    });

    if (profile.beamJit && where.toolchain?.root !== undefined) {
      // Bookworm's OTP 25 JIT crashes at boot under QEMU user mode with its default dual-mapped
      // code (qemuEmulatorFlags); the profiles' notes record that OTP 27 no longer needs the flag.
      it(`runs OTP's JIT with its default dual-mapped code (no +JMsingle) under the root's QEMU`, async (t) => {
        if (!ready(t)) return;
        assert.equal(x!.build?.status, 0, 'build failed');
        const dual = await runUnderQemu(x!, { emulatorFlags: [], into: 'emulated-dual-mapped' });
        const { result, facts } = dual.probe;
        t.diagnostic(`OTP ${x!.targetOtp} under ${runIn(tc, x!.qemu, ['--version']).stdout.split('\n')[0]}, no emulator flags: exit ${result.status} signal ${result.signal}, ${dual.probe.seconds.toFixed(1)} s`);
        assert.equal(result.status, 0, failureText(result));
        assert.equal(facts.emu_flavor, 'jit');
        assert.equal(facts.report, `Hello, Yocto! sum=42 words=5 nif=${nifVersion}`);
        assert.equal(facts.nif_add, '-4');
      });
    }
  });
}

releaseFor(getProfile('raspberrypi4-64'), host);
releaseFor(getProfile('qemuriscv64'), host);
if (ROOT_SUITES.includes('trixie')) {
  releaseFor(getProfile('qemuriscv64'), trixieRoot());
  releaseFor(getProfile('raspberrypi4-64'), trixieRoot());
}
