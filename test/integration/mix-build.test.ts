/**
 * End-to-end offline Mix build with the layer's own scripts (the ones beambake-mix.bbclass
 * calls): Hex tarballs made from fixture sources -> beambake_deps unpack --layout mix ->
 * beambake-build-mix (deps.compile, compile, release with the target ERTS) -> the release runs.
 * The fixture app has four Hex dependencies: greeter -> greeting_core (transitive), fast_sum
 * (C NIF through a custom Mix compiler) and erl_counter (built by rebar3).
 *
 * The good build runs once and its assertions share it; every tamper case stops before
 * compiling, so each gets a fresh cheap copy.
 */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHexTarball, assembleHexTarball, gzipDeterministic } from '../../src/hex/tarball.js';
import { encodeMetadata } from '../../src/hex/metadata.js';
import { writeTar } from '../../src/hex/tar.js';
import { needToolchain, runIn, toolchainMatrix, toolchainReady, type Toolchain } from '../helpers/toolchain-roots.js';
import { beamFiles, beamsMentioning, releaseBeamFiles } from './beam-scan.js';
import { assertFromTargetRoot, hostErlangRoot, makeTargetRoot, type TargetRoot } from './erlang-root.js';
import { flipMiddleByte, hexTarballPath } from './hex-fixtures.js';
import { APP, build, hexRecords, prepare, SOURCE_DATE_EPOCH, unpack, type Work } from './mix-fixture.js';
import { assertUnpackedAndBuilt, canUnshare, failureText, runTool, scripts, unpackThenBuild, type UnpackedBuild } from './run-script.js';
import { manifestDifferences, treeManifest } from './tree.js';

const TOOLS = ['erl', 'elixir', 'mix', 'rebar3', 'python3', 'cc'];

function assertNothingCompiled(w: Work): void {
  assert.deepEqual(beamFiles(join(w.project, '_build')), [], 'no .beam may exist when the build stops on a dependency check');
  assert.equal(existsSync(join(w.project, '_build', 'prod', 'lib', 'fast_sum', 'priv')), false, 'the NIF must not have been compiled');
}

