/**
 * The Gleam side of the layer: `beambake_deps unpack --layout gleam` (what do_beam_unpack_deps
 * of beambake-gleam.bbclass runs) and `beambake-build-gleam check|build`.
 *   fixture sources -> real Hex tarballs (createHexTarball) and a local git repository ->
 *   manifest.toml -> beambake's lock reader and recipe record renderer -> unpack into
 *   build/packages/<name> + packages.toml -> the manifest checks Gleam's offline build depends on.
 * The real manifests of the corpus go through the same manifest reader and requirement check.
 * No gleam binary is installable here: the build itself runs only where one is on PATH.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as smolParse } from 'smol-toml';
import { createHexTarball } from '../../src/hex/tarball.js';
import { readProject } from '../../src/lockfiles/index.js';
import { corpusDir } from '../helpers/paths.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { fixture, manifestToml, packageDefs, prepare, type Work } from './gleam-fixture.js';
import { flipMiddleByte, hexTarballPath, recipeRecords, type RecipeRecords } from './hex-fixtures.js';
import { failureText, runScript, scripts, unpackDeps } from './run-script.js';
import { filesOf } from './tree.js';

const TOOLS = ['python3', 'git'];
function unpack(w: Work, records: RecipeRecords): SpawnSyncReturns<string> {
  return unpackDeps('gleam', records, w);
}

function check(w: Work, records: RecipeRecords): SpawnSyncReturns<string> {
  return runScript('beambake-build-gleam', ['check', '--project', w.project, '--hex', records.hex, '--git', records.git]);
}

/** smol-toml's result as plain JSON data (it builds null-prototype objects). */
function parseToml(text: string): unknown {
  return JSON.parse(JSON.stringify(smolParse(text)));
}

