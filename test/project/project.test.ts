import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readRootInfo, readRootProject } from '../../src/project/index.js';
import { readProject } from '../../src/lockfiles/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-project-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function unreadable(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BeambakeError, String(e));
    assert.equal(e.code, 'PROJECT_UNREADABLE');
    assert.equal(e.exitCode, 3);
    assert.match(e.message, pattern);
    return true;
  });
}

const mixDirs = (): string[] => {
  const out: string[] = [];
  for (const d of readdirSync(join(corpusDir, 'mix')).sort()) {
    const dir = join(corpusDir, 'mix', d);
    if (existsSync(join(dir, 'mix.exs'))) out.push(dir);
    const apps = join(dir, 'apps');
    if (existsSync(apps)) for (const a of readdirSync(apps).sort()) out.push(join(apps, a));
  }
  return out;
};

test('mix.exs: app and version match what Mix itself evaluates, for every corpus project', (t) => {
  if (!needTools(t, 'elixir')) return;
  const dirs = mixDirs();
  const script =
    'Mix.start(); System.argv() |> Enum.with_index() |> Enum.each(fn {d, i} -> try do ' +
    'Mix.Project.in_project(String.to_atom("beambake_probe_#{i}"), d, fn _ -> c = Mix.Project.config(); ' +
    'IO.puts("P\\t#{d}\\t#{c[:app]}\\t#{c[:version]}\\t#{c[:apps_path]}") end) ' +
    'rescue e -> IO.puts("X\\t#{d}\\t#{e |> Exception.message() |> String.replace("\\n", " ")}") end end)';
  const r = spawnSync('elixir', ['-e', script, ...dirs], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(lines.length, dirs.length);
  let compared = 0;
  for (const [kind, dir, app, version, appsPath] of lines) {
    const info = readRootInfo(dir!, 'mix')!;
    if (kind === 'X') {
      // Mix could not evaluate it either (version() reads a file that is not there): we must not guess.
      assert.equal(info.version, undefined, dir);
      assert.ok(info.problems.some((p) => p.includes('computed when Mix runs')), `${dir}: ${info.problems}`);
      continue;
    }
    assert.equal(info.name ?? '', app, `${dir}: app`);
    assert.equal(info.version ?? '', version, `${dir}: version`);
    if (appsPath) {
      const children = readdirSync(join(dir!, appsPath)).sort();
      assert.equal(info.umbrellaApps?.length, children.length, `${dir}: umbrella apps`);
    }
    compared++;
  }
  t.diagnostic(`${dirs.length} mix.exs files, ${compared} compared with Mix's own evaluation`);
  assert.ok(compared >= 15);
});

test('src/*.app.src: name and vsn match file:consult; {vsn, git} is reported, never guessed', (t) => {
  if (!needTools(t, 'erl')) return;
  const dirs = readdirSync(join(corpusDir, 'rebar'))
    .sort()
    .map((d) => join(corpusDir, 'rebar', d))
    .filter((d) => existsSync(join(d, 'src')));
  const files = dirs.map((d) => join(d, 'src', readdirSync(join(d, 'src')).find((f) => f.endsWith('.app.src'))!));
  const script =
    'lists:foreach(fun(F) -> {ok, [{application, N, P}]} = file:consult(F), ' +
    'io:format("~ts\\t~p\\t~p~n", [F, N, proplists:get_value(vsn, P)]) end, init:get_plain_arguments()), halt().';
  const r = spawnSync('erl', ['-noshell', '-eval', script, '-extra', ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.equal(lines.length, files.length);
  for (const [file, name, vsn] of lines) {
    const info = readRootInfo(dirname(dirname(file!)), 'rebar3')!;
    assert.equal(info.name, name, file);
    if (vsn === 'git' || vsn === '"git"') {
      assert.equal(info.version, undefined, file);
      assert.ok(info.problems.some((p) => p.includes('{vsn, git} takes the version from git')), String(info.problems));
    } else {
      assert.equal(JSON.stringify(info.version), vsn, file);
    }
  }
  t.diagnostic(`${files.length} .app.src files compared with file:consult`);
});

test('gleam.toml: name and version match tomllib', (t) => {
  if (!needTools(t, 'python3')) return;
  const dirs = readdirSync(join(corpusDir, 'gleam')).sort().map((d) => join(corpusDir, 'gleam', d));
  const r = spawnSync(
    'python3',
    ['-c', 'import sys, tomllib\nfor d in sys.argv[1:]:\n  c = tomllib.load(open(d + "/gleam.toml", "rb"))\n  print(d + "\\t" + c["name"] + "\\t" + c["version"])', ...dirs],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  for (const [dir, name, version] of r.stdout.trim().split('\n').map((l) => l.split('\t'))) {
    const info = readRootInfo(dir!, 'gleam')!;
    assert.deepEqual([info.name, info.version], [name, version], dir);
  }
});

test('mix.exs static forms: attributes, literal private functions, expressions refused', () => {
  const head = 'defmodule X.MixProject do\n  use Mix.Project\n';
  const read = (body: string) => readRootInfo(project({ 'mix.exs': head + body + '\nend\n' }), 'mix')!;
  let info = read('  @app :my_app\n  @version "1.2.3"\n  def project do\n    [app: @app, version: @version, deps: deps()]\n  end\n  defp deps do\n    [{:jason, "~> 1.4"}, {:plug, github: "elixir-plug/plug", only: :test}]\n  end');
  assert.deepEqual([info.name, info.version, info.deps], ['my_app', '1.2.3', ['jason', 'plug']]);
  info = read('  def project, do: [app: :a, version: version()]\n  defp version, do: "0.0.1"');
  assert.deepEqual([info.name, info.version], ['a', '0.0.1']);
  info = read('  def project do\n    [app: :a, version: version()]\n  end\n  defp version do\n    "2.0.0"\n  end');
  assert.equal(info.version, '2.0.0');
  info = read('  @version "1.0.0"\n  def project do\n    [app: :a, version: @version <> "-dev"]\n  end');
  assert.equal(info.version, undefined);
  assert.match(info.problems.join(), /version: is an expression, not a literal value/);
  info = read('  def project do\n    [app: :a, version: "VERSION" |> File.read!() |> String.trim()]\n  end');
  assert.equal(info.version, undefined);
  info = read('  def project do\n    [app: :a, version: "#{1 + 1}.0.0"]\n  end');
  assert.equal(info.version, undefined);
  info = read('  def project do\n    [app: :a, version: System.get_env("V")]\n  end');
  assert.match(info.problems.join(), /version: is not a literal value/);
});

test('umbrella: child apps listed, their deps are the root deps, name must be given', () => {
  const dir = project({
    'mix.exs': 'defmodule U.MixProject do\n  use Mix.Project\n  def project, do: [apps_path: "apps", version: "0.3.0", deps: []]\nend\n',
    'apps/web/mix.exs': 'defmodule Web.MixProject do\n  def project, do: [app: :web, version: "0.1.0", deps: [{:core, in_umbrella: true}, {:plug, "~> 1.0"}]]\nend\n',
    'apps/core/mix.exs': 'defmodule Core.MixProject do\n  def project, do: [app: :core, version: "0.1.0", deps: [{:jason, "~> 1.0"}]]\nend\n',
  });
  const info = readRootInfo(dir, 'mix')!;
  assert.deepEqual([info.umbrellaApps, info.deps, info.version], [['core', 'web'], ['jason', 'plug'], '0.3.0']);
  unreadable(() => readRootProject(dir, 'mix'), /umbrella project has no app name of its own \(apps: core, web\); pass --app-name$/);
  const root = readRootProject(dir, 'mix', { appName: 'umbrella' });
  assert.deepEqual([root.name, root.version, root.umbrellaApps], ['umbrella', '0.3.0', ['core', 'web']]);
  rmSync(dir, { recursive: true, force: true });
});

test('rebar3 roots: app.src, app.src.script, relx release, single app under apps/', () => {
  let dir = project({ 'rebar.config': '{deps, [jsx, {cowboy, "2.9.0"}]}.', 'src/foo.app.src': '{application, foo, [{vsn, "1.0.0"}]}.' });
  assert.deepEqual(readRootProject(dir, 'rebar3'), {
    name: 'foo',
    version: '1.0.0',
    projectFile: join(dir, 'src/foo.app.src'),
    deps: ['cowboy', 'jsx'],
    declared: ['cowboy', 'jsx'].map((app) => ({ app, scope: 'prod', runtime: true, reason: '{deps, ...} in rebar.config' })),
  });
  dir = project({ 'rebar.config': '', 'src/foo.app.src': '{application, foo, [{vsn, "1.0.0"}]}.', 'src/foo.app.src.script': 'CONFIG.' });
  unreadable(() => readRootProject(dir, 'rebar3'), /foo\.app\.src\.script may rewrite.*; pass --app-version$/);
  assert.equal(readRootProject(dir, 'rebar3', { appVersion: '9.9.9' }).version, '9.9.9');
  dir = project({ 'src/bar.app.src.script': 'Vsn = os:cmd("git describe"), [{application, bar, [{vsn, Vsn}]}].' });
  assert.equal(readRootInfo(dir, 'rebar3')?.name, 'bar');
  unreadable(() => readRootProject(dir, 'rebar3'), /\.app\.src\.script computes the application resource/);
  dir = project({ 'rebar.config': '{relx, [{release, {roll, "0.1.0"}, [roll, sasl]}]}.' });
  assert.deepEqual([readRootProject(dir, 'rebar3').name, readRootProject(dir, 'rebar3').version], ['roll', '0.1.0']);
  dir = project({ 'rebar.config': '{relx, [{release, {roll, {git, short}}, [roll]}]}.' });
  unreadable(() => readRootProject(dir, 'rebar3'), /relx release roll: \{vsn, git\} takes the version from git/);
  dir = project({ 'rebar.config': '{erl_opts, []}.', 'apps/only/src/only.app.src': '{application, only, [{vsn, "3.1.0"}]}.' });
  assert.deepEqual([readRootProject(dir, 'rebar3').name, readRootProject(dir, 'rebar3').version], ['only', '3.1.0']);
  dir = project({ 'rebar.config': '{erl_opts, [}.' });
  assert.throws(() => readRootProject(dir, 'rebar3'), (e: unknown) => e instanceof BeambakeError && e.code === 'TERM_PARSE');
});

test('options override what is read, and stand in for a missing or broken project file', () => {
  const dir = project({ 'mix.exs': 'defmodule A do\n def project, do: [app: :a, version: "1.0.0"]\nend\n' });
  assert.deepEqual([readRootProject(dir, 'mix', { appVersion: '2.0.0' }).name, readRootProject(dir, 'mix', { appVersion: '2.0.0' }).version], ['a', '2.0.0']);
  const empty = project({});
  unreadable(() => readRootProject(empty, 'gleam'), /no gleam\.toml here; pass --app-name and --app-version/);
  assert.equal(readRootProject(empty, 'gleam', { appName: 'x', appVersion: '1.0.0' }).name, 'x');
  const broken = project({ 'mix.exs': 'defmodule "' });
  assert.equal(readRootProject(broken, 'mix', { appName: 'x', appVersion: '1' }).version, '1');
});

test('readProject: mix.exs deps mark locked packages direct even when another package requires them', async () => {
  const A = 'a'.repeat(64);
  const dir = project({
    'mix.exs': 'defmodule P.MixProject do\n  def project, do: [app: :p, version: "0.1.0", deps: deps()]\n  defp deps, do: [{:plug, "~> 1.0"}, {:mime, "~> 2.0"}]\nend\n',
    'mix.lock': `%{\n  "plug": {:hex, :plug, "1.0.0", "${A}", [:mix], [{:mime, "~> 2.0", [hex: :mime, repo: "hexpm", optional: false]}], "hexpm", "${A}"},\n  "mime": {:hex, :mime, "2.0.0", "${A}", [:mix], [], "hexpm", "${A}"},\n  "telemetry": {:hex, :telemetry, "1.0.0", "${A}", [:rebar3], [], "hexpm", "${A}"},\n}\n`,
  });
  const p = await readProject(dir);
  assert.deepEqual(
    p.packages.map((x) => [x.app, x.direct]),
    [['mime', true], ['plug', true], ['telemetry', true]],
  );
  const only = await readProject(join(dir, 'mix.lock'));
  assert.equal(only.lockfile, join(dir, 'mix.lock'));
  rmSync(dir, { recursive: true, force: true });
});

test('readProject on corpus projects: name, version, sorted packages', async () => {
  const p = await readProject(join(corpusDir, 'mix/nerves_livebook'));
  assert.deepEqual([p.name, p.version, p.buildTool, p.packages.length], ['nerves_livebook', '0.19.5', 'mix', 157]);
  const apps = p.packages.map((x) => x.app);
  assert.deepEqual(apps, [...apps].sort());
  const r = await readProject(join(corpusDir, 'rebar/otel-roll_dice_elli-git_subdir'));
  assert.deepEqual([r.name, r.version, r.buildTool, r.packages.length], ['roll_dice', '0.1.0', 'rebar3', 17]);
  const u = await readProject(join(corpusDir, 'mix/mix_sbom-fixture-umbrella'), { appName: 'umbrella' });
  assert.deepEqual([u.name, u.version, u.umbrellaApps], ['umbrella', '0.0.0-dev', ['child_app_name_to_replace']]);
  const g = await readProject(join(corpusDir, 'gleam/gleam-packages/manifest.toml'));
  assert.deepEqual([g.name, g.version, g.buildTool], ['packages', '1.0.0', 'gleam']);
});

test('detection: directory without anything, unknown file name, mix project without a lock', async () => {
  const empty = project({});
  await assert.rejects(readProject(empty), (e: unknown) => e instanceof BeambakeError && e.code === 'PROJECT_NOT_FOUND');
  const other = project({ 'deps.lock': '' });
  await assert.rejects(readProject(join(other, 'deps.lock')), (e: unknown) => e instanceof BeambakeError && e.code === 'LOCK_UNSUPPORTED');
  await assert.rejects(readProject(join(other, 'missing')), (e: unknown) => e instanceof BeambakeError && e.code === 'IO' && /no such file/.test(e.message));
  const nolock = project({ 'mix.exs': 'defmodule A do\n def project, do: [app: :a, version: "1.0.0"]\nend\n' });
  const p = await readProject(nolock);
  assert.deepEqual([p.packages, p.lockfile], [[], '']);
  assert.match(p.warnings.join(), /no mix\.lock: no dependencies are locked/);
  const both = project({ 'mix.exs': 'defmodule A do\n def project, do: [app: :a, version: "1.0.0"]\nend\n', 'mix.lock': '%{}', 'rebar.lock': '[].' });
  const b = await readProject(both);
  assert.equal(b.buildTool, 'mix');
  assert.match(b.warnings.join(), /holds mix\.lock and rebar\.lock; reading mix\.lock/);
});
