/**
 * Every profile validates, and its triplet, tune and JIT flag agree with the
 * BSP machine and tune files it names (kept as excerpts under
 * test/fixtures/bsp-excerpts/, each with its repository, path and commit).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getProfile, listProfiles, loadProfileFile, recipeLinesForProfile } from '../../src/profiles/index.js';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp.js';

const BOARDS = ['beaglebone-yocto', 'beaglev-fire', 'imx8mm-lpddr4-evk', 'qemuarm', 'qemuarm64', 'qemuriscv64', 'raspberrypi0-wifi', 'raspberrypi3', 'raspberrypi4-64', 'raspberrypi5', 'stm32mp1', 'visionfive2'];
const profiles = listProfiles();

function excerpt(rel: string): { header: { repo: string; path: string; commit: string }; text: string } {
  const text = readFileSync(join(repoRoot, rel), 'utf8');
  const m = /^# beambake excerpt: repo=(\S+) path=(\S+) commit=([0-9a-f]{40})$/m.exec(text);
  assert.ok(m, `${rel} has no excerpt header`);
  return { header: { repo: m[1]!, path: m[2]!, commit: m[3]! }, text };
}

/** TUNE_FEATURES of `tune` in a tune file excerpt, expanding ${TUNE_FEATURES:tune-X} references. */
function tuneFeatures(text: string, tune: string): string[] | undefined {
  const m = new RegExp(`^TUNE_FEATURES:tune-${tune.replace(/[-]/g, '\\-')}\\s*=\\s*"([^"]*)"`, 'm').exec(text);
  if (!m) return undefined;
  return m[1]!.trim().split(/\s+/).flatMap((w) => {
    const ref = /^\$\{TUNE_FEATURES:tune-([a-z0-9-]+)\}$/.exec(w);
    return ref ? (tuneFeatures(text, ref[1]!) ?? [`<missing ${ref[1]}>`]) : [w];
  });
}

function defaultTuneIn(text: string): string | undefined {
  return /^DEFAULTTUNE(?::[a-z0-9-]+)?\s*\??=\s*"([^"]+)"/m.exec(text)?.[1];
}

