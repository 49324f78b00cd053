import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseMixLock, readLockfile } from '../../src/lockfiles/index.js';
import type { GitPackage, HexPackage, Package } from '../../src/model.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { assertInputError } from './helpers.js';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);
const byApp = (ps: Package[]) => new Map(ps.map((p) => [p.app, p]));
const hex = (ps: Package[], app: string) => byApp(ps).get(app) as HexPackage;
const git = (ps: Package[], app: string) => byApp(ps).get(app) as GitPackage;

const invalid = (text: string, pattern: RegExp, where: string) =>
  assertInputError(() => parseMixLock(text, 'mix.lock'), 'LOCK_INVALID', pattern, `mix.lock:${where}`);

test('all hex tuple forms mixed in one file, app key differing from package name', () => {
  const text = `%{
  "eini_beam": {:hex, :eini, "2.2.4", "${A}", [:rebar3], [], "hexpm", "${B}"},
  "seven": {:hex, :seven, "1.0.0", "${A}", [:mix], [{:eini_beam, "~> 2.0", [hex: :eini, repo: "hexpm", optional: false]}], "hexpm:acme"},
  "six": {:hex, :six, "0.1.0", "${A}", [:rebar, :make], [{:seven, "~> 1.0", [hex: :seven, optional: false]}]},
  "four": {:hex, :four, "1.0.0-rc.0", "${A}"},
  "three": {:hex, :three, "1.0.0"},
  "old": {:package, "0.8.0"},
}`;
  const { packages } = parseMixLock(text, 'mix.lock');
  assert.equal(packages.length, 6);
  const e = hex(packages, 'eini_beam');
  assert.deepEqual(
    [e.name, e.version, e.repository, e.innerChecksum, e.outerChecksum, e.buildTools],
    ['eini', '2.2.4', 'hexpm', A, B.toLowerCase(), ['rebar3']],
  );
  const s7 = hex(packages, 'seven');
  assert.deepEqual([s7.repository, s7.outerChecksum, s7.dependencies], ['hexpm:acme', null, ['eini_beam']]);
  const s6 = hex(packages, 'six');
  assert.deepEqual([s6.repository, s6.buildTools, s6.dependencies], ['hexpm', ['rebar', 'make'], ['seven']]);
  assert.deepEqual([hex(packages, 'four').innerChecksum, hex(packages, 'four').outerChecksum], [A, null]);
  assert.deepEqual([hex(packages, 'three').innerChecksum, hex(packages, 'three').buildTools], [null, []]);
  const old = hex(packages, 'old');
  assert.deepEqual([old.source, old.name, old.version, old.innerChecksum, old.outerChecksum], ['hex', 'old', '0.8.0', null, null]);
  // Required by nobody -> direct; required by another locked package -> transitive.
  assert.deepEqual(
    packages.filter((p) => p.direct).map((p) => p.app).sort(),
    ['four', 'old', 'six', 'three'],
  );
  assert.deepEqual(e.location, { file: 'mix.lock', line: 2, column: 3 });
});

test('an optional edge alone does not make a package transitive; missing optional deps are dropped', () => {
  const text = `%{
  "jason": {:hex, :jason, "1.4.0", "${A}", [:mix], [{:decimal, "~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}, {:nope, "~> 1.0", [hex: :nope, optional: true]}], "hexpm", "${A}"},
  "decimal": {:hex, :decimal, "2.0.0", "${A}", [:mix], [], "hexpm", "${A}"},
}`;
  const { packages, warnings } = parseMixLock(text, 'mix.lock');
  assert.equal(hex(packages, 'decimal').direct, true);
  assert.deepEqual(hex(packages, 'jason').dependencies, ['decimal']);
  assert.deepEqual(warnings, []);
});

test('git options ref/tag/branch/sparse/subdir/depth/submodules; same url+sha twice with different sparse', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const text = `%{
  "heroicons": {:git, "https://github.com/tailwindlabs/heroicons.git", "${sha}", [tag: "v2.1.5", sparse: "optimized", depth: 1]},
  "heroicons_src": {:git, "https://github.com/tailwindlabs/heroicons.git", "${sha}", [tag: "v2.1.5", sparse: "src"]},
  "sub": {:git, "git://example.org/mono.git", "${sha}", [branch: "main", subdir: "apps/sub", submodules: true]},
  "pinned": {:git, "https://example.org/p.git", "${sha}", [ref: "${sha}"]},
  "plain": {:git, "https://example.org/q.git", "${sha}", []},
}`;
  const { packages } = parseMixLock(text, 'mix.lock');
  assert.deepEqual(
    [git(packages, 'heroicons').sparse, git(packages, 'heroicons').depth, git(packages, 'heroicons').tag],
    ['optimized', 1, 'v2.1.5'],
  );
  assert.equal(git(packages, 'heroicons_src').sparse, 'src');
  assert.equal(git(packages, 'heroicons_src').url, git(packages, 'heroicons').url);
  const sub = git(packages, 'sub');
  assert.deepEqual([sub.branch, sub.subdir, sub.submodules, sub.url], ['main', 'apps/sub', true, 'git://example.org/mono.git']);
  assert.equal(git(packages, 'pinned').ref, sha);
  const plain = git(packages, 'plain');
  assert.deepEqual([plain.rev, plain.ref, plain.tag, plain.branch], [sha, undefined, undefined, undefined]);
});

