/**
 * A Mix umbrella (two apps, two releases, a test-only dependency) from `beambake recipe` to
 * running releases, offline, with the layer's own scripts: the recipe writes one recipe per
 * release, named and versioned as the release; its BEAM_HEX_DEPS (read from the written .inc)
 * leave the test-only package out; beambake_deps unpacks exactly those; beambake-build-mix
 * builds each release (`--release-name`, as BEAM_MIX_RELEASE makes the class do) under
 * `unshare -n`; each release holds its own apps and starts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recipe, type RecipeResult } from '../../src/bitbake/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { makeTargetRoot, type TargetRoot } from './erlang-root.js';
import { loadPackageDefs, writeHexTarballs, type Built } from './hex-fixtures.js';
import { mixLock } from './mix-fixture.js';
import { assertUnpackedAndBuilt, failureText, runTool, scripts, unpackDeps, unpackThenBuild, type UnpackedBuild } from './run-script.js';
import { makeTempDir } from '../helpers/temp.js';

const TOOLS = ['erl', 'elixir', 'mix', 'rebar3', 'python3', 'cc'];
const SOURCE_DATE_EPOCH = '1700000000';
const TIMEOUT_MS = 20 * 60_000;
const umbrella = join(fixturesDir, 'build', 'mix-umbrella');
const mixFixture = join(fixturesDir, 'build', 'mix');

interface Staged {
  dir: string;
  src: string;
  project: string;
  built: Built[];
}

function stage(): Staged {
  const dir = makeTempDir('bb-mix-umbrella-');
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'src', 'gateway');
  cpSync(join(umbrella, 'app'), project, { recursive: true });
  const shared = loadPackageDefs(mixFixture).filter((d) => ['greeter', 'greeting_core', 'erl_counter'].includes(d.name));
  const built = [...writeHexTarballs(src, mixFixture, shared), ...writeHexTarballs(src, umbrella, loadPackageDefs(umbrella))];
  writeFileSync(join(project, 'mix.lock'), mixLock(built));
  return { dir, src, project, built };
}

/** The records of one `.inc` variable, in the order written. */
function listed(inc: string, name: string): string[] {
  const body = new RegExp(`^${name} = "\\s*\\\\?\\n([\\s\\S]*?)\\n"$`, 'm').exec(inc)?.[1] ?? '';
  return body.split(/\s+/).filter((x) => x && x !== '\\');
}

function buildMix(s: Staged, target: string, mode: 'all' | 'release', release: string, output: string) {
  return runTool('sh', [join(scripts, 'beambake-build-mix'), mode, '--project', s.project, '--target-erlang-root', target, '--output', output, '--release-name', release], {
    env: { SOURCE_DATE_EPOCH, MIX_ENV: 'prod', HEX_OFFLINE: '1', CC: 'cc', BEAMBAKE_TMPDIR: s.dir },
    offline: true,
    timeoutMs: TIMEOUT_MS,
  });
}

function libApps(release: string): string[] {
  return readdirSync(join(release, 'lib')).map((d) => d.replace(/-[0-9][^-]*$/, '')).sort();
}

