/**
 * The generated layers under the real BitBake, on one stack (scarthgap.test.ts, wrynose.test.ts):
 * one full parse of every fixture's recipe in two layers, `bitbake -e` of each recipe against its
 * lock, then do_fetch, do_unpack and do_beam_unpack_deps offline from the `beambake vendor`
 * mirror and local git mirrors, and tampered tarballs before and after the fetch.
 *
 * One build directory per stack and test run: the parse cache `bitbake -p` writes serves the
 * later commands. Tests run in order and share it.
 */
import { describe, it, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexDownloadFilename } from '../../../src/bitbake/names.js';
import { needTools } from '../../helpers/toolchain.js';
import { flipMiddleByte } from '../hex-fixtures.js';
import { buildDir, bitbakeEnv, handOver, needStack, parseAll, runBitbake, runText, type BitbakeEnv, type BuildDir, type ParseResult, type StackName } from './harness.js';
import { makeWorkspace, type SuiteRecipe, type Workspace } from './workspace.js';

interface Suite {
  ws: Workspace;
  build: BuildDir;
  parse?: ParseResult;
  envs: Map<string, BitbakeEnv>;
}

/** Counts for the report, printed as diagnostics at the end. */
const counts = { parsedRecipes: 0, envChecked: 0, fetched: 0, unpacked: 0, depsUnpacked: 0, compiled: 0 };



const DEPENDS: Record<SuiteRecipe['buildTool'], string[]> = {
  mix: ['erlang-native', 'erlang', 'elixir-native', 'rebar3-native'],
  rebar3: ['erlang-native', 'erlang', 'rebar3-native'],
  gleam: ['erlang-native', 'erlang', 'gleam-native'],
};

