/**
 * A rebar3 umbrella (apps/hub_core, apps/hub_api) with two relx releases, from `beambake recipe`
 * to running releases, offline, with the layer's own scripts: one recipe per release, `hub` at
 * its static version and `hub_lite` at the version relx's `semver` takes from the checkout's git
 * tag (computed by beambake the way rebar3 does, and checked against what rebar3 builds);
 * BEAM_HEX_DEPS read from the written .inc are unpacked by beambake_deps; beambake-build-rebar3
 * builds each release (`--release-name`, as BEAM_REBAR3_RELEASE makes the class do) under
 * `unshare -n`; each release boots and holds its own apps.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recipe, type RecipeResult } from '../../src/bitbake/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { makeTargetRoot } from './erlang-root.js';
import { fixtureGit, loadPackageDefs, writeHexTarballs, type Built } from './hex-fixtures.js';
import { failureText, runScript, unpackDeps } from './run-script.js';
import { makeTempDir } from '../helpers/temp.js';

const TOOLS = ['erl', 'escript', 'rebar3', 'python3', 'git'];
const TIMEOUT_MS = 10 * 60_000;
const umbrella = join(fixturesDir, 'build', 'rebar3-umbrella');
const rebar3Fixture = join(fixturesDir, 'build', 'rebar3');

interface Staged {
  dir: string;
  src: string;
  project: string;
  built: Built[];
}

function rebarLock(built: Built[]): string {
  const level = (b: Built) => (b.def.name === 'bb_greet' ? 0 : 1);
  const app = (b: Built) => b.def.app ?? b.def.name;
  const sorted = [...built].sort((a, b) => (app(a) < app(b) ? -1 : 1));
  return (
    `{"1.2.0",\n[${sorted.map((b) => `{<<"${app(b)}">>,{pkg,<<"${b.def.name}">>,<<"${b.def.version}">>},${level(b)}}`).join(',\n ')}]}.\n[\n` +
    `{pkg_hash,[\n${sorted.map((b) => ` {<<"${app(b)}">>, <<"${b.inner.toUpperCase()}">>}`).join(',\n')}]},\n` +
    `{pkg_hash_ext,[\n${sorted.map((b) => ` {<<"${app(b)}">>, <<"${b.outer.toUpperCase()}">>}`).join(',\n')}]}\n].\n`
  );
}

/** The umbrella as a git checkout tagged v2.5.0 (relx `semver` reads it), and its Hex packages where SRC_URI puts them. */
function stage(): Staged {
  const dir = makeTempDir('bb-rebar3-umbrella-');
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'src', 'hub');
  cpSync(join(umbrella, 'app'), project, { recursive: true });
  const built = writeHexTarballs(src, rebar3Fixture, loadPackageDefs(rebar3Fixture));
  writeFileSync(join(project, 'rebar.lock'), rebarLock(built));
  writeFileSync(join(project, '.gitignore'), '_build/\n.beambake/\n');
  fixtureGit(project, 'init', '-q', '-b', 'main');
  fixtureGit(project, 'add', '-A');
  fixtureGit(project, 'commit', '-q', '-m', 'hub umbrella');
  fixtureGit(project, 'tag', 'v2.5.0');
  return { dir, src, project, built };
}

/** The records of one `.inc` variable, in the order written. */
function listed(inc: string, name: string): string[] {
  const body = new RegExp(`^${name} = "\\s*\\\\?\\n([\\s\\S]*?)\\n"$`, 'm').exec(inc)?.[1] ?? '';
  return body.split(/\s+/).filter((x) => x && x !== '\\');
}

function build(s: Staged, target: string, release: string) {
  const home = join(s.dir, 'home');
  mkdirSync(home, { recursive: true });
  return runScript(
    'beambake-build-rebar3',
    ['--project', s.project, '--profile', 'prod', '--target-erlang', target, '--output', join(s.dir, `release-${release}`), '--release-name', release],
    { env: { HOME: home, REBAR_CACHE_DIR: '', SOURCE_DATE_EPOCH: '1700000000' }, offline: true, timeoutMs: TIMEOUT_MS },
  );
}

/** Boots the release with its own ERTS and boot script, evaluates `expr`, and stops. */
function bootEval(rel: string, version: string, expr: string, cwd: string) {
  const erts = readdirSync(rel).find((d) => d.startsWith('erts-'))!;
  // relx writes the release's boot script as start.boot
  return spawnSync(
    join(rel, erts, 'bin', 'erl'),
    ['-noshell', '-boot', join(rel, 'releases', version, 'start'), '-eval', `io:format("~s~n", [${expr}]), halt().`],
    { encoding: 'utf8', timeout: 120_000, cwd },
  );
}

