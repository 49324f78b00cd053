/**
 * `recipe()` on every lockfile of the shared corpus: the pinnable ones render
 * a layer whose checksums and revisions are exactly the lock's (extracted
 * here from the raw text, independently of the readers), that BitBake's
 * grammar accepts and that is byte-identical across runs; the others fail
 * with the expected error and write nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recipe, type RecipeOptions } from '../../src/bitbake/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { bitbakeGrammarProblems, tempDir } from './fixtures.js';

type Expect = { ok: true } | { code: string; message: RegExp };
interface Case {
  args?: Partial<RecipeOptions>;
  expect: Expect;
}

const named = { appName: 'corpus_app', appVersion: '1.0.0' };
const unpinned = (n: number): Expect => ({ code: 'UNPINNED', message: new RegExp(`^${n} Hex package\\(s\\) have no outer checksum`) });

const CASES: Record<string, Case> = {
  'gleam/gleam-packages-2022-01/manifest.toml': { expect: { ok: true } },
  'gleam/gleam-packages/manifest.toml': { expect: { ok: true } },
  'gleam/gleam-test-hextarball-empty/manifest.toml': { expect: { ok: true } },
  'gleam/gleam-test-project_git_deps/manifest.toml': { expect: { ok: true } },
  'gleam/gleam-test-project_path_deps-a/manifest.toml': { expect: { code: 'LOCK_UNSUPPORTED', message: /path dependency "\.\.\/project_b" lies outside the project/ } },
  'mix/bors-ng-2019-11-6-7-tuple/mix.lock': { args: named, expect: unpinned(57) },
  'mix/bors-ng-2021-03-mixed-6-7-8/mix.lock': { expect: unpinned(5) },
  'mix/bors-ng/mix.lock': { expect: { ok: true } },
  'mix/elixir-ls/mix.lock': { args: { appName: 'elixir_ls', appVersion: '0.29.2' }, expect: { ok: true } },
  'mix/mix_sbom-fixture-app_locked/mix.lock': { expect: { ok: true } },
  'mix/mix_sbom-fixture-broken/mix.lock': { args: named, expect: { code: 'TERM_PARSE', message: /./ } },
  'mix/mix_sbom-fixture-private_repo/mix.lock': { args: { repoUrls: ['0ban=https://getoban.pro/repo'] }, expect: { ok: true } },
  'mix/mix_sbom-fixture-umbrella/mix.lock': { args: { appName: 'umbrella' }, expect: { ok: true } },
  'mix/nerves_livebook/mix.lock': { expect: { ok: true } },
  'mix/otel-opentelemetry_ecto/mix.lock': { expect: { ok: true } },
  'mix/phoenix-2014-01-keyword-list/mix.lock': { args: named, expect: { ok: true } },
  'mix/phoenix-2014-10-package-tuple/mix.lock': { args: named, expect: unpinned(8) },
  'mix/phoenix-2016-05-3-tuple/mix.lock': { args: named, expect: unpinned(12) },
  'mix/phoenix-2016-10-6-tuple/mix.lock': { expect: unpinned(12) },
  'mix/phoenix-2018-02-mixed-6-7-tuple/mix.lock': { args: named, expect: unpinned(13) },
  'mix/phoenix-2020-02-mixed-6-7-tuple/mix.lock': { expect: unpinned(18) },
  'mix/phoenix-installer/mix.lock': { expect: { ok: true } },
  'mix/phoenix-integration_test/mix.lock': { expect: { ok: true } },
  'mix/phoenix/mix.lock': { expect: { ok: true } },
  'mix/renovate-fixture/mix.lock': { expect: { ok: true } },
  'rebar/elvis/rebar.lock': { args: { appVersion: '4.0.0' }, expect: { ok: true } },
  'rebar/emqx-2017-03-nover/rebar.lock': { expect: { ok: true } },
  'rebar/erlang_ls/rebar.lock': { args: { appVersion: '0.52.0' }, expect: { ok: true } },
  'rebar/otel-contrib-root/rebar.lock': { args: named, expect: { ok: true } },
  'rebar/otel-opentelemetry_telemetry/rebar.lock': { args: named, expect: { ok: true } },
  'rebar/otel-roll_dice_elli-git_subdir/rebar.lock': { expect: { ok: true } },
  'rebar/rebar3-2015-10-nover-pkg/rebar.lock': { args: { appVersion: '3.0.0' }, expect: unpinned(8) },
  'rebar/rebar3-testdata/grisp_explode.rebar.lock': { args: named, expect: unpinned(2) },
  'rebar/rebar3-testdata/pkg.rebar.lock': { args: named, expect: unpinned(10) },
  'rebar/rebar3-testdata/rebar.lock': { args: named, expect: { ok: true } },
  'rebar/rebar3-vendor-relx/rebar.lock': { expect: { ok: true } },
  'rebar/rebar3/rebar.lock': { args: named, expect: { ok: true } },
};

function corpusLockfiles(): string[] {
  return readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t')[0]!)
    .filter((p) => /(mix\.lock|rebar\.lock|manifest\.toml)$/.test(p ?? ''))
    .sort();
}

/** Outer checksums and git revisions read straight from the lockfile text. */
function pinsFromText(file: string): { outer: Set<string>; revs: Set<string> } {
  const text = readFileSync(join(corpusDir, file), 'utf8');
  const all = (re: RegExp, t = text) => new Set([...t.matchAll(re)].map((m) => m[1]!.toLowerCase()));
  if (file.endsWith('mix.lock')) {
    return { outer: all(/"[A-Za-z0-9_:]+", "([0-9a-f]{64})"\}/g), revs: all(/\{:git, "[^"]+", "([0-9a-f]{40})"/g) };
  }
  if (file.endsWith('rebar.lock')) {
    const ext = text.indexOf('pkg_hash_ext');
    return { outer: ext < 0 ? new Set() : all(/<<"([0-9A-F]{64})">>/g, text.slice(ext)), revs: all(/\{ref,\s*"([0-9a-f]{40})"\}/g) };
  }
  return { outer: all(/outer_checksum = "([0-9A-Fa-f]{64})"/g), revs: all(/commit = "([0-9a-f]{40})"/g) };
}

function layerFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.set(r, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

test('every corpus lockfile has an expectation', () => {
  assert.deepEqual(corpusLockfiles(), Object.keys(CASES).sort());
});

for (const [file, c] of Object.entries(CASES)) {
  test(`recipe on corpus ${file}`, async (t) => {
    const out = join(tempDir(), 'meta-corpus');
    const opts: RecipeOptions = { path: join(corpusDir, file), outDir: out, ...c.args };
    if (!('ok' in c.expect)) {
      const expect = c.expect;
      await assert.rejects(recipe(opts), (e: unknown) => {
        assert.ok(e instanceof BeambakeError, String(e));
        assert.equal(e.code, expect.code, e.format());
        assert.match(e.message, expect.message);
        assert.doesNotMatch(e.format(), /\n/);
        return true;
      });
      assert.equal(existsSync(out), false, 'nothing written on failure');
      return;
    }
    const result = await recipe(opts);
    const inc = readFileSync(join(out, result.recipe.incPath), 'utf8');
    const bb = readFileSync(join(out, result.recipe.recipePath), 'utf8');

    const pins = pinsFromText(file);
    const checksums = new Set([...inc.matchAll(/^SRC_URI\[hex-[a-z0-9_]+\.sha256sum\] = "([0-9a-f]{64})"$/gm)].map((m) => m[1]!));
    assert.deepEqual([...checksums].sort(), [...pins.outer].sort(), 'SRC_URI checksums are the lock outer checksums');
    const revs = new Set([...inc.matchAll(/^SRCREV_git-[a-z0-9_]+ = "([0-9a-f]{40})"$/gm)].map((m) => m[1]!));
    assert.deepEqual([...revs].sort(), [...pins.revs].sort(), 'SRCREVs are the lock revisions');
    const hexUris = inc.match(/^ {4}https:\/\/[^ ]+;unpack=0;subdir=beam-deps\/hex \\$/gm) ?? [];
    assert.equal(hexUris.length, result.recipe.summary.hex);
    const gitUris = inc.match(/^ {4}git(sm)?:\/\/[^ ]+;(branch=[^;]+|nobranch=1);name=git-[a-z0-9_]+;destsuffix=beam-deps\/git\/[a-z0-9_]+ \\$/gm) ?? [];
    assert.equal(gitUris.length, result.recipe.summary.git);
    assert.equal(result.recipe.summary.unpinned.length, 0);
    assert.match(bb, new RegExp(`^require ${result.recipe.pn}-beam-deps\\.inc$`, 'm'));
    assert.match(bb, /^inherit \$\{BEAMBAKE_CLASSES\}\/beambake-(mix|rebar3|gleam)\.bbclass$/m);

    if (needTools(t, 'python3')) {
      assert.equal(bitbakeGrammarProblems([join(out, result.recipe.incPath), join(out, result.recipe.recipePath), join(out, 'conf', 'layer.conf')]), '');
    }

    // byte-identical when rendered again into another layer of the same name
    const again = join(tempDir(), 'meta-corpus');
    await recipe({ ...opts, outDir: again });
    assert.deepEqual(layerFiles(again), layerFiles(out));
  });
}
