/**
 * End-to-end offline rebar3 release with the layer's own scripts (the ones
 * beambake-rebar3.bbclass and beambake-release.bbclass call):
 *   fixture sources -> real Hex tarballs and local git repositories (rebar3-fixture.ts) ->
 *   rebar.lock -> beambake's lock reader and recipe record renderer (BEAM_HEX_DEPS/BEAM_GIT_DEPS)
 *   -> beambake_deps unpack --layout rebar3 -> beambake-build-rebar3 (no network) ->
 *   the release starts (`bin/bbrel daemon` + `bin/bbrel eval`) -> beambake-install-release.
 * The build runs once and every assertion here shares it. Tampering: rebar3-tamper.test.ts;
 * the layer `beambake recipe` writes and the layer's lock reader: rebar3-layer.test.ts.
 */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needToolchain, runIn, toolchainMatrix, toolchainReady, type Toolchain } from '../helpers/toolchain-roots.js';
import { beamFiles, beamMentions, releaseBeamFiles } from './beam-scan.js';
import { assertFromTargetRoot, makeTargetRoot, type TargetRoot } from './erlang-root.js';
import { fixtureGit, recipeRecords, type RecipeRecords } from './hex-fixtures.js';
import { build, GIT_DEPS, GIT_URL, gitRepos, prepare, rebarHexCache, TOOLS, unpack, type Work } from './rebar3-fixture.js';
import { assertUnpackedAndBuilt, canUnshare, failureText, runScript, unpackThenBuild, type UnpackedBuild } from './run-script.js';