test('structural errors name the file, line:column and the entry', () => {
  invalid(`%{\n  "x": {:hex, :x, "1.0.0", "abc"}}`, /inner checksum must be 64 hexadecimal digits/, '2:28: x:');
  invalid(`%{"x": {:hex, :x, "1.0.0", "${A}", [:mix], [], "hexpm", "${'g'.repeat(64)}"}}`, /outer checksum must be 64 hex/, '1:');
  invalid(`%{"x": {:hex, :x, "1.0.0", "${A}", [:mix]}}`, /3, 4, 6, 7 or 8 elements, found 5/, '1:8: x:');
  invalid(`%{"x": {:hex, :x, "1.0.0", "${A}", [:mix], [], "hexpm", "${A}", "extra"}}`, /found 9/, '1:8: x:');
  invalid(`%{"x": {:hg, "u", "r", []}}`, /unknown lock source :hg/, '1:9: x:');
  invalid(`%{"x": {:git, "u", "r"}}`, /4 elements/, '1:8: x:');
  invalid(`%{"x": {:git, "u", "r", [depth: "1"]}}`, /depth must be a positive integer/, '1:');
  invalid(`%{"x": {:hex, :x, 1}}`, /version must be a string, found the integer 1/, '1:19: x:');
  invalid(`%{"x": "1.0.0"}`, /must be a tuple/, '1:8: x:');
  invalid(`%{"x": {:package, "1"}, "x": {:package, "2"}}`, /duplicate entry for x/, '1:');
  invalid(`{:ok}`, /must be a map/, '1:1');
});

test('odd values never crash the reader: they are kept for the renderer to judge', () => {
  const text = `%{"x": {:git, "https://e.org/\${@os.system('id')}.git", "not-a-sha;x", [branch: "a\\nb"]}}`;
  const p = git(parseMixLock(text, 'mix.lock').packages, 'x');
  assert.equal(p.url, "https://e.org/${@os.system('id')}.git");
  assert.equal(p.branch, 'a\nb');
});

test('corpus: the 2014 keyword-list lock and the {:package, vsn} lock', () => {
  const kw = readLockfile(join(corpusDir, 'mix/phoenix-2014-01-keyword-list/mix.lock'), 'mix').packages;
  assert.deepEqual(kw.map((p) => p.app).sort(), ['cowboy', 'cowlib', 'plug', 'ranch']);
  assert.deepEqual([git(kw, 'cowlib').ref, git(kw, 'cowlib').url], ['0.4.0', 'git://github.com/extend/cowlib.git']);

  const pk = readLockfile(join(corpusDir, 'mix/phoenix-2014-10-package-tuple/mix.lock'), 'mix').packages;
  assert.equal(pk.length, 9);
  const cowboy = hex(pk, 'cowboy');
  assert.deepEqual([cowboy.name, cowboy.version, cowboy.outerChecksum, cowboy.innerChecksum], ['cowboy', '1.0.0', null, null]);
  assert.equal(git(pk, 'websocket_client').rev, '2b8d9805306d36f22330f432ae6472f1f2625c30');
});

test('corpus: the private repository entry keeps its repo name', () => {
  const ps = readLockfile(join(corpusDir, 'mix/mix_sbom-fixture-private_repo/mix.lock'), 'mix').packages;
  assert.equal(hex(ps, 'oban_pro').repository, '0ban');
});

test('corpus: the garbage lock fails with one TERM_PARSE line', () => {
  const file = join(corpusDir, 'mix/mix_sbom-fixture-broken/mix.lock');
  assert.throws(
    () => readLockfile(file, 'mix'),
    (e: unknown) => {
      assert.ok(e instanceof BeambakeError);
      assert.equal(e.code, 'TERM_PARSE');
      assert.equal(e.format(), `${file}:1:1: unexpected identifier 'invalid': only literal values are allowed here`);
      return true;
    },
  );
});

test('hostile names with newlines stay on one error line', () => {
  invalid('%{"a\\nb": {:hg, "u"}}', /unknown lock source :hg/, '1:12: a\\u000ab:');
  invalid('%{"x": {:"evil\\nsource", "u"}}', /unknown lock source :evil\\u000asource/, '1:9: x:');
});