export function bitbakeSuite(stackName: StackName): void {
  describe(`the generated layers under the real BitBake (${stackName})`, () => {
    let suite: Suite | undefined;
    let failedSetup: unknown;

    /** The shared workspace and build directory, made by the first test that asks; undefined after a skip. */
    function ready(t: TestContext): Suite | undefined {
      if (failedSetup) throw failedSetup;
      if (suite) return suite;
      const stack = needStack(t, stackName);
      if (!stack) return undefined;
      try {
        const ws = makeWorkspace(stackName);
        const build = buildDir(stack, { dir: join(ws.work, 'build'), layers: ws.layers, hexMirror: ws.hexMirror, gitMirror: ws.gitMirror });
        suite = { ws, build, envs: new Map() };
        return suite;
      } catch (e) {
        failedSetup = e;
        throw e;
      }
    }

    function envOf(s: Suite, r: SuiteRecipe): BitbakeEnv {
      let env = s.envs.get(r.id);
      if (!env) {
        env = bitbakeEnv(s.build, r.recipeFile);
        s.envs.set(r.id, env);
      }
      return env;
    }

    it('parses every generated recipe of both layers in one build: no errors, no warnings from the layers', (t) => {
      const s = ready(t);
      if (!s) return;
      const parse = parseAll(s.build);
      s.parse = parse;
      assert.equal(parse.run.status, 0, runText(parse.run));
      assert.ok(parse.files > 900, `parsed ${parse.files} recipe files: ${runText(parse.run)}`);
      assert.equal(parse.errors, 0, runText(parse.run));
      assert.deepEqual(parse.errorLines, []);
      assert.deepEqual(parse.warningLines.filter((l) => l.includes(s.ws.work)), [], 'warnings from the generated layers');
      // PN and PV as the full parse resolved them (bitbake -s)
      for (const r of s.ws.recipes) assert.equal(parse.preferred.get(r.pn), `${r.pv}-r0`, `${r.id}: ${r.pn} ${r.pv} in bitbake -s`);
      counts.parsedRecipes = s.ws.recipes.length;
      t.diagnostic(`${stackName}: ${parse.files} .bb files, ${parse.targets} targets, ${s.ws.recipes.length} generated recipes in ${s.ws.layers.length} layers; ${parse.warningLines.length} warnings in all`);
    });

    it('bitbake -e of every recipe: PN, PV, BEAM_APP, SRC_URI and SRCREVs against the lock, LICENSE, DEPENDS, task order', (t) => {
      const s = ready(t);
      if (!s) return;
      for (const r of s.ws.recipes) {
        const env = envOf(s, r);
        const what = `${r.id} (${r.recipeFile})`;
        assert.equal(env.get('PN'), r.pn, `${what}: PN`);
        assert.equal(env.get('PV'), r.pv, `${what}: PV`);
        assert.equal(env.get('BEAM_APP'), r.app, `${what}: BEAM_APP`);
        // the install directory is named after the application, not PN
        const installDir = `${env.get('libdir')}/${r.app}`;
        if (r.buildTool === 'gleam') assert.ok(env.words(`FILES:${r.pn}`).includes(installDir), `${what}: FILES:${r.pn} lacks ${installDir}`);
        else assert.equal(env.get('BEAM_RELEASE_ROOT'), installDir, `${what}: install directory`);
        const srcUri = env.words('SRC_URI');
        assert.equal(srcUri.length, 1 + r.hexCount + Object.keys(r.srcrevs).length, `${what}: SRC_URI ${srcUri.join(' ')}`);
        assert.equal(srcUri.filter((u) => u.startsWith('https://repo.hex.pm/')).length, r.hexCount, `${what}: Hex entries`);
        for (const [name, rev] of Object.entries(r.srcrevs)) assert.equal(env.get(`SRCREV_${name}`), rev, `${what}: SRCREV_${name}`);
        assert.equal(env.get('LICENSE'), r.license, `${what}: LICENSE`);
        const depends = env.words('DEPENDS');
        for (const d of DEPENDS[r.buildTool]) assert.ok(depends.includes(d), `${what}: DEPENDS lacks ${d}: ${depends.join(' ')}`);
        assert.deepEqual(env.taskParents().do_beam_unpack_deps, ['do_unpack'], `${what}: do_beam_unpack_deps after do_unpack`);
        assert.ok(env.runsAfter('do_patch', 'do_beam_unpack_deps'), `${what}: do_patch after do_beam_unpack_deps`);
        assert.ok(env.runsAfter('do_compile', 'do_beam_unpack_deps'), `${what}: do_compile after do_beam_unpack_deps`);
        assert.ok(env.runsAfter('do_install', 'do_compile'), `${what}: do_install after do_compile`);
        for (const [name, value] of Object.entries(r.vars)) assert.equal(env.get(name), value, `${what}: ${name}`);
        counts.envChecked++;
      }
      t.diagnostic(`${stackName}: bitbake -e checked for ${counts.envChecked} recipes`);
    });

    it('each layer\'s recipes inherit their own layer\'s classes and run its scripts', (t) => {
      const s = ready(t);
      if (!s) return;
      assert.ok(s.ws.layers.length >= 2, 'two layers in the build');
      for (const r of s.ws.recipes) {
        const env = envOf(s, r);
        assert.equal(env.get('BEAMBAKE_SUITE_LAYER'), s.ws.markers[r.layer], `${r.id}: classes from ${r.layer}`);
        assert.equal(realpathSync(env.get('BEAMBAKE_SCRIPTS')), realpathSync(join(r.layer, 'scripts')), `${r.id}: scripts`);
        const unpackBody = env.funcs.get('do_beam_unpack_deps') ?? '';
        assert.ok(unpackBody.includes(`${env.get('BEAMBAKE_SCRIPTS')}/beambake_deps`), `${r.id}: do_beam_unpack_deps runs its layer's beambake_deps`);
      }
    });

    it('do_fetch, do_unpack and do_beam_unpack_deps run offline from the vendored mirror and git mirrors', (t) => {
      const s = ready(t);
      if (!s) return;
      for (const r of s.ws.recipes.filter((x) => x.fetchable)) {
        const run = runBitbake(s.build, ['-b', r.recipeFile, '-c', 'do_beam_unpack_deps']);
        assert.equal(run.status, 0, `${r.id}: ${runText(run)}`);
        const env = envOf(s, r);
        const stamps = stampsOf(env);
        for (const task of ['do_fetch', 'do_unpack', 'do_beam_unpack_deps']) assert.ok(stamps.some((f) => f.includes(`.${task}.`)), `${r.id}: no ${task} stamp in ${stamps.join(' ')}`);
        counts.fetched++;
        counts.unpacked++;
        counts.depsUnpacked++;
        const dl = env.get('DL_DIR');
        for (const f of readdirSync(s.ws.hexMirror).filter((f) => f.startsWith('hex-'))) {
          if (env.get('SRC_URI').includes(`downloadfilename=${f};`)) assert.ok(existsSync(join(dl, f)), `${r.id}: ${f} fetched into DL_DIR`);
        }
        assertUnpackedLayout(r, env);
      }
      t.diagnostic(`${stackName}: ${counts.fetched} recipes fetched, unpacked and their dependencies unpacked offline`);
    });

    it('do_compile of a pure-Erlang rebar3 release and a pure-Elixir Mix release, with the host\'s Erlang, Elixir and rebar3 standing in', (t) => {
      const s = ready(t);
      if (!s) return;
      // The snapshots hold no sources for erlang-native, elixir-native or rebar3-native: the host's
      // Debian tools stand in (HOSTTOOLS), and for an x86-64 MACHINE the host's ERTS serves as the
      // target Erlang the release is assembled from.
      if (process.arch !== 'x64') return t.skip(`the host ERTS stands in for an x86-64 target only (this host is ${process.arch})`);
      if (!needTools(t, 'erl', 'escript', 'rebar3', 'elixir', 'mix')) return;
      const erl = spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [code:root_dir()]), halt().'], { encoding: 'utf8' });
      assert.equal(erl.status, 0, erl.stderr);
      const hostErlangRoot = erl.stdout.trim();
      const build = buildDir(s.build.stack, {
        dir: join(s.ws.work, 'build-compile'),
        layers: s.ws.layers,
        hexMirror: s.ws.hexMirror,
        gitMirror: s.ws.gitMirror,
        machine: 'qemux86-64',
        workRoot: s.ws.work,
        extraLocalConf: ['HOSTTOOLS += "erl erlc escript rebar3 elixir mix"', `BEAM_TARGET_ERLANG_ROOT:forcevariable = "${hostErlangRoot}"`],
      });
      for (const r of s.ws.recipes.filter((x) => x.id === 'rebar3' || x.id === 'two-underscores')) {
        const run = runBitbake(build, ['-b', r.recipeFile, '-c', 'do_compile']);
        assert.equal(run.status, 0, `${r.id}: ${runText(run)}`);
        const release = bitbakeEnv(build, r.recipeFile).get('BEAM_RELEASE_DIR');
        assert.ok(existsSync(join(release, 'bin', r.app)), `${r.id}: ${release}/bin/${r.app}`);
        assert.ok(existsSync(join(release, 'lib', `${r.app}-${r.version}`, 'ebin', `${r.app}.app`)), `${r.id}: ${release}/lib/${r.app}-${r.version}`);
        counts.compiled++;
      }
      // Where it stops: do_install is a fakeroot task, and pseudo-native must be built from source.
      const install = runBitbake(build, ['-b', s.ws.recipes.find((x) => x.id === 'two-underscores')!.recipeFile, '-c', 'do_install']);
      const stop = install.status === 0 ? 'do_install succeeded' : (install.output.split('\n').find((l) => l.startsWith('ERROR:')) ?? runText(install, 400));
      t.diagnostic(`${stackName}: do_compile ran for ${counts.compiled} recipes; do_install: ${stop}`);
    });

    it('a tarball tampered with before the fetch fails do_fetch', (t) => {
      const s = ready(t);
      if (!s) return;
      const r = s.ws.recipes.find((x) => x.id === 'mix')!;
      // a second build directory with its own DL_DIR, fetching from a tampered copy of the mirror
      const mirror = join(s.ws.work, 'mirror-tampered');
      cpSync(s.ws.hexMirror, mirror, { recursive: true });
      const victim = firstHexName(envOf(s, r)).file;
      flipMiddleByte(join(mirror, victim));
      const build = buildDir(s.build.stack, { dir: join(s.ws.work, 'build-tampered'), layers: s.ws.layers, hexMirror: mirror, gitMirror: s.ws.gitMirror, workRoot: s.ws.work });
      const run = runBitbake(build, ['-b', r.recipeFile, '-c', 'do_fetch']);
      assert.notEqual(run.status, 0, `do_fetch accepted a tampered ${victim}: ${runText(run)}`);
      assert.match(run.output, new RegExp(`${victim.replace(/[.+]/g, '\\$&')}`), runText(run));
      assert.match(run.output, /checksum|sha256/i, runText(run));
    });

    it('a tarball tampered with after a good fetch fails do_beam_unpack_deps, naming the package', (t) => {
      const s = ready(t);
      if (!s) return;
      const r = s.ws.recipes.find((x) => x.id === 'mix')!;
      const env = envOf(s, r);
      const name = firstHexName(env);
      // DL_DIR holds a symlink into the file:// mirror: replace it by a tampered copy, keep the mirror
      const file = join(env.get('DL_DIR'), name.file);
      assert.ok(existsSync(file), `${file} was fetched by an earlier test`);
      const link = lstatSync(file).isSymbolicLink() ? readlinkSync(file) : undefined;
      const good = readFileSync(file);
      try {
        unlinkSync(file);
        writeFileSync(file, good);
        flipMiddleByte(file);
        handOver(s.ws.work);
        // do_fetch's stamp stays valid; do_unpack copies what DL_DIR holds now
        const unpack = runBitbake(s.build, ['-b', r.recipeFile, '-c', 'do_unpack', '-f']);
        assert.equal(unpack.status, 0, runText(unpack));
        assert.doesNotMatch(unpack.output, /task do_fetch: Started/, 'do_fetch did not run again');
        const run = runBitbake(s.build, ['-b', r.recipeFile, '-c', 'do_beam_unpack_deps']);
        assert.match(run.output, /task do_beam_unpack_deps: Started/, runText(run));
        assert.notEqual(run.status, 0, `do_beam_unpack_deps accepted a tampered ${name.file}: ${runText(run)}`);
        assert.match(run.output, /do_beam_unpack_deps: Failed/, runText(run));
        assert.match(run.output, new RegExp(`\\b${name.pkg}\\b`), `the failure names ${name.pkg}: ${runText(run)}`);
      } finally {
        rmSync(file, { force: true });
        if (link) symlinkSync(link, file);
        else writeFileSync(file, good);
        handOver(s.ws.work);
      }
    });
  });
}