for (const entry of toolchainMatrix()) {
  describe(`offline rebar3 release of a fixture app with Hex and git dependencies [${entry.label}]`, { timeout: 20 * 60_000 }, () => {
    let good: (UnpackedBuild & { w: Work; records: RecipeRecords; target: TargetRoot; lockBefore: string }) | undefined;
    let tc: Toolchain;
    const needTools = (t: TestContext, ...tools: string[]) => needToolchain(t, entry, ...tools);

    before(async () => {
      if (!toolchainReady(entry, ...TOOLS)) return;
      tc = entry.toolchain;
      const w = prepare();
      // ERTS, kernel and stdlib are all a relx release takes from the target root.
      const target = makeTargetRoot(w.dir, { mark: 'stdlib', apps: ['kernel', 'stdlib'] }, tc);
      const records = await recipeRecords(w.project);
      const lockBefore = readFileSync(join(w.project, 'rebar.lock'), 'utf8');
      good = { w, records, target, lockBefore, ...unpackThenBuild(() => unpack(w, records, tc), () => build(w, target.root, tc)) };
    });

    it('builds with no network (a namespace without interfaces when permitted)', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      if (!canUnshare) t.diagnostic('NOTE: `unshare -n` is not permitted here; the build ran with the registry and git URLs pointed at nothing only');
      assertUnpackedAndBuilt(good!);
      assert.match(good!.records.hex, /app=bb_util,name=bb_util_pkg,version=0\.2\.1,repo=hexpm,outer=[0-9a-f]{64},inner=[0-9a-f]{64}/);
      assert.match(good!.records.git, /app=bb_sub,rev=[0-9a-f]{40},dir=beam-deps\/git\/bb_sub,subdir=apps\/bb_sub/);
    });

    it("puts Hex tarballs in rebar3's package cache and lets rebar3 unpack and check them", (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const cache = rebarHexCache(w);
      for (const b of w.built) {
        const app = b.def.app ?? b.def.name;
        const cached = join(cache, 'hexpm', 'packages', `${b.def.name}-${b.def.version}.tar`);
        assert.equal(createHash('sha256').update(readFileSync(cached)).digest('hex'), b.outer);
        assert.ok(existsSync(cached.replace(/\.tar$/, '.etag')), 'rebar3 falls back to a cached tarball only when it has an ETag');
        // rebar3 itself unpacked it into _build (nothing of ours wrote there).
        assert.ok(existsSync(join(w.project, '_build', 'default', 'lib', app, 'src')), `${app} unpacked by rebar3`);
      }
      assert.ok(existsSync(join(cache, 'packages.idx')), 'the registry index rebar3 resolves locked packages through');
      assert.match(good!.build!.stdout, /Download error, using cached file at .*bb_util_pkg-0\.2\.1\.tar/);
      assert.match(good!.build!.stdout, /Comparing git ref|Verifying dependencies/);
      assert.equal(readFileSync(join(w.project, 'rebar.lock'), 'utf8'), good!.lockBefore, 'the build must not rewrite rebar.lock');
    });

    it('places git dependencies at the pinned commit with the URL rebar.lock records', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.unpack.status, 0, failureText(good!.unpack));
      const { w } = good!;
      const r = gitRepos();
      for (const [app, repo] of GIT_DEPS) {
        const dest = join(w.project, '_build', 'default', 'lib', app);
        assert.equal(fixtureGit(dest, 'rev-parse', 'HEAD'), r[repo]!.rev);
        assert.equal(fixtureGit(dest, 'config', '--get', 'remote.origin.url'), `${GIT_URL}/${repo}.git`);
      }
      assert.ok(existsSync(join(w.project, '_build', 'default', 'lib', 'bb_sub', 'apps', 'bb_sub', 'ebin', 'bb_sub.beam')));
    });

    it('produces a release that starts and calls every dependency', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const bin = join(w.output, 'bin', 'bbrel');
      const env = { HOME: w.dir, BBREL_NODE: `bbrel_${process.pid}_${Date.now()}`, BBREL_COOKIE: `c${createHash('sha256').update(w.dir).digest('hex').slice(0, 16)}` };
      const opts = { env, timeoutMs: 60_000 };
      const start = runIn(tc, bin, ['daemon'], opts);
      assert.equal(start.status, 0, failureText(start));
      try {
        let r: SpawnSyncReturns<string> | undefined;
        for (let i = 0; i < 40; i++) {
          r = runIn(tc, bin, ['eval', 'bbrel:report().'], opts);
          if (r.status === 0) break;
          spawnSync('sleep', ['0.25']);
        }
        assert.equal(r!.status, 0, failureText(r!));
        assert.equal(r!.stdout.trim(), '"Hello, YOCTO! | gitdep=git-0.4.0 | sub=subdir-0.5.0 | bbrel-0.3.0 | file=bbrel.erl"');
      } finally {
        const stop = runIn(tc, bin, ['stop'], opts);
        assert.equal(stop.status, 0, failureText(stop));
      }
    });

    it('takes ERTS and the OTP applications from the target Erlang root', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w, target } = good!;
      assertFromTargetRoot(w.output, target);
    });

    it('keeps build paths out of every .beam, also once installed', (t) => {
      if (!needTools(t, ...TOOLS)) return;
      assert.equal(good!.build?.status, 0, 'build failed');
      const { w } = good!;
      const releaseBeams = releaseBeamFiles(w.output, 50);
      assert.deepEqual(releaseBeams.filter((f) => beamMentions(f, w.dir)), []);
      const dest = join(w.dir, 'image');
      const inst = runScript('beambake-install-release', ['--release', w.output, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbrel', '--forbid', w.dir], {
        env: { SOURCE_DATE_EPOCH: '1700000000' },
        toolchain: tc,
      });
      assert.equal(inst.status, 0, failureText(inst));
      const installed = beamFiles(join(dest, 'usr', 'lib', 'bbrel'));
      assert.equal(installed.length, releaseBeams.length);
      assert.deepEqual(installed.filter((f) => beamMentions(f, w.dir)), []);
      // Positive control: the same source compiled without `deterministic` does carry the path,
      // and the scanner sees it.
      const control = join(w.dir, 'control');
      mkdirSync(control);
      const c = runIn(tc, 'env', ['-u', 'ERL_COMPILER_OPTIONS', 'erlc', '-I', join(w.project, 'include'), '-o', control, join(w.project, 'src', 'bbrel.erl')]);
      assert.equal(c.status, 0, failureText(c));
      assert.ok(beamMentions(join(control, 'bbrel.beam'), w.dir), 'without deterministic, the build path is in the .beam and the scan sees it');
    });
  });
}