describe('hardware profiles', () => {
  it('ships every board the issue asks for, all valid', () => {
    assert.deepEqual(profiles.map((p) => p.name), BOARDS);
  });

  for (const p of profiles) {
    describe(p.name, () => {
      const sources = p.sources.map((s) => ({ s, e: excerpt(s.excerpt) }));

      it('names excerpts whose header matches the recorded repo, path and commit', () => {
        for (const { s, e } of sources) assert.deepEqual(e.header, { repo: s.repo, path: s.path, commit: s.commit });
      });

      it('has the DEFAULTTUNE the machine (or its includes) sets, else the tune file default', () => {
        const machineLike = sources.filter(({ s }) => /conf\/machine\/[^/]+\.conf$|imx-base\.inc$/.test(s.path));
        const set = machineLike.map(({ e }) => defaultTuneIn(e.text)).filter((x): x is string => x !== undefined);
        if (set.length > 0) assert.equal(set[0], p.defaultTune);
        else {
          const tuneDefaults = sources.filter(({ s }) => /tune-[^/]+\.inc$/.test(s.path)).map(({ e }) => defaultTuneIn(e.text));
          assert.ok(tuneDefaults.includes(p.defaultTune), `${p.defaultTune} is the default of a tune file (${tuneDefaults.join(', ')})`);
        }
      });

      it('has the TUNE_FEATURES the tune file gives', (t) => {
        if (p.tuneFeaturesOf === null) {
          t.diagnostic(`derived, not read from a tune file: ${p.notes[0]}`);
          assert.ok(p.notes.length > 0, 'a derived value must be explained');
          return;
        }
        const found = sources.map(({ e }) => tuneFeatures(e.text, p.tuneFeaturesOf!)).find((x) => x !== undefined);
        if (found && found.some((f) => f.startsWith('<missing'))) assert.fail(`unresolved reference in ${found.join(' ')}`);
        if (p.targetArch === 'riscv64') {
          // tune-riscv.inc writes riscv_isa_to_tune("rv64gc"): g = i m a f d zicsr zifencei
          const tuneText = sources.map(({ e }) => e.text).join('\n');
          assert.match(tuneText, /TUNE_FEATURES:tune-riscv64 := "\$\{@riscv_isa_to_tune\("rv64gc"\)\}"/);
          assert.deepEqual(p.tuneFeatures, ['rv', '64', 'i', 'm', 'a', 'f', 'd', 'c', 'zicsr', 'zifencei']);
          return;
        }
        assert.ok(found, `no TUNE_FEATURES:tune-${p.tuneFeaturesOf} in the excerpts`);
        assert.deepEqual([...found].sort(), [...p.tuneFeatures].sort());
      });

      it('forms the triplet as Yocto does and sets JIT by architecture', () => {
        const expectedOs = p.targetArch === 'arm' ? 'linux-gnueabi' : 'linux';
        assert.equal(p.targetOs, expectedOs);
        assert.equal(p.gnuTriplet, `${p.targetArch}-poky-${expectedOs}`);
        if (p.targetArch === 'arm') {
          const archArm = readFileSync(join(repoRoot, 'test/fixtures/bsp-excerpts/YoeDistro_poky__meta_conf_machine_include_arm_arch-arm.inc'), 'utf8');
          assert.match(archArm, /^ABIEXTENSION = "eabi"$/m, 'TARGET_OS = linux${ABIEXTENSION}');
          assert.ok(p.tuneFeatures.includes('callconvention-hard') && p.nifCflags.includes('-mfloat-abi=hard'));
        }
        assert.equal(p.beamJit, p.targetArch === 'aarch64' || p.targetArch === 'x86_64');
      });

      it('derives the -mcpu flag from the tune file and the crypto feature', () => {
        if (p.targetArch !== 'aarch64') return;
        const mcpu = sources.map(({ e }) => / -mcpu=([a-z0-9-]+)'/.exec(e.text)?.[1]).find((x) => x);
        const suffix = p.tuneFeatures.includes('crypto') ? '+crypto' : '+nocrypto';
        assert.deepEqual(p.nifCflags, [`-mcpu=${mcpu}${suffix}`]);
      });
    });
  }

  it('rejects a malformed profile naming the file and the field', () => {
    const dir = makeTempDir('bb-prof-');
    const good = JSON.parse(readFileSync(join(repoRoot, 'hardware-profiles', 'qemuarm64.json'), 'utf8'));
    const write = (name: string, data: unknown) => {
      const f = join(dir, `${name}.json`);
      writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
      return f;
    };
    assert.throws(() => loadProfileFile(write('qemuarm64', { ...good, beamJit: 'yes' })), (e: Error & { location?: { entry?: string; file?: string } }) => e.location?.entry === 'beamJit' && /qemuarm64\.json$/.test(e.location.file ?? ''));
    assert.throws(() => loadProfileFile(write('qemuarm64', { ...good, bsp: { ...good.bsp, url: 'https://x/"; rm -rf /' } })), /must match pattern/);
    assert.throws(() => loadProfileFile(write('qemuarm64', { ...good, gnuTriplet: 'aarch64-poky-linux-gnueabi' })), /gnuTriplet .* is not TARGET_ARCH-poky-TARGET_OS/);
    assert.throws(() => loadProfileFile(write('other', good)), /does not match the file name/);
    assert.throws(() => loadProfileFile(write('qemuarm64', '{\n  "name": "qemuarm64",\n  oops\n}')), (e: Error & { location?: { line?: number } }) => e.location?.line === 3);
    const cli = runCli(['profiles', 'show', write('qemuarm64', { ...good, extra: 1 })]);
    assert.equal(cli.status, 3);
    assert.match(cli.stderr, /qemuarm64\.json: \(top level\): unknown field "extra"/);
  });

  it('adds board lines to a recipe through the renderer builders', () => {
    const text = recipeLinesForProfile(getProfile('raspberrypi3'), { machineSpecific: true }).join('\n');
    assert.match(text, /^BEAM_EXPECTED_EMU_FLAVOR = "emu"$/m);
    assert.match(text, /^BEAM_NIF_TUNE_CFLAGS = "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard -marm"$/m);
    assert.match(text, /^BEAM_RUST_TARGET = "armv7-unknown-linux-gnueabihf"$/m);
    assert.match(text, /^COMPATIBLE_MACHINE = "raspberrypi3"$/m);
    assert.doesNotMatch(recipeLinesForProfile(getProfile('raspberrypi5')).join('\n'), /COMPATIBLE_MACHINE/);
  });

  it('lists and shows profiles on the command line', () => {
    const list = runCli(['profiles', 'list', '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name), BOARDS);
    const show = runCli(['profiles', 'show', 'raspberrypi0-wifi']);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^DEFAULTTUNE\s+arm1176jzfshf$/m);
    assert.match(show.stdout, /^BEAM\s+interpreter \(emu\)$/m);
    const missing = runCli(['profiles', 'show', 'raspberrypi9']);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /no hardware profile named "raspberrypi9"/);
  });
});
