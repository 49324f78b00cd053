import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseGleamManifest, readLockfile } from '../../src/lockfiles/index.js';
import type { GitPackage, HexPackage, Package, PathPackage } from '../../src/model.js';
import { corpusDir } from '../helpers/paths.js';
import { assertInputError } from './helpers.js';

const get = (ps: Package[], app: string) => ps.find((p) => p.app === app)!;

test('hex packages: otp_app keys the model, requirements map to apps, outer checksum lowercased', () => {
  const ps = readLockfile(join(corpusDir, 'gleam/gleam-packages/manifest.toml'), 'gleam').packages;
  const hpack = get(ps, 'hpack') as HexPackage;
  assert.deepEqual(
    [hpack.name, hpack.version, hpack.buildTools, hpack.outerChecksum, hpack.innerChecksum, hpack.direct],
    ['hpack_erl', '0.3.0', ['rebar3'], 'd6137d7079169d8c485c6962dfe261af5b9ef60fbc557344511c1e65e3d95fb0', null, false],
  );
  // mist requires the package hpack_erl, i.e. the app hpack.
  assert.ok(get(ps, 'mist').dependencies.includes('hpack'));
  assert.equal(get(ps, 'mist').direct, true);
  assert.equal(get(ps, 'mist').location?.line, 30);
});

test('old manifests with bare-string requirements', () => {
  const ps = readLockfile(join(corpusDir, 'gleam/gleam-packages-2022-01/manifest.toml'), 'gleam').packages;
  assert.deepEqual(ps.filter((p) => p.direct).map((p) => p.app).sort(), ['gleam_elli', 'gleam_erlang', 'gleam_http', 'gleam_stdlib', 'gleeunit']);
  assert.deepEqual(get(ps, 'gleam_elli').dependencies, ['elli', 'gleam_http', 'gleam_otp', 'gleam_stdlib']);
});

test('git and local sources', () => {
  const g = readLockfile(join(corpusDir, 'gleam/gleam-test-project_git_deps/manifest.toml'), 'gleam').packages;
  const std = get(g, 'gleam_stdlib') as GitPackage;
  assert.deepEqual([std.source, std.url, std.rev, std.direct], ['git', 'https://github.com/gleam-lang/stdlib.git', '957b83bbb6103aa0d96c148ce7409243681cf1ab', true]);
  const l = readLockfile(join(corpusDir, 'gleam/gleam-test-project_path_deps-a/manifest.toml'), 'gleam').packages;
  const b = get(l, 'project_b') as PathPackage;
  assert.deepEqual([b.source, b.path, b.version, b.dependencies, b.direct], ['path', '../project_b', '0.1.0', ['project_d'], true]);
  assert.equal(get(l, 'project_d').direct, false);
});

test('empty manifest', () => {
  assert.deepEqual(readLockfile(join(corpusDir, 'gleam/gleam-test-hextarball-empty/manifest.toml'), 'gleam').packages, []);
});

test('errors: TOML syntax, unknown source, bad checksum, all located', () => {
  const check = (text: string, code: string, pattern: RegExp, where: string) =>
    assertInputError(() => parseGleamManifest(text, 'manifest.toml'), code, pattern, `manifest.toml:${where}`);
  check('packages = [\n  { name = "a" \n', 'TOML_PARSE', /./, '');
  check('packages = [\n  { name = "a", version = "1.0.0", source = "svn" },\n]\n', 'LOCK_INVALID', /unknown package source "svn"/, '2:5: a:');
  check('packages = [\n  { name = "a", version = "1.0.0", source = "hex", outer_checksum = "XX" },\n]\n', 'LOCK_INVALID', /64 hexadecimal/, '2:5: a:');
  check('packages = [\n  { name = "a", version = 1, source = "hex" },\n]\n', 'LOCK_INVALID', /version must be a string/, '2:5: a:');
});
