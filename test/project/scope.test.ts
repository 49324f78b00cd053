/**
 * Dependency scope: declared by Mix `only:`/`runtime:`, rebar3 profiles and Gleam
 * `[dev-dependencies]`, carried through the lock's graph; recipe and SBOM take
 * production dependencies only unless asked (fixtures in test/fixtures/scope/).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProject } from '../../src/lockfiles/index.js';
import { recipe } from '../../src/bitbake/index.js';
import { projectToSbomGraph } from '../../src/sbom/from-project.js';
import { writeSbom } from '../../src/sbom/writers/index.js';
import type { Project } from '../../src/model.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir, fixturesDir } from '../helpers/paths.js';

const fixture = (tool: string) => join(fixturesDir, 'scope', tool);
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'beambake-scope-'));
  made.push(d);
  return d;
}
const scopes = (p: Project) => Object.fromEntries(p.packages.map((x) => [x.app, x.runtime === false ? `${x.scope}-build` : x.scope]));

test('Mix: only:, runtime: false, optional: and override: from mix.exs, followed through mix.lock', async () => {
  const p = await readProject(fixture('mix'));
  assert.deepEqual(scopes(p), {
    bakery: 'prod-build', // runtime: false: compiled with, not in the release
    bunt: 'dev-build', // required by credo only
    credo: 'dev-build',
    esbuild_core: 'prod-build', // required by bakery only
    file_system: 'dev', // credo and live_reload, never a prod package
    jason: 'prod', // optional: true at the root is still a dependency; plug's optional edge does not carry scope
    live_reload: 'dev',
    meck: 'test', // required by mock
    mime: 'prod',
    mock: 'test',
    plug: 'prod',
    redix: 'prod', // added by cond_deps(): unknown, kept
    tailwind: 'prod', // runtime: Mix.env() == :dev: unknown, kept
    telemetry: 'prod', // override: true does not change scope
  });
  const reason = (app: string) => p.packages.find((x) => x.app === app)!.scopeReason;
  assert.equal(reason('mock'), 'only: :test in mix.exs');
  assert.equal(reason('credo'), 'only: [:dev, :test], runtime: false in mix.exs (compile-time only, not in the release)');
  assert.equal(reason('meck'), 'required by mock (test)');
  assert.match(reason('redix')!, /^unknown: deps\(\) adds dependencies computed when Mix runs/);
  assert.match(reason('tailwind')!, /^unknown: runtime: of tailwind in mix\.exs is computed/);
  assert.deepEqual(p.scopeUnknown, ['redix', 'tailwind']);
  assert.equal(p.warnings.filter((w) => /scope unknown for redix, tailwind/.test(w)).length, 1);
  // version() reads VERSION: read the same way
  assert.equal(p.version, '2.3.1');
  assert.deepEqual(p.releases, [{ name: 'shop', version: '2.3.1', apps: ['shop'] }]);
});

test('a dev-only declaration of a package a prod package requires is prod', async () => {
  const dir = temp();
  const A = 'a'.repeat(64);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'mix.exs'), 'defmodule P.MixProject do\n  def project, do: [app: :p, version: "1.0.0", deps: deps()]\n  defp deps, do: [{:plug, "~> 1.0"}, {:mime, "~> 2.0", only: :dev}]\nend\n');
  writeFileSync(
    join(dir, 'mix.lock'),
    `%{\n  "plug": {:hex, :plug, "1.0.0", "${A}", [:mix], [{:mime, "~> 2.0", [hex: :mime, repo: "hexpm", optional: false]}], "hexpm", "${A}"},\n  "mime": {:hex, :mime, "2.0.0", "${A}", [:mix], [], "hexpm", "${A}"},\n}\n`,
  );
  const p = await readProject(dir);
  const mime = p.packages.find((x) => x.app === 'mime')!;
  assert.deepEqual([mime.scope, mime.scopeReason], ['prod', 'required by plug (prod)']);
});

test('rebar3: {deps} ship, profile deps take the profile\'s scope; Gleam: [dev-dependencies] through the manifest graph', async () => {
  const r = await readProject(fixture('rebar3'));
  assert.deepEqual(scopes(r), { cowboy: 'prod', cowlib: 'prod', edown: 'dev', jsx: 'prod', meck: 'test' });
  assert.match(r.packages.find((x) => x.app === 'cowlib')!.scopeReason!, /^transitive: the lock does not say/);
  assert.equal(r.version, undefined, '{vsn, git}: unknown to deps');

  const g = await readProject(fixture('gleam'));
  // hpack_erl is the package, hpack the app: the declaration still finds it
  assert.deepEqual(scopes(g), { birdie: 'dev', gleam_stdlib: 'prod', gleeunit: 'dev', hpack: 'prod', rank: 'dev' });
});

test('deps --json shows scope and reason; the table a SCOPE column', () => {
  const r = runCli(['deps', fixture('mix'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { packages: Record<string, unknown>[] };
  const credo = doc.packages.find((x) => x.app === 'credo')!;
  assert.deepEqual([credo.scope, credo.runtime, credo.scopeReason], ['dev', false, 'only: [:dev, :test], runtime: false in mix.exs (compile-time only, not in the release)']);
  assert.equal('runtime' in doc.packages.find((x) => x.app === 'plug')!, false);
  const t = runCli(['deps', fixture('mix')]);
  assert.match(t.stdout, /^bakery\s+1\.0\.0\s+hex\s+yes\s+prod \(build\)\s+mix$/m);
  assert.match(t.stdout, /^redix\s+1\.0\.0\s+hex\s+yes\s+prod\?\s+mix$/m);
  assert.match(t.stdout, /; 6 prod, 2 prod \(build\), 4 dev, 2 test\n$/);
});

test('recipe: production dependencies (compile-time ones included) by default, --include-scope adds dev/test', async () => {
  const out = join(temp(), 'meta-shop');
  const res = await recipe({ path: fixture('mix'), outDir: out });
  const inc = readFileSync(join(out, res.recipe.incPath), 'utf8');
  const pinned = (text: string) => [...text.matchAll(/^SRC_URI\[hex-([a-z0-9_]+)\.sha256sum\]/gm)].map((m) => m[1]).sort();
  assert.deepEqual(pinned(inc), ['bakery', 'esbuild_core', 'jason', 'mime', 'plug', 'redix', 'tailwind', 'telemetry']);
  assert.deepEqual(res.leftOut.map((x) => `${x.app}:${x.scope}`), ['bunt:dev', 'credo:dev', 'file_system:dev', 'live_reload:dev', 'meck:test', 'mock:test']);
  assert.match(res.recipe.recipePath, /shop_2\.3\.1\.bb$|shop-2\.3\.1\.bb$|_2\.3\.1\.bb$/);
  // the layer SBOM lists what the layer fetches; compile-time-only packages as scope "excluded"
  const sbom = JSON.parse(readFileSync(join(out, res.sbomPath), 'utf8')) as { components: { name: string; scope?: string }[] };
  const hexNames = sbom.components.filter((c) => ['bakery', 'esbuild_core', 'plug', 'credo'].includes(c.name));
  assert.deepEqual(hexNames.map((c) => [c.name, c.scope ?? 'required']).sort(), [['bakery', 'excluded'], ['esbuild_core', 'excluded'], ['plug', 'required']]);

  const all = join(temp(), 'meta-shop');
  const res2 = await recipe({ path: fixture('mix'), outDir: all, includeScopes: ['dev', 'test'] });
  assert.equal(pinned(readFileSync(join(all, res2.recipe.incPath), 'utf8')).length, 14);
  assert.deepEqual(res2.leftOut, []);

  const bad = runCli(['recipe', fixture('mix'), '-o', join(temp(), 'meta-x'), '--include-scope', 'docs']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: --include-scope: unknown scope "docs" \(choose dev, test\)\n$/);
});

test('sbom: the release\'s dependencies by default; dev/test as CycloneDX scope excluded and SPDX DEV/TEST_DEPENDENCY_OF', async () => {
  const p = await readProject(fixture('mix'));
  const dflt = await projectToSbomGraph(p, { env: {} });
  const names = (g: typeof dflt) => g.components.map((c) => c.name);
  for (const gone of ['credo', 'mock', 'meck', 'bakery', 'esbuild_core', 'live_reload']) assert.ok(!names(dflt).includes(gone), gone);
  for (const kept of ['plug', 'mime', 'jason', 'telemetry', 'redix', 'tailwind']) assert.ok(names(dflt).includes(kept), kept);

  const all = await projectToSbomGraph(p, { env: {}, includeScopes: ['dev', 'test'] });
  const cdx = JSON.parse(writeSbom(all, 'cyclonedx-json')) as { components: { name: string; scope?: string }[] };
  const scopeOf = (n: string) => cdx.components.find((c) => c.name === n)?.scope;
  assert.deepEqual(['credo', 'mock', 'meck', 'bakery', 'plug'].map(scopeOf), ['excluded', 'excluded', 'excluded', 'excluded', undefined]);
  const spdx = JSON.parse(writeSbom(all, 'spdx2-json')) as { packages: { SPDXID: string; name: string }[]; relationships: { spdxElementId: string; relationshipType: string }[] };
  const rel = (n: string) => {
    const id = spdx.packages.find((x) => x.name === n)!.SPDXID;
    return spdx.relationships.filter((r) => r.spdxElementId === id).map((r) => r.relationshipType);
  };
  // the root's edge says the scope; their own dependencies stay DEPENDS_ON
  assert.deepEqual(rel('mock'), ['TEST_DEPENDENCY_OF', 'DEPENDS_ON']);
  assert.deepEqual(rel('live_reload'), ['DEV_DEPENDENCY_OF', 'DEPENDS_ON', 'DEPENDS_ON']);
  assert.deepEqual(rel('bakery'), ['BUILD_DEPENDENCY_OF', 'DEPENDS_ON']);
  const spdx3 = writeSbom(all, 'spdx3-json');
  assert.match(spdx3, /"scope": "test"/);
  assert.match(spdx3, /"scope": "development"/);
});

test('corpus: Gleam projects whose gleam.toml declares dev dependencies leave them out of recipe and SBOM', async () => {
  const p = await readProject(join(corpusDir, 'gleam/gleam-packages'));
  assert.deepEqual(p.packages.filter((x) => x.scope !== 'prod').map((x) => x.app), ['gleeunit']);
  const out = join(temp(), 'meta-packages');
  const res = await recipe({ path: join(corpusDir, 'gleam/gleam-packages'), outDir: out, yocto: 'wrynose' });
  assert.doesNotMatch(readFileSync(join(out, res.recipe.incPath), 'utf8'), /gleeunit/);
  const a = await readProject(join(corpusDir, 'gleam/gleam-test-project_path_deps-a'));
  assert.deepEqual(a.packages.filter((x) => x.scope === 'dev').map((x) => x.app), ['gleam_stdlib', 'gleeunit']);
});

test('umbrellas: the apps, the releases and the own apps in each (no tools needed)', async () => {
  const mix = await readProject(join(fixturesDir, 'build', 'mix-umbrella', 'app'));
  assert.deepEqual(mix.umbrellaApps, ['gw_core', 'gw_web']);
  assert.deepEqual(
    mix.releases?.map((r) => [r.name, r.version, r.apps]),
    [
      ['core_only', '0.4.0', ['gw_core']],
      ['gateway', '0.4.0', ['gw_core', 'gw_web']],
    ],
  );
  // no root identity warning: an umbrella with releases ships those
  assert.ok(!mix.warnings.some((w) => /cannot read the project name/.test(w)), mix.warnings.join('\n'));

  const rebar = await readProject(join(fixturesDir, 'build', 'rebar3-umbrella', 'app'));
  assert.deepEqual(rebar.umbrellaApps, ['hub_api', 'hub_core']);
  assert.deepEqual(
    rebar.releases?.map((r) => [r.name, r.version ?? null, r.versionSource?.kind ?? null, r.apps]),
    [
      ['hub', '1.1.0', null, ['hub_api', 'hub_core']],
      ['hub_lite', null, 'semver', ['hub_core']],
    ],
  );
  const json = JSON.parse(runCli(['deps', join(fixturesDir, 'build', 'rebar3-umbrella', 'app'), '--json']).stdout) as { project: { releases: unknown[] } };
  assert.deepEqual(json.project.releases, [
    { name: 'hub', version: '1.1.0', apps: ['hub_api', 'hub_core'] },
    { name: 'hub_lite', version: null, apps: ['hub_core'] },
  ]);
  const bad = runCli(['recipe', join(fixturesDir, 'build', 'rebar3-umbrella', 'app'), '-o', join(temp(), 'meta-x'), '--release', 'nope']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--release nope: no such release \(the project defines hub, hub_lite\)/);
});

test('a package reached only as an optional dependency names the first reached package in lock order that lists it, also in a 50,000-package lock', async () => {
  const { assignScopes } = await import('../../src/project/scope.js');
  const pkg = (app: string, deps: string[] = [], optional: string[] = []) =>
    ({ app, name: app, version: '1.0.0', source: 'hex', direct: false, dependencies: deps, optionalDependencies: optional }) as unknown as Project['packages'][number];
  const packages = [pkg('root', ['a', 'b']), pkg('a', [], ['opt']), pkg('b', [], ['opt']), pkg('opt'), pkg('lone'), pkg('unreached', [], ['opt2']), pkg('opt2')];
  packages[0]!.direct = true;
  assignScopes(packages, { declared: [{ app: 'root', scope: 'prod', runtime: true, reason: 'declared' } as never], graphKnown: true });
  const reason = (app: string) => packages.find((p) => p.app === app)!.scopeReason;
  assert.equal(reason('opt'), 'optional dependency of a, not declared by the project (treated as prod)');
  assert.equal(reason('lone'), 'not reached from the declared dependencies (treated as prod)');
  assert.equal(reason('opt2'), 'not reached from the declared dependencies (treated as prod)', 'optional of a package nothing reaches');
  // a long chain and 25,000 packages nothing reaches (the bench, not this test, measures that this stays linear)
  const n = 50_000;
  const chain = Array.from({ length: n }, (_, i) => pkg(`p${i}`, i + 1 < n / 2 ? [`p${i + 1}`] : [], [`p${n - 1 - i}`]));
  chain[0]!.direct = true;
  assignScopes(chain, { declared: [{ app: 'p0', scope: 'prod', runtime: true, reason: 'declared' } as never], graphKnown: true });
  assert.equal(chain[n / 2 - 1]!.scopeReason, 'required by p24998 (prod)');
  assert.equal(chain[n - 1]!.scopeReason, 'optional dependency of p0, not declared by the project (treated as prod)');
});