for (const entry of toolchainMatrix()) {
  describe(`offline mix build of a fixture app with four Hex deps and a C NIF [${entry.label}]`, { timeout: 30 * 60_000 }, () => {
    let good: (UnpackedBuild & { w: Work; target: TargetRoot; lockBefore: string }) | undefined;
    let tc: Toolchain;
    const needTools = (t: TestContext, ...tools: string[]) => needToolchain(t, entry, ...tools);

    before(() => {
      if (!toolchainReady(entry, ...TOOLS)) return;
      tc = entry.toolchain;
      const w = prepare();
      // The whole toolchain's install: a Mix release may take any OTP application from the target root.
      const target = makeTargetRoot(w.dir, { mark: 'kernel' }, tc);
      const lockBefore = readFileSync(join(w.project, 'mix.lock'), 'utf8');
      good = { w, target, lockBefore, ...unpackThenBuild(() => unpack(w, hexRecords(w.built), tc), () => build(w, target.root, {}, tc)) };
    });

    it('runs the build with no network namespace when permitted', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      if (!canUnshare) t.diagnostic('NOTE: `unshare -n` is not permitted here; the build ran with HEX_OFFLINE=1 and the offline provider only');
      assertUnpackedAndBuilt(good!);
    });

    it('unpacks every Hex dependency into deps/ with a marker of what was verified', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const { w } = good!;
      for (const b of w.built) {
        const marker = readFileSync(join(w.project, 'deps', b.def.name, '.beambake-hex'), 'utf8');
        assert.match(marker, new RegExp(`^outer=${b.outer}$`, 'm'));
        assert.match(marker, new RegExp(`^inner=${b.inner}$`, 'm'));
        assert.match(marker, new RegExp(`^version=${b.def.version.replace(/\./g, '\\.')}$`, 'm'));
      }
      assert.equal(readFileSync(join(w.project, 'mix.lock'), 'utf8'), good!.lockBefore, 'the build must not rewrite mix.lock');
    });

    it('produces a release that starts and calls every dependency, the NIF included', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const nifVersion = runIn(tc, 'erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(nif_version)]), halt().']).stdout;
      const r = runIn(tc, join(w.output, 'bin', APP), ['eval', `{:ok, _} = Application.ensure_all_started(:${APP}); IO.puts(BeambakeDemo.report())`], {
        // The release carries no cookie (see the reproducibility test); a device gets one at first boot.
        env: { HOME: w.dir, RELEASE_TMP: join(w.dir, 'release-tmp'), RELEASE_COOKIE: 'beambake-test-cookie' },
        timeoutMs: 120_000,
      });
      assert.equal(r.status, 0, failureText(r));
      assert.equal(r.stdout.trim(), `Hello, Yocto! sum=42 words=5 nif=${nifVersion}`);
      assert.ok(existsSync(join(w.output, 'lib', 'fast_sum-0.1.0', 'priv', 'fast_sum_nif.so')), 'the NIF is part of the release');
    });

    it('takes ERTS and the OTP applications from the target Erlang root', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w, target } = good!;
      assertFromTargetRoot(w.output, target);
      // Mix's relocatable launcher is kept, not the target's prefix-bound one.
      assert.match(readFileSync(join(w.output, target.ertsDir, 'bin', 'erl'), 'utf8'), /ROOTDIR=/);
    });

    it('keeps the build directory out of every .beam of the release', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const releaseBeams = releaseBeamFiles(w.output, 100);
      // Positive control: the unstripped _build beams carry the path in their debug info, so
      // the scan can see a leak when there is one.
      const control = beamsMentioning(beamFiles(join(w.project, '_build', 'prod', 'lib', 'greeter')), w.dir);
      assert.ok(control.length > 0, 'the scanner should find the build path in unstripped _build beams');
      assert.deepEqual(beamsMentioning(releaseBeams, w.dir), []);
      const rel = spawnSync('grep', ['-rlF', w.dir, w.output], { encoding: 'utf8' });
      assert.deepEqual(rel.stdout.split('\n').filter((l) => l.endsWith('.beam')), [], 'grep finds no build path in a .beam');
    });

    it('gives an identical release tree when built again in another directory (no random releases/COOKIE)', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const w2 = prepare();
      const u = unpack(w2, hexRecords(w2.built), tc);
      assert.equal(u.status, 0, failureText(u));
      const r = build(w2, good!.target.root, {}, tc);
      assert.equal(r.status, 0, failureText(r));
      const first = treeManifest(good!.w.output);
      const second = treeManifest(w2.output);
      t.diagnostic(`${Object.keys(first).length} paths compared, ${beamFiles(good!.w.output).length} of them .beam files`);
      assert.ok(Object.keys(first).some((p) => p.endsWith('.beam')) && Object.keys(first).some((p) => p.startsWith('erts-')), 'the whole release is compared');
      assert.deepEqual(manifestDifferences(first, second), [], 'the same sources in another directory must give the same release, byte for byte');
      // Mix would have written a random cookie; without BEAM_RELEASE_COOKIE or `cookie:` there is none.
      assert.equal(existsSync(join(good!.w.output, 'releases', 'COOKIE')), false, 'no build-time cookie in the release');
      assert.match(r.stderr, /no cookie configured: releases\/COOKIE is made on the device at first boot/);
    });

    it('writes BEAM_RELEASE_COOKIE into releases/COOKIE when the recipe sets one', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const output = join(w.dir, 'release-with-cookie');
      const r = runTool('sh', [join(scripts, 'beambake-build-mix'), 'release', '--project', w.project, '--target-erlang-root', good!.target.root, '--output', output], {
        env: { SOURCE_DATE_EPOCH, MIX_ENV: 'prod', HEX_OFFLINE: '1', CC: 'cc', BEAMBAKE_TMPDIR: w.dir, BEAMBAKE_RELEASE_COOKIE: 'fleet_cookie_2024' },
        offline: true,
        toolchain: tc,
        timeoutMs: 10 * 60_000,
      });
      assert.equal(r.status, 0, failureText(r));
      assert.equal(readFileSync(join(output, 'releases', 'COOKIE'), 'utf8'), 'fleet_cookie_2024');
      // The release starts the VM with it (-setcookie) when RELEASE_COOKIE is not set.
      const e = runIn(tc, join(output, 'bin', APP), ['eval', '{:ok, [[c]]} = :init.get_argument(:setcookie); IO.puts(c)'], { env: { HOME: w.dir, RELEASE_TMP: join(w.dir, 'release-tmp'), RELEASE_COOKIE: '' }, timeoutMs: 120_000 });
      assert.equal(e.status, 0, failureText(e));
      assert.equal(e.stdout.trim(), 'fleet_cookie_2024');
    });

    describe('tampering stops the build before anything is compiled, naming the package', () => {
      function stops(w: Work, records: string, expect: RegExp, t: { diagnostic: (m: string) => void }): void {
        const u = unpack(w, records, tc);
        let r = u;
        if (u.status === 0) r = build(w, hostErlangRoot(tc), {}, tc);
        t.diagnostic(r.stderr.trim().split('\n').filter((l) => /beambake/.test(l)).join(' | '));
        assert.notEqual(r.status, 0, 'the build must fail');
        assert.match(r.stderr, expect);
        assertNothingCompiled(w);
      }

      it('one byte of a tarball', (t) => {
        if (!needTools(t, ...TOOLS)) return;
        const w = prepare();
        flipMiddleByte(hexTarballPath(w.src, 'greeter', '1.2.0'));
        stops(w, hexRecords(w.built), /greeter \(greeter-1\.2\.0\): outer checksum mismatch/, t);
        assert.equal(existsSync(join(w.project, 'deps')), false, 'nothing is placed when any tarball fails');
      });

      it('a checksum in the recipe records (the lock the recipe was made from)', (t) => {
        if (!needTools(t, ...TOOLS)) return;
        const w = prepare();
        const records = hexRecords(w.built, (b) => (b.def.name === 'fast_sum' ? { outer: b.outer.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : {}));
        stops(w, records, /fast_sum \(fast_sum-0\.1\.0\): outer checksum mismatch/, t);
      });

      it('a checksum in mix.lock that no longer matches what was unpacked', (t) => {
        if (!needTools(t, ...TOOLS)) return;
        const w = prepare({ lock: (b) => (b.def.name === 'greeting_core' ? { inner: 'f'.repeat(64) } : {}) });
        stops(w, hexRecords(w.built), /beambake: greeting_core: deps\/greeting_core does not match mix\.lock: inner/, t);
      });

      it('the name in metadata.config', (t) => {
        if (!needTools(t, ...TOOLS)) return;
        const w = prepare({ tweak: (def, spec) => (def.name === 'erl_counter' ? createHexTarball({ ...spec, name: 'erl_kounter' }).tarball : undefined) });
        stops(w, hexRecords(w.built), /erl_counter \(erl_counter-2\.0\.1\): metadata\.config name is 'erl_kounter', the lock says 'erl_counter'/, t);
      });

      it('the CHECKSUM file inside the tarball', (t) => {
        if (!needTools(t, ...TOOLS)) return;
        const w = prepare({
          tweak: (def, spec) => {
            if (def.name !== 'greeter') return undefined;
            const paths = Object.keys(spec.files).sort();
            const contents = gzipDeterministic(writeTar(paths.map((p) => ({ path: p, content: spec.files[p] as Uint8Array }))));
            return assembleHexTarball(encodeMetadata(spec, paths), contents, { checksum: 'A'.repeat(64) }).tarball;
          },
        });
        stops(w, hexRecords(w.built), /greeter \(greeter-1\.2\.0\): inner checksum mismatch/, t);
      });
    });
  });
}