function libApps(rel: string): string[] {
  return readdirSync(join(rel, 'lib')).map((d) => d.replace(/-[0-9][^-]*$/, '')).sort();
}

describe('rebar3 umbrella: one recipe per relx release, built offline by the class scripts', { timeout: 30 * 60_000 }, () => {
  let s: Staged | undefined;
  let layer: RecipeResult | undefined;
  let records: string[] = [];
  let unpacked: ReturnType<typeof unpackDeps> | undefined;
  const builds: Record<string, ReturnType<typeof build>> = {};

  before(async () => {
    if (!TOOLS.every(hasTool)) return;
    s = stage();
    layer = await recipe({ path: s.project, outDir: join(s.dir, 'meta-hub'), source: s.project });
    const hub = layer.recipes.find((r) => r.app === 'hub')!;
    records = listed(readFileSync(join(layer.layerDir, hub.incPath), 'utf8'), 'BEAM_HEX_DEPS');
    const target = makeTargetRoot(s.dir, { mark: 'stdlib', apps: ['kernel', 'stdlib'] });
    unpacked = unpackDeps('rebar3', { hex: records.join(' '), git: '' }, s, { env: { REBAR_CACHE_DIR: '' }, offline: true, timeoutMs: TIMEOUT_MS });
    if (unpacked.status !== 0) return;
    for (const rel of ['hub', 'hub_lite']) builds[rel] = build(s, target.root, rel);
  });

  it('writes one recipe per release: hub at its static version, hub_lite at the git-derived one', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.deepEqual(layer!.recipes.map((r) => r.recipePath).sort(), ['recipes-beam/hub-lite/hub-lite_2.5.0.bb', 'recipes-beam/hub/hub_1.1.0.bb']);
    for (const r of layer!.recipes) {
      assert.match(readFileSync(join(layer!.layerDir, r.recipePath), 'utf8'), new RegExp(`^BEAM_REBAR3_RELEASE = "${r.app}"$`, 'm'));
    }
    assert.ok(layer!.warnings.some((w) => /version 2\.5\.0 computed as rebar3 does for \{vsn, semver\}/.test(w)), layer!.warnings.join('\n'));
    assert.deepEqual(records.map((r) => /^app=([a-z_]+),/.exec(r)![1]).sort(), ['bb_greet', 'bb_util']);
    const sbom = JSON.parse(readFileSync(join(layer!.layerDir, layer!.sbomPaths[layer!.recipes.findIndex((r) => r.app === 'hub')]!), 'utf8')) as {
      components: { name: string; properties?: { name: string; value: string }[] }[];
    };
    const own = sbom.components.filter((c) => c.properties?.some((p) => p.name === 'beambake:source' && p.value === 'project')).map((c) => c.name);
    assert.deepEqual(own.sort(), ['hub_api', 'hub_core']);
  });

  it('builds each release offline; each boots with its own apps at the version the recipe says', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(unpacked!.status, 0, failureText(unpacked!));
    for (const [rel, version, apps, expr, out] of [
      ['hub', '1.1.0', ['hub_api', 'hub_core'], 'hub_api:report()', 'Hello, YOCTO! from hub_api'],
      ['hub_lite', '2.5.0', ['hub_core'], 'hub_core:greeting()', 'Hello, YOCTO!'],
    ] as const) {
      const b = builds[rel]!;
      assert.equal(b.status, 0, failureText(b));
      const dir = join(s!.dir, `release-${rel}`);
      assert.ok(existsSync(join(dir, 'releases', version, `${rel}.rel`)), `${rel}: rebar3 built version ${version}: ${readdirSync(join(dir, 'releases')).join(' ')}`);
      const inside = libApps(dir);
      for (const a of [...apps, 'bb_greet', 'bb_util']) assert.ok(inside.includes(a), `${rel} holds ${a}`);
      if (rel === 'hub_lite') assert.ok(!inside.includes('hub_api'), 'hub_lite holds hub_core only');
      const r = bootEval(dir, version, expr, s!.dir);
      assert.equal(r.status, 0, failureText(r));
      assert.equal(r.stdout.trim(), out);
    }
  });
});