/** The first Hex dependency of a recipe: package name and DL_DIR file. */
function firstHexName(env: BitbakeEnv): { pkg: string; file: string } {
  const rec = env.words('BEAM_HEX_DEPS')[0];
  assert.ok(rec, 'the recipe has Hex dependencies');
  const fields = Object.fromEntries(rec.split(',').map((kv) => kv.split('=') as [string, string]));
  return { pkg: fields.name!, file: hexDownloadFilename({ name: fields.name!, version: fields.version!, repository: fields.repo! }) };
}

function stampsOf(env: BitbakeEnv): string[] {
  const stamp = env.get('STAMP');
  const dir = stamp.replace(/\/[^/]*$/, '');
  const base = stamp.slice(dir.length + 1);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(base)) : [];
}

/** Where do_beam_unpack_deps put the dependencies, per build tool. */
function assertUnpackedLayout(r: SuiteRecipe, env: BitbakeEnv): void {
  const s = env.get('S');
  const hexApps = env.words('BEAM_HEX_DEPS').map((rec) => /(?:^|,)app=([^,]+)/.exec(rec)![1]!);
  const hexNames = env.words('BEAM_HEX_DEPS').map((rec) => /(?:^|,)name=([^,]+)/.exec(rec)![1]!);
  const gitApps = Object.keys(r.srcrevs).map((n) => n.replace(/^git-/, ''));
  if (r.buildTool === 'mix') {
    for (const app of [...hexApps, ...gitApps]) assert.ok(existsSync(join(s, 'deps', app)), `${r.id}: deps/${app} in ${s}`);
  } else if (r.buildTool === 'gleam') {
    for (const name of [...hexNames, ...gitApps]) assert.ok(existsSync(join(s, 'build', 'packages', name)), `${r.id}: build/packages/${name}`);
  } else {
    // rebar3: git checkouts in _build/default/lib, Hex tarballs in its package cache (layout_rebar3.py)
    for (const app of gitApps) assert.ok(existsSync(join(s, '_build', 'default', 'lib', app, '.git')), `${r.id}: _build/default/lib/${app}`);
    const cache = join(s, '.beambake', 'rebar3-cache', 'hex', 'hexpm', 'packages');
    for (const rec of env.words('BEAM_HEX_DEPS')) {
      const f = Object.fromEntries(rec.split(',').map((kv) => kv.split('=') as [string, string]));
      assert.ok(existsSync(join(cache, `${f.name}-${f.version}.tar`)), `${r.id}: ${f.name}-${f.version}.tar in ${cache}`);
    }
  }
}