describe('Mix umbrella: one recipe per release, built offline by the class scripts', { timeout: 30 * 60_000 }, () => {
  let s: Staged | undefined;
  let layer: RecipeResult | undefined;
  let records: string[] = [];
  let run: (UnpackedBuild & { target: TargetRoot; coreOnly?: ReturnType<typeof buildMix> }) | undefined;

  before(async () => {
    if (!TOOLS.every(hasTool)) return;
    s = stage();
    layer = await recipe({ path: s.project, outDir: join(s.dir, 'meta-gateway'), source: s.project });
    const gateway = layer.recipes.find((r) => r.app === 'gateway')!;
    records = listed(readFileSync(join(layer.layerDir, gateway.incPath), 'utf8'), 'BEAM_HEX_DEPS');
    const target = makeTargetRoot(s.dir, { mark: 'kernel' });
    const u = unpackThenBuild(
      () => unpackDeps('mix', { hex: records.join(' '), git: '' }, s!, { timeoutMs: TIMEOUT_MS }),
      () => buildMix(s!, target.root, 'all', 'gateway', join(s!.dir, 'release-gateway')),
    );
    // the second release from the same compiled tree
    const coreOnly = u.build?.status === 0 ? buildMix(s, target.root, 'release', 'core_only', join(s.dir, 'release-core_only')) : undefined;
    run = { ...u, target, ...(coreOnly ? { coreOnly } : {}) };
  });

  it('writes one recipe per release with the release\'s name, version and BEAM_MIX_RELEASE', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const names = layer!.recipes.map((r) => `${r.app} ${r.recipePath}`).sort();
    assert.deepEqual(names, ['core_only recipes-beam/core-only/core-only_0.4.0.bb', 'gateway recipes-beam/gateway/gateway_0.4.0.bb']);
    for (const r of layer!.recipes) {
      assert.match(readFileSync(join(layer!.layerDir, r.recipePath), 'utf8'), new RegExp(`^BEAM_MIX_RELEASE = "${r.app}"$`, 'm'));
    }
    // each release's SBOM names the release and holds its own apps
    const sbom = JSON.parse(readFileSync(join(layer!.layerDir, layer!.sbomPaths[layer!.recipes.findIndex((r) => r.app === 'core_only')]!), 'utf8')) as {
      metadata: { component: { name: string; version: string } };
      components: { name: string; properties?: { name: string; value: string }[] }[];
    };
    assert.deepEqual([sbom.metadata.component.name, sbom.metadata.component.version], ['core_only', '0.4.0']);
    const own = sbom.components.filter((c) => c.properties?.some((p) => p.name === 'beambake:source' && p.value === 'project')).map((c) => c.name);
    assert.deepEqual(own, ['gw_core']);
    // ... and the packages that release holds: gw_core's greeter (and greeting_core), not gw_web's erl_counter
    const hex = sbom.components.filter((c) => c.properties?.some((p) => p.name === 'beambake:source' && p.value === 'hex')).map((c) => c.name).sort();
    assert.deepEqual(hex, ['greeter', 'greeting_core']);
  });

  it('pins the production packages only: the test-only one is neither in the recipe nor unpacked', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.deepEqual(records.map((r) => /^app=([a-z_]+),/.exec(r)![1]).sort(), ['erl_counter', 'greeter', 'greeting_core']);
    assert.deepEqual(layer!.leftOut, [{ app: 'test_helper', scope: 'test' }]);
    assert.equal(existsSync(join(s!.project, 'deps', 'test_helper')), false);
  });

  it('builds both releases offline and each starts, holding its own apps', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assertUnpackedAndBuilt(run!);
    assert.equal(run!.coreOnly?.status, 0, run!.coreOnly && failureText(run!.coreOnly));
    const gateway = join(s!.dir, 'release-gateway');
    const r = spawnSync(join(gateway, 'bin', 'gateway'), ['eval', '{:ok, _} = Application.ensure_all_started(:gw_web); IO.puts(GwWeb.report())'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: s!.dir, RELEASE_TMP: join(s!.dir, 'release-tmp'), RELEASE_COOKIE: 'beambake-test-cookie' },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, failureText(r));
    assert.equal(r.stdout.trim(), 'Hello, Yocto! words=4');
    const gwApps = libApps(gateway);
    for (const a of ['gw_core', 'gw_web', 'greeter', 'greeting_core', 'erl_counter']) assert.ok(gwApps.includes(a), `gateway holds ${a}`);
    assert.ok(!gwApps.includes('test_helper'));
    const core = libApps(join(s!.dir, 'release-core_only'));
    assert.ok(core.includes('gw_core') && core.includes('greeter'));
    assert.ok(!core.includes('gw_web') && !core.includes('erl_counter'), `core_only holds only gw_core and its deps: ${core.join(' ')}`);
    assert.equal(existsSync(join(s!.project, '_build', 'prod', 'lib', 'test_helper')), false, 'the test-only package was never compiled');
  });
});
