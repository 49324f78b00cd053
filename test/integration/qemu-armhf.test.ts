/**
 * Proof under emulation, 32-bit ARM: the fixture Elixir release is built by the layer's own
 * scripts with the TARGET ERTS (Debian's armhf erlang, staged like a Yocto sysroot), its C NIF
 * cross-compiled with the raspberrypi3 profile's compiler and tune flags, and then run under
 * qemu-arm-static through the release's own `bin/beambake_demo eval`. There is no binfmt_misc
 * here, so the harness in qemu/harness.ts wraps the ERTS executables (erlexec, beam.smp,
 * erl_child_setup, inet_gethost, epmd, heart, ...) to start through QEMU.
 *
 * Built once; every assertion shares the build and the one emulated run.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { getProfile } from '../../src/profiles/index.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { ertsDirOf } from './erlang-root.js';
import { APP } from './mix-fixture.js';
import { assertAllForProfile, assertHasNativeParts, buildCrossRelease, elfFiles, RELEASE_NIF, runUnderQemu, type CrossRelease } from './qemu/cross-release.js';
import { type EmulatedRelease, type ProbeRun } from './qemu/harness.js';
import { assertUnpackedAndBuilt, failureText } from './run-script.js';

const profile = getProfile('raspberrypi3');
const readelf = profile.crossCompiler.replace(/gcc$/, 'readelf');
const TOOLS = [profile.qemuUser, profile.crossCompiler, readelf, 'elixir', 'mix', 'erl', 'rebar3', 'python3', 'apt-get', 'dpkg', 'dpkg-deb'];

let x: CrossRelease | undefined;
let em: EmulatedRelease | undefined;
let probe: ProbeRun | undefined;

/** The FPU/SIMD build attributes gcc records in an ARM ELF file (readelf -A). */
function fpuAttributes(file: string): string[] {
  const r = spawnSync(readelf, ['-A', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^Tag_(FP_arch|Advanced_SIMD_arch|ABI_VFP_args):/.test(l))
    .sort();
}

describe(`fixture release for ${profile.name} (${profile.debianArch}) under ${profile.qemuUser}`, { timeout: 30 * 60_000 }, () => {
  before(async () => {
    if (!TOOLS.every(hasTool)) return;
    x = buildCrossRelease(profile);
    if (x.build?.status !== 0) return;
    ({ em, probe } = await runUnderQemu(x));
  });

  it('stages the target sysroot from Debian packages with the build host OTP version', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    t.diagnostic(`sysroot ${x!.sysroot}: erlang-base ${x!.targetErlangPackage}; OTP host ${x!.hostOtp}, target ${x!.targetOtp}`);
    assert.equal(x!.targetOtp, x!.hostOtp, 'the native Erlang that builds the release must be the target OTP version');
  });

  it(`builds the release with CC=${profile.crossCompiler}, BEAMBAKE_NIF_TUNE_CFLAGS="${profile.nifCflags.join(' ')}" (the profile's) and the target ERTS`, (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assertUnpackedAndBuilt(x!);
    t.diagnostic(`beambake-build-mix all: ${x!.buildSeconds.toFixed(1)} s`);
  });

  it(`has only ${profile.debianArch} native files, the NIF with the profile's FPU and SIMD attributes`, (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(x!.build?.status, 0, 'build failed');
    const elves = elfFiles(x!.w.output);
    t.diagnostic(`${elves.length} ELF files: ${elves.map((e) => e.path).join(', ')}`);
    assertHasNativeParts(elves);
    assertAllForProfile(elves, profile);

    // The tune flags reached the NIF's compile through BEAMBAKE_NIF_TUNE_CFLAGS alone (CC is the
    // bare cross compiler): a compile of the same source with the cross gcc's
    // defaults (Debian armhf: VFPv3-D16, no NEON) records other attributes than one with the
    // profile's flags, and the release's NIF records the latter.
    const erts = ertsDirOf(x!.targetRoot);
    const src = join(x!.w.project, 'deps', 'fast_sum', 'c_src', 'fast_sum_nif.c');
    const compile = (flags: string[], out: string) => {
      const r = spawnSync(profile.crossCompiler, [...flags, '-O2', '-fPIC', '-shared', `-I${join(x!.targetRoot, erts, 'include')}`, '-o', out, src], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return fpuAttributes(out);
    };
    const withProfile = compile(profile.nifCflags, join(x!.w.dir, 'nif-profile.so'));
    const withDefaults = compile([], join(x!.w.dir, 'nif-defaults.so'));
    assert.notDeepEqual(withProfile, withDefaults, 'control: the profile flags must change the recorded attributes');
    const inRelease = fpuAttributes(join(x!.w.output, RELEASE_NIF));
    t.diagnostic(`release NIF: ${inRelease.join('; ')} (gcc defaults: ${withDefaults.join('; ')})`);
    assert.deepEqual(inRelease, withProfile);
  });

  it('runs under QEMU: arm-unknown-linux-gnueabihf, the emu flavor, and the NIF answers', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.ok(probe, 'the release was not built');
    const f = probe.facts;
    t.diagnostic(`bin/${APP} eval under ${profile.qemuUser}: ${probe.seconds.toFixed(1)} s`);
    for (const k of ['system_architecture', 'emu_flavor', 'wordsize', 'report', 'nif_add', 'nif_beyond_32bit_long']) t.diagnostic(`${k}=${f[k]}`);
    assert.equal(probe.result.status, 0, failureText(probe.result));
    assert.equal(f.system_architecture, 'arm-unknown-linux-gnueabihf');
    assert.equal(f.emu_flavor, profile.beamJit ? 'jit' : 'emu');
    assert.equal(f.wordsize, '4');
    assert.equal(f.report, 'Hello, Yocto! sum=42 words=5 nif=2.16');
    assert.equal(f.nif_add, '-4');
    // enif_get_long with a 32-bit C long: 2^31 does not fit, so the NIF raises badarg.
    assert.equal(f.nif_beyond_32bit_long, 'badarg');
  });

  it("runs the release's own code and ERTS files", (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.ok(probe && em, 'the release was not built');
    const f = probe.facts;
    assert.equal(f.root_dir, em.root);
    assert.equal(f.nif_dir, join(em.root, 'lib', 'fast_sum-0.1.0', 'priv'));
    // The emulated tree is a hard-linked copy: same inodes as the built release.
    assert.equal(statSync(join(em.root, RELEASE_NIF)).ino, statSync(join(x!.w.output, RELEASE_NIF)).ino);
    const erts = ertsDirOf(x!.w.output);
    assert.ok(f.beam?.startsWith(`${profile.qemuUser} -L ${x!.sysroot} ${join(x!.w.output, erts, 'bin', 'beam.smp')} `), f.beam);
  });

  it('starts the ERTS helper programs through QEMU: erl_child_setup, inet_gethost, heart, epmd', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.ok(probe && em, 'the release was not built');
    const f = probe.facts;
    const bin = join(x!.w.output, ertsDirOf(x!.w.output), 'bin');
    const under = (name: string) => `${profile.qemuUser} -L ${x!.sysroot} ${join(bin, name)}`;
    t.diagnostic(`wrapped: ${em.wrapped.join(' ')}`);
    for (const k of ['forker', 'inet_gethost', 'heart', 'node', 'epmd_names', 'localhost']) t.diagnostic(`${k}=${f[k]}`);
    t.diagnostic(`epmd: ${probe.epmd.map((p) => p.cmdline).join(' | ')}`);
    assert.match(f.forker ?? '', new RegExp(`^${reEscape(under('erl_child_setup'))} `));
    assert.match(f.inet_gethost ?? '', new RegExp(`^${reEscape(under('inet_gethost'))} `));
    assert.equal(f.localhost, '[{127, 0, 0, 1}]');
    assert.match(f.heart ?? '', new RegExp(`^${reEscape(under('heart'))} -pid ${f.os_pid}$`));
    assert.match(f.node ?? '', new RegExp(`^bbqemu${process.pid}@`));
    assert.match(f.epmd_names ?? '', new RegExp(`^\\{:ok, \\[\\{'bbqemu${process.pid}', \\d+\\}\\]\\}$`));
    assert.deepEqual(
      probe.epmd.map((p) => p.cmdline),
      [`${under('epmd')} -daemon`],
      'erlexec started the release epmd through the wrapper',
    );
  });
});

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