function oneLineError(r: SpawnSyncReturns<string>, expect: RegExp): void {
  assert.notEqual(r.status, 0, 'must fail');
  assert.match(r.stderr, expect);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no traceback:\n${r.stderr}`);
}

describe('unpacking a Gleam project into build/packages', () => {
  it('puts each package under its Hex name with packages.toml, as `gleam deps download` would', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    assert.match(records.hex, /app=bb_erl,name=bb_erl_pkg,version=0\.3\.0,repo=hexpm,outer=[0-9a-f]{64}/);
    assert.match(records.git, new RegExp(`app=bb_gitlib,rev=${w.rev},dir=beam-deps/git/bb_gitlib`));
    const r = unpack(w, records);
    assert.equal(r.status, 0, failureText(r));
    const packages = join(w.project, 'build', 'packages');
    assert.deepEqual(readdirSync(packages).sort(), ['bb_erl_pkg', 'bb_gitlib', 'bb_gleam_lib', 'packages.toml']);
    for (const def of packageDefs) {
      assert.deepEqual(filesOf(join(packages, def.name)), filesOf(join(fixture, 'packages', def.dir)), `${def.name} contents`);
    }
    assert.deepEqual(filesOf(join(packages, 'bb_gitlib')), filesOf(join(fixture, 'git', 'bb_gitlib')), 'git package, without .git');
    const toml = readFileSync(join(packages, 'packages.toml'), 'utf8');
    assert.equal(toml, '[packages]\nbb_erl_pkg = "0.3.0"\nbb_gitlib = "0.1.0"\nbb_gleam_lib = "1.2.0"\n');
    assert.deepEqual(parseToml(toml), { packages: { bb_erl_pkg: '0.3.0', bb_gitlib: '0.1.0', bb_gleam_lib: '1.2.0' } });
    const c = check(w, records);
    assert.equal(c.status, 0, failureText(c));
    assert.match(c.stdout, /manifest\.toml matches gleam\.toml and build\/packages \(1 git, 2 hex\)/);
  });

  it('stops on one changed byte of a tarball, naming the package and placing nothing', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    flipMiddleByte(hexTarballPath(w.src, 'bb_gleam_lib', '1.2.0'));
    oneLineError(unpack(w, records), /^beambake-deps: error: bb_gleam_lib \(bb_gleam_lib-1\.2\.0\): outer checksum mismatch/);
    assert.equal(existsSync(join(w.project, 'build')), false);
  });

  it('stops when manifest.toml no longer pins what the recipe fetched', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    writeFileSync(
      join(w.project, 'manifest.toml'),
      manifestToml(w.outer, w.rev, (name, line) => (name === 'bb_erl_pkg' ? line.replace(/outer_checksum = "[0-9A-F]+"/, `outer_checksum = "${'D'.repeat(64)}"`) : line)),
    );
    oneLineError(unpack(w, records), /bb_erl \(bb_erl_pkg-0\.3\.0\): .*manifest\.toml pins outer_checksum D{64}, the recipe fetched [0-9A-F]{64}/);
  });

  it('stops when metadata.config names another package', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare({ tweak: (def, spec) => (def.name === 'bb_erl_pkg' ? createHexTarball({ ...spec, name: 'bb_evil_pkg' }).tarball : undefined) });
    oneLineError(unpack(w, await recipeRecords(w.project)), /bb_erl \(bb_erl_pkg-0\.3\.0\): metadata\.config name is 'bb_evil_pkg', the lock says 'bb_erl_pkg'/);
  });

  it('stops when the git dependency is at another commit than manifest.toml pins', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    writeFileSync(join(w.project, 'manifest.toml'), manifestToml(w.outer, 'e'.repeat(40)));
    oneLineError(unpack(w, records), new RegExp(`bb_gitlib \\(git ${w.rev.slice(0, 12)}\\): .*manifest\\.toml pins commit e{40}, the recipe fetched ${w.rev}`));
  });
});

describe('the manifest checks that keep `gleam build` offline', () => {
  async function unpacked(): Promise<{ w: Work; records: RecipeRecords }> {
    const w = prepare();
    const records = await recipeRecords(w.project);
    const r = unpack(w, records);
    assert.equal(r.status, 0, failureText(r));
    return { w, records };
  }

  it('a gleam.toml requirement that differs from manifest.toml [requirements]', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = await unpacked();
    const config = join(w.project, 'gleam.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('bb_gleam_lib = ">= 1.0.0 and < 2.0.0"', 'bb_gleam_lib = "~> 1.3"'));
    oneLineError(
      check(w, records),
      /^beambake-build-gleam: error: bb_gleam_lib: .*gleam\.toml asks for \{version = "~> 1\.3"\} but .*manifest\.toml \[requirements\] has \{version = ">= 1\.0\.0 and < 2\.0\.0"\]?\}?: gleam would resolve versions again/,
    );
  });

  it('a manifest package missing from build/packages', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = await unpacked();
    rmSync(join(w.project, 'build', 'packages', 'bb_erl_pkg'), { recursive: true });
    oneLineError(check(w, records), /bb_erl_pkg 0\.3\.0 \(hex\): .*manifest\.toml lists it but it is not in .*build\/packages\/bb_erl_pkg \(is it in BEAM_HEX_DEPS\?\)/);
  });

  it('a recipe record the manifest does not list', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = await unpacked();
    const extra = `${records.hex} app=bb_more,name=bb_more,version=1.0.0,repo=hexpm,outer=${'a'.repeat(64)},inner=,file=hex-bb_more-1.0.0.tar`;
    oneLineError(check(w, { hex: extra, git: records.git }), /bb_more \(bb_more-1\.0\.0\): .*manifest\.toml has no package bb_more \(regenerate the recipe\)/);
  });

  it('a manifest whose requirements name a package it does not list', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = await unpacked();
    writeFileSync(join(w.project, 'manifest.toml'), manifestToml(w.outer, w.rev, (name, line) => (name === 'bb_gleam_lib' ? line.replace('["bb_erl_pkg"]', '["bb_erl_pkg", "bb_ghost"]') : line)));
    oneLineError(check(w, records), /manifest\.toml: bb_gleam_lib requires bb_ghost, which the manifest does not list/);
  });

  it('a manifest.toml that is not TOML, with line and column', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = await unpacked();
    writeFileSync(join(w.project, 'manifest.toml'), 'packages = [\n  { name = "x", version = 1.0.0 },\n]\n');
    oneLineError(check(w, records), /manifest\.toml:2:\d+: /);
  });
});

describe('the real Gleam manifests of the corpus', () => {
  const projects = readdirSync(join(corpusDir, 'gleam')).sort().map((d) => join(corpusDir, 'gleam', d));

  it('read the same with the layer reader as with smol-toml and beambake, and agree with gleam.toml', async (t) => {
    if (!needTools(t, 'python3')) return;
    assert.ok(projects.length >= 5, `expected the corpus Gleam projects, found ${projects.length}`);
    const py = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(scripts, 'beambake_deps'))})`,
      'import gleam_toml, layout_gleam',
      'out = {}',
      'for d in sys.argv[1:]:',
      '    m = layout_gleam.read_manifest(d)',
      '    layout_gleam.check_requirements(d, m)',
      '    docs = {f: gleam_toml.parse(open(d + "/" + f, encoding="utf-8").read(), f) for f in ("manifest.toml", "gleam.toml")}',
      '    out[d] = {"packages": m["packages"], "docs": docs}',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', py, ...projects], { encoding: 'utf8' });
    assert.equal(r.status, 0, failureText(r));
    const got = JSON.parse(r.stdout) as Record<string, { packages: Record<string, Record<string, unknown>>; docs: Record<string, unknown> }>;
    let total = 0;
    for (const dir of projects) {
      for (const f of ['manifest.toml', 'gleam.toml']) {
        assert.deepEqual(got[dir]!.docs[f], parseToml(readFileSync(join(dir, f), 'utf8')), `${dir}/${f}: the layer's TOML reader and smol-toml disagree`);
      }
      // The layer and beambake's own reader see the same packages (OTP app, Hex name, version).
      const project = await readProject(dir);
      const layer = Object.values(got[dir]!.packages)
        .filter((p) => p.source !== 'local')
        .map((p) => (p.source === 'hex' ? `${(p.otp_app as string | undefined) ?? p.name} ${p.name} ${p.version}` : `${p.name} git ${p.commit}`))
        .sort();
      const ours = project.packages
        .flatMap((p) => (p.source === 'hex' ? [`${p.app} ${p.name} ${p.version}`] : p.source === 'git' ? [`${p.app} git ${p.rev}`] : []))
        .sort();
      assert.deepEqual(layer, ours, `${dir}: packages`);
      total += layer.length;
    }
    assert.ok(total >= 40, `expected the corpus packages, read ${total}`);
  });
});

describe('gleam build with the layer script', () => {
  it('builds the fixture offline and runs it', async (t) => {
    // gleam is not a toolchain CI installs (no distribution package exists), so this skips
    // even under BEAMBAKE_REQUIRE_TOOLCHAINS; the unpack and manifest checks above always run.
    if (!hasTool('gleam')) {
      t.skip('no gleam binary on PATH (not installable from this distribution); unpack and manifest checks are tested above');
      return;
    }
    if (!needTools(t, ...TOOLS, 'erl', 'escript')) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    const u = unpack(w, records);
    assert.equal(u.status, 0, failureText(u));
    const b = runScript('beambake-build-gleam', ['build', '--project', w.project, '--hex', records.hex, '--git', records.git, '--output', join(w.dir, 'shipment')], {
      offline: true,
    });
    assert.equal(b.status, 0, failureText(b));
    const run = spawnSync(join(w.dir, 'shipment', 'entrypoint.sh'), ['run'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, failureText(run));
    assert.equal(run.stdout.trim(), 'Hello, YOCTO | gitlib-0.1.0');
  });
});
