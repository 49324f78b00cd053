import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/paths.js';

const HEX_KEYS = ['app', 'name', 'version', 'source', 'repository', 'outerChecksum', 'innerChecksum', 'buildTools', 'dependencies', 'direct', 'scope', 'scopeReason'];
const UNDECLARED = 'locked, but the project file does not declare it (treated as prod)';

test('deps --json: the contract shape, fixed key order, sorted by app, lowercase checksums', () => {
  const r = runCli(['deps', join(corpusDir, 'mix/mix_sbom-fixture-app_locked'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { project: Record<string, unknown>; packages: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ['project', 'packages']);
  assert.deepEqual(doc.project, {
    name: 'app_name_to_replace',
    version: '0.0.0-dev',
    buildTool: 'mix',
    lockfile: join(corpusDir, 'mix/mix_sbom-fixture-app_locked/mix.lock'),
  });
  const apps = doc.packages.map((p) => p.app as string);
  assert.deepEqual(apps, ['bunt', 'credo', 'expo', 'file_system', 'heroicons', 'jason', 'mime']);
  const credo = doc.packages[1]!;
  assert.deepEqual(Object.keys(credo), HEX_KEYS);
  assert.deepEqual(credo, {
    app: 'credo',
    name: 'credo',
    version: '1.7.0',
    source: 'hex',
    repository: 'hexpm',
    outerChecksum: '6839fcf63d1f0d1c0f450abc8564a57c43d644077ab96f2934563e68b8a769d7',
    innerChecksum: '6119bee47272e85995598ee04f2ebbed3e947678dee048d10b5feca139435f75',
    buildTools: ['mix'],
    dependencies: ['bunt', 'file_system', 'jason'],
    direct: true,
    scope: 'prod',
    scopeReason: UNDECLARED,
  });
  assert.deepEqual(doc.packages[4], {
    app: 'heroicons',
    source: 'git',
    url: 'https://github.com/tailwindlabs/heroicons.git',
    rev: 'ad0ad1f6d51bd64dcd67e363d2b2833a8de25154',
    tag: 'v2.1.5',
    sparse: 'optimized',
    depth: 1,
    dependencies: [],
    direct: true,
    scope: 'prod',
    scopeReason: UNDECLARED,
  });
  assert.equal(doc.packages[0]!.direct, false);
  // Byte-identical across runs.
  assert.equal(runCli(['deps', join(corpusDir, 'mix/mix_sbom-fixture-app_locked'), '--json']).stdout, r.stdout);
});

test('deps --json on rebar.lock: uppercase hashes come out lowercase, level 0 is direct', () => {
  const r = runCli(['deps', join(corpusDir, 'rebar/elvis/rebar.lock'), '--json', '--app-version', '4.1.1']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { project: Record<string, unknown>; packages: Record<string, unknown>[] };
  assert.deepEqual([doc.project.name, doc.project.version, doc.project.buildTool], ['elvis', '4.1.1', 'rebar3']);
  const k = doc.packages.find((p) => p.app === 'katana_code')!;
  assert.equal(k.outerChecksum, '383f0fa811aff4b15c28c8d5d0aebed738a134f9bb62d6c57c66ae100b10affe');
  assert.equal(k.direct, false);
  for (const p of doc.packages) assert.match(String(p.outerChecksum), /^[0-9a-f]{64}$/);
});

test('deps prints a readable table with a summary', () => {
  const r = runCli(['deps', join(corpusDir, 'gleam/gleam-test-project_path_deps-a')]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^project_a 0\.1\.0 \(gleam, .*manifest\.toml\)$/);
  const header = lines.findIndex((l) => l.startsWith('APP'));
  assert.match(lines[header]!, /^APP\s+VERSION\s+SOURCE\s+DIRECT\s+SCOPE\s+DETAILS$/);
  // gleeunit is a [dev_dependencies] entry; gleam_stdlib is only its dependency
  assert.match(lines[header + 2]!, /^gleam_stdlib\s+0\.34\.0\s+hex\s+no\s+dev\s+gleam$/);
  assert.match(lines[header + 3]!, /^gleeunit\s+1\.0\.0\s+hex\s+yes\s+dev\s+gleam$/);
  assert.match(lines[header + 4]!, /^project_b\s+0\.1\.0\s+path\s+yes\s+prod\s+\.\.\/project_b$/);
  assert.match(r.stdout, /5 packages, 3 direct: 2 hex, 0 git, 3 path; 3 prod, 2 dev\n$/);
});

test('the garbage lock: exit 3, one error line with file:line:column, no stack trace', () => {
  const file = join(corpusDir, 'mix/mix_sbom-fixture-broken/mix.lock');
  const r = runCli(['deps', file, '--json']);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `error: ${file}:1:1: unexpected identifier 'invalid': only literal values are allowed here\n`);
});

test('an invalid entry is exit 3; a version only git knows is a warning for deps and an error naming the flag for recipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-deps-'));
  writeFileSync(join(dir, 'mix.lock'), '%{\n  "x": {:hex, :x, "1.0.0", "abc"}\n}\n');
  const bad = runCli(['deps', join(dir, 'mix.lock'), '--app-name', 'a', '--app-version', '1']);
  assert.equal(bad.status, 3);
  assert.equal(bad.stderr, `error: ${join(dir, 'mix.lock')}:2:28: x: inner checksum must be 64 hexadecimal digits (SHA-256), found "abc"\n`);
  rmSync(dir, { recursive: true, force: true });

  const r = runCli(['deps', join(corpusDir, 'rebar/erlang_ls')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^erlang_ls \(version unknown\) \(rebar3, /);
  assert.equal(r.stderr.match(/version statically/g)?.length, 1, 'warned once');
  assert.match(r.stderr, /^warning: .*erlang_ls\.app\.src: cannot read the project version statically: \{vsn, git\}.*; pass --app-version \(shown as unknown\)$/m);
  const json = JSON.parse(runCli(['deps', join(corpusDir, 'rebar/erlang_ls'), '--json']).stdout) as { project: Record<string, unknown> };
  assert.deepEqual([json.project.name, json.project.version], ['erlang_ls', null]);

  // The corpus is not a git checkout, so `git describe` cannot stand in: recipe asks for the flag.
  const out = mkdtempSync(join(tmpdir(), 'beambake-deps-recipe-'));
  try {
    const rec = runCli(['recipe', join(corpusDir, 'rebar/erlang_ls'), '-o', join(out, 'meta-x')]);
    assert.equal(rec.status, 3);
    assert.match(rec.stderr, /^error: .*erlang_ls\.app\.src: cannot read the project version statically: \{vsn, git\}.*; pass --app-version$/m);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a lockfile that is a directory, and a truncated corpus lock: one line naming the file, without Node\'s errno text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-deps-'));
  try {
    mkdirSync(join(dir, 'mix.lock'));
    const r = runCli(['deps', dir]);
    assert.equal(r.status, 4);
    assert.equal(r.stderr, `error: ${join(dir, 'mix.lock')}: cannot read the lockfile: is a directory\n`);
    rmSync(join(dir, 'mix.lock'), { recursive: true });
    writeFileSync(join(dir, 'mix.lock'), readFileSync(join(corpusDir, 'mix/phoenix/mix.lock')).subarray(0, 6000));
    const cut = runCli(['deps', join(dir, 'mix.lock')]);
    assert.equal(cut.status, 3);
    assert.match(cut.stderr, /^error: .*mix\.lock:\d+:\d+: unterminated string\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warnings go to stderr, data to stdout', () => {
  const r = runCli(['deps', join(corpusDir, 'mix/phoenix-integration_test'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  JSON.parse(r.stdout);
  assert.match(r.stderr, /^warning: .*phoenix_live_reload: requires phoenix, which is not in the lock/m);
});

test('old lock forms: null checksums in JSON; --app-name/--app-version stand in for a missing mix.exs', () => {
  const r = runCli(['deps', join(corpusDir, 'mix/phoenix-2014-10-package-tuple/mix.lock'), '--json', '--app-name', 'phoenix', '--app-version', '0.5.0']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { project: Record<string, unknown>; packages: Record<string, unknown>[] };
  assert.deepEqual([doc.project.name, doc.project.version], ['phoenix', '0.5.0']);
  const cowboy = doc.packages.find((p) => p.app === 'cowboy')!;
  assert.deepEqual([cowboy.name, cowboy.version, cowboy.outerChecksum, cowboy.innerChecksum], ['cowboy', '1.0.0', null, null]);
  const missing = runCli(['deps', join(corpusDir, 'mix/phoenix-2014-10-package-tuple/mix.lock'), '--json']);
  assert.equal(missing.status, 0, missing.stderr);
  const bare = JSON.parse(missing.stdout) as { project: Record<string, unknown>; packages: Record<string, unknown>[] };
  assert.deepEqual([bare.project.name, bare.project.version], [null, null]);
  assert.match(missing.stderr, /^warning: .*phoenix-2014-10-package-tuple: cannot read the project name and version statically: no mix\.exs here; pass --app-name and --app-version \(shown as unknown\)$/m);
  // no project file: every scope is unknown, kept as prod and said so
  assert.match(missing.stderr, /^warning: .*scope unknown for cowboy, .*\(no project file declares scopes\); treated as prod$/m);
  assert.ok(bare.packages.every((p) => p.scope === 'prod' && String(p.scopeReason).startsWith('unknown:')));
});

test('deps --help shows examples', () => {
  const r = runCli(['deps', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /--app-version/);
});
