/**
 * Tampering with the fixture rebar3 release's dependencies (rebar3-fixture.ts) stops the build
 * before anything is compiled, naming the package: beambake_deps unpack --layout rebar3 catches
 * what the recipe and the lock disagree on, and rebar3's own check of its package cache stays in
 * force behind it. Every case stops before compiling, so each gets a fresh cheap copy.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { type SpawnSyncReturns } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHexTarball } from '../../src/hex/tarball.js';
import { needToolchain, toolchainMatrix, type Toolchain } from '../helpers/toolchain-roots.js';
import { beamFiles } from './beam-scan.js';
import { hostErlangRoot } from './erlang-root.js';
import { flipMiddleByte, hexTarballPath, recipeRecords, type RecipeRecords } from './hex-fixtures.js';
import { build, prepare, rebarHexCache, rebarLock, TOOLS, unpack, type Work } from './rebar3-fixture.js';
import { failureText } from './run-script.js';

function assertNothingCompiled(w: Work): void {
  assert.deepEqual(beamFiles(join(w.project, '_build')), [], 'no .beam may exist when the build stops on a dependency check');
}

function stopsWith(tc: Toolchain, w: Work, records: RecipeRecords, expect: RegExp, t: { diagnostic: (m: string) => void }): SpawnSyncReturns<string> {
  const u = unpack(w, records, tc);
  let r = u;
  if (u.status === 0) r = build(w, hostErlangRoot(tc), tc);
  t.diagnostic((r.stderr + r.stdout).trim().split('\n').filter((l) => /beambake|checksum/.test(l)).join(' | '));
  assert.notEqual(r.status, 0, 'the build must fail');
  assert.match(r.stderr + r.stdout, expect);
  assertNothingCompiled(w);
  return r;
}

for (const entry of toolchainMatrix()) {
  describe(`tampering stops the rebar3 build before anything is compiled, naming the package [${entry.label}]`, { timeout: 10 * 60_000 }, () => {
    const needTools = (t: TestContext, ...tools: string[]) => needToolchain(t, entry, ...tools);
    const stops = (w: Work, records: RecipeRecords, expect: RegExp, t: TestContext) => stopsWith(entry.toolchain!, w, records, expect, t);

    it('one byte of a tarball', async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare();
      const records = await recipeRecords(w.project);
      flipMiddleByte(hexTarballPath(w.src, 'bb_greet', '1.0.0'));
      stops(w, records, /beambake-deps: error: bb_greet \(bb_greet-1\.0\.0\): outer checksum mismatch/, t);
      assert.equal(existsSync(join(w.project, '.beambake')), false, 'nothing is placed when any tarball fails');
    });

    it('a checksum in rebar.lock changed after the recipe was made', async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare();
      const records = await recipeRecords(w.project);
      const util = w.built.find((b) => b.def.name === 'bb_util_pkg')!;
      writeFileSync(join(w.project, 'rebar.lock'), rebarLock(w.built, (b) => (b === util ? { outer: 'a'.repeat(64) } : {})));
      stops(w, records, /bb_util \(bb_util_pkg-0\.2\.1\): .*rebar\.lock pins outer checksum a{64}/, t);
    });

    it('a checksum in rebar.lock the recipe was made from', async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare({ lock: (b) => (b.def.name === 'bb_greet' ? { outer: 'b'.repeat(64) } : {}) });
      stops(w, await recipeRecords(w.project), /bb_greet \(bb_greet-1\.0\.0\): outer checksum mismatch: the lock pins b{64}/, t);
    });

    it('the name in metadata.config', async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare({ tweak: (def, spec) => (def.name === 'bb_util_pkg' ? createHexTarball({ ...spec, name: 'bb_evil_pkg' }).tarball : undefined) });
      stops(w, await recipeRecords(w.project), /bb_util \(bb_util_pkg-0\.2\.1\): metadata\.config name is 'bb_evil_pkg', the lock says 'bb_util_pkg'/, t);
    });

    it('a git dependency fetched at another commit than rebar.lock pins', async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare();
      const records = await recipeRecords(w.project);
      const other = records.git.replace(/app=bb_gitdep,rev=[0-9a-f]{40}/, `app=bb_gitdep,rev=${'c'.repeat(40)}`);
      stops(w, { hex: records.hex, git: other }, /bb_gitdep \(git cccccccccccc\): the checkout in .* is at [0-9a-f]{40}, the lock pins c{40}/, t);
    });

    it("rebar3's own check still runs: a cached tarball changed after the unpack step", async (t) => {
      if (!needTools(t, ...TOOLS)) return;
      const w = prepare();
      const tc = entry.toolchain!;
      const u = unpack(w, await recipeRecords(w.project), tc);
      assert.equal(u.status, 0, failureText(u));
      flipMiddleByte(join(rebarHexCache(w), 'hexpm', 'packages', 'bb_util_pkg-0.2.1.tar'));
      const r = build(w, hostErlangRoot(tc), tc);
      assert.notEqual(r.status, 0, 'rebar3 must refuse the tarball');
      assert.match(r.stdout + r.stderr, /bad_registry_checksum[\s\S]*bb_util_pkg|bb_util_pkg[\s\S]*checksum/);
      assertNothingCompiled(w);
    });
  });
}
