/**
 * What `beambake recipe --profile` changes in the build, through the layer's own scripts as the
 * classes run them: the profile's NIF tuning reaches CFLAGS (scripts/beambake-nif-env, sourced by
 * every build script), and do_beam_check_emu_flavor's check (beambake_deps check-emu-flavor)
 * tells a JIT ERTS from an interpreter one, on the build host's Erlang (its own
 * erlang:system_info(emu_flavor) is the oracle) and on Debian's arm64 and armhf target packages
 * staged like a Yocto sysroot.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { getProfile } from '../../src/profiles/index.js';
import { needTools } from '../helpers/toolchain.js';
import { hostErlangRoot } from './erlang-root.js';
import { aptHasArch, stageSysroot, targetErlangRoot } from './qemu/sysroot.js';
import { runScript, scripts } from './run-script.js';

function nifEnv(env: Record<string, string>): Record<string, string> {
  const r = spawnSync('sh', ['-c', `. "$1"; printf 'CFLAGS=%s\\nCXXFLAGS=%s\\n' "$CFLAGS" "$CXXFLAGS"`, 'sh', join(scripts, 'beambake-nif-env')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BEAMBAKE_TARGET_ERLANG_ROOT: hostErlangRoot(), ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const checkFlavor = (root: string, expect: string, profile = '') => runScript('beambake_deps', ['check-emu-flavor', '--erlang-root', root, '--expect', expect, ...(profile ? ['--profile', profile] : [])]);

describe('--profile in the build scripts', () => {
  it("beambake-nif-env appends the profile's NIF tuning (BEAMBAKE_NIF_TUNE_CFLAGS) to CFLAGS and CXXFLAGS, once each", (t) => {
    if (!needTools(t, 'erl', 'sh')) return;
    const flags = getProfile('raspberrypi3').nifCflags.join(' ');
    assert.deepEqual(nifEnv({ BEAMBAKE_NIF_TUNE_CFLAGS: flags, CFLAGS: '-O2 -pipe', CXXFLAGS: '-O2' }), { CFLAGS: `-O2 -pipe ${flags}`, CXXFLAGS: `-O2 ${flags}` });
    // already there (a recipe that put them in CFLAGS itself): not repeated
    assert.deepEqual(nifEnv({ BEAMBAKE_NIF_TUNE_CFLAGS: '-mcpu=cortex-a7 -mthumb', CFLAGS: '-mcpu=cortex-a7 -O2' }), { CFLAGS: '-mcpu=cortex-a7 -O2 -mthumb', CXXFLAGS: '-mcpu=cortex-a7 -mthumb' });
    // no profile: CFLAGS untouched
    assert.deepEqual(nifEnv({ CFLAGS: '-O2' }), { CFLAGS: '-O2', CXXFLAGS: '' });
  });

  it("check-emu-flavor agrees with the build host's own erlang:system_info(emu_flavor)", (t) => {
    if (!needTools(t, 'erl', 'python3')) return;
    const actual = spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(emu_flavor)]), halt().'], { encoding: 'utf8' }).stdout.trim();
    assert.match(actual, /^(jit|emu)$/);
    const ok = checkFlavor(hostErlangRoot(), actual);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`runs the ${actual} flavor, as expected`));
    const other = actual === 'jit' ? 'emu' : 'jit';
    const bad = checkFlavor(hostErlangRoot(), other, 'some-board');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`^beambake-deps: error: the target ERTS runs .*\\(emu_flavor ${actual}: .*beam\\.smp\\), but hardware profile some-board expects .*\\(BEAM_EXPECTED_EMU_FLAVOR = "${other}"\\)`));
    const nonsense = checkFlavor(hostErlangRoot(), 'fast');
    assert.equal(nonsense.status, 1);
    assert.match(nonsense.stderr, /expected flavor 'fast' is neither jit nor emu/);
  });

  for (const name of ['raspberrypi4-64', 'raspberrypi3'] as const) {
    const p = getProfile(name);
    it(`check-emu-flavor on Debian's ${p.debianArch} target ERTS: ${p.beamJit ? 'jit' : 'emu'} as profile ${name} expects, and refuses the other flavor`, (t) => {
      if (!needTools(t, 'python3', 'apt-get', 'dpkg')) return;
      if (!aptHasArch(p.debianArch)) {
        t.skip(`no Debian ${p.debianArch} packages from the configured mirror`);
        return;
      }
      const root = targetErlangRoot(stageSysroot(p.debianArch));
      const expected = p.beamJit ? 'jit' : 'emu';
      const ok = checkFlavor(root, expected, name);
      assert.equal(ok.status, 0, ok.stderr);
      const bad = checkFlavor(root, expected === 'jit' ? 'emu' : 'jit', name);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, new RegExp(`hardware profile ${name} expects`));
      assert.equal(bad.stderr.trim().split('\n').length, 1);
    });
  }

  it('check-emu-flavor names what is missing when there is no ERTS', (t) => {
    if (!needTools(t, 'python3')) return;
    const r = checkFlavor(scripts, 'jit');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no erts-<vsn> directory under .*scripts \(is erlang in DEPENDS\?\)/);
  });
});
