/**
 * Hostile lockfiles: BitBake inline Python, quotes, newlines, smuggled
 * fetcher parameters and path traversal in every field that reaches a
 * recipe. Each must be refused naming the entry, and the existing layer
 * must stay byte for byte as it was, with no trace of the payload anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { recipe } from '../../src/bitbake/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './fixtures.js';

const OUTER = 'b0c823996102bcd0239b3c2444eb00409b72f6a140c1950bc8b457d836b30684';
const INNER = '2e3a008590b0b8d7388c20293e9dcc9cf3e5d642fd2a114e4cbbb52e595d940a';
const REV = '0123456789abcdef0123456789abcdef01234567';
const PAYLOAD = 'PWNED';

function mixExs(app = 'victim', version = '0.1.0'): string {
  return `defmodule Victim.MixProject do\n  use Mix.Project\n  def project, do: [app: :${app}, version: "${version}", deps: []]\nend\n`;
}

function hexEntry(key: string, name: string, version: string, repo = 'hexpm', outer = OUTER): string {
  return `  ${key}: {:hex, ${name}, ${version}, "${INNER}", [:mix], [], ${repo}, ${outer}},`;
}

/** mix.lock bodies, each smuggling the payload through one field. */
const MIX_CASES: Record<string, string> = {
  'inline python in the app key': hexEntry('"${@os.system(\'touch /tmp/PWNED\')}"', ':jason', '"1.4.5"', '"hexpm"', `"${OUTER}"`),
  'inline python in the package name': hexEntry('"jason"', ':"${@os.system(\'PWNED\')}"', '"1.4.5"', '"hexpm"', `"${OUTER}"`),
  'quote and newline in the version': hexEntry('"jason"', ':jason', '"1.4.5\\"\\nSRCREV = \\"PWNED"', '"hexpm"', `"${OUTER}"`),
  'smuggled sha256sum parameter in the version': hexEntry('"jason"', ':jason', '"1.4.5;sha256sum=PWNED"', '"hexpm"', `"${OUTER}"`),
  'hostile repository name': hexEntry('"jason"', ':jason', '"1.4.5"', '"hexpm;name=PWNED"', `"${OUTER}"`),
  'hostile outer checksum': hexEntry('"jason"', ':jason', '"1.4.5"', '"hexpm"', '"PWNED\\";X=\\""'),
  ';sha256sum= smuggled into a git URL': `  "dep": {:git, "https://github.com/a/PWNED.git;sha256sum=${OUTER}", "${REV}", []},`,
  'inline python in a git URL': `  "dep": {:git, "https://github.com/\${@os.system('PWNED')}/b.git", "${REV}", []},`,
  'newline in a git URL': `  "dep": {:git, "https://github.com/a/b.git\\nSRC_URI += \\"file:///PWNED\\"", "${REV}", []},`,
  'file:// git URL': `  "dep": {:git, "file:///etc/PWNED", "${REV}", []},`,
  'abbreviated revision': `  "dep": {:git, "https://github.com/a/b.git", "0123456", [ref: "PWNED"]},`,
  '../ subdir': `  "dep": {:git, "https://github.com/a/b.git", "${REV}", [subdir: "../../PWNED"]},`,
  'absolute sparse path': `  "dep": {:git, "https://github.com/a/b.git", "${REV}", [sparse: "/etc/PWNED"]},`,
  'branch with a parameter separator': `  "dep": {:git, "https://github.com/a/b.git", "${REV}", [branch: "main;destsuffix=/PWNED"]},`,
  'tag with a quote': `  "dep": {:git, "https://github.com/a/b.git", "${REV}", [tag: "v1\\"PWNED"]},`,
};

const REBAR_CASES: Record<string, string> = {
  'rebar3 git URL with a smuggled parameter': `{"1.2.0",[{<<"dep">>,{git,"https://github.com/a/PWNED.git;branch=x",{ref,"${REV}"}},0}]}.\n[].\n`,
  'rebar3 git_subdir escaping the checkout': `{"1.2.0",[{<<"dep">>,{git_subdir,"https://github.com/a/b.git",{ref,"${REV}"},"../PWNED"},0}]}.\n[].\n`,
  'rebar3 package version with inline python': `{"1.2.0",[{<<"dep">>,{pkg,<<"dep">>,<<"\${@PWNED}">>},0}]}.\n[{pkg_hash,[{<<"dep">>,<<"${INNER.toUpperCase()}">>}]},{pkg_hash_ext,[{<<"dep">>,<<"${OUTER.toUpperCase()}">>}]}].\n`,
};

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.set(r, readFileSync(join(d, e.name), 'latin1'));
    }
  };
  walk(dir, '');
  return out;
}

/** A layer that already holds another application's recipe. */
async function existingLayer(): Promise<{ layer: string; before: Map<string, string> }> {
  const root = tempDir();
  const good = join(root, 'good');
  mkdirSync(good);
  writeFileSync(join(good, 'mix.exs'), mixExs('good_app', '2.0.0'));
  writeFileSync(join(good, 'mix.lock'), `%{\n${hexEntry('"jason"', ':jason', '"1.4.5"', '"hexpm"', `"${OUTER}"`)}\n}\n`);
  const layer = join(root, 'meta-victim');
  await recipe({ path: good, outDir: layer });
  return { layer, before: snapshot(layer) };
}

function assertUntouched(layer: string, before: Map<string, string>): void {
  assert.deepEqual(snapshot(layer), before, 'the existing layer is unchanged');
  for (const text of before.values()) assert.doesNotMatch(text, new RegExp(PAYLOAD));
  assert.deepEqual(
    readdirSync(dirname(layer)).filter((n) => n.includes('.tmp-')),
    [],
    'no temporary directories left behind',
  );
}

function project(lockName: string, lock: string): string {
  const dir = tempDir('beambake-hostile-');
  if (lockName === 'mix.lock') writeFileSync(join(dir, 'mix.exs'), mixExs());
  else writeFileSync(join(dir, 'rebar.config'), '{deps, []}.\n');
  if (lockName === 'rebar.lock') {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'victim.app.src'), '{application, victim, [{vsn, "0.1.0"}]}.\n');
  }
  writeFileSync(join(dir, lockName), lock);
  return dir;
}

const cases: [string, string, string][] = [
  ...Object.entries(MIX_CASES).map(([n, body]): [string, string, string] => [n, 'mix.lock', `%{\n${body}\n}\n`]),
  ...Object.entries(REBAR_CASES).map(([n, body]): [string, string, string] => [n, 'rebar.lock', body]),
];

for (const [name, lockName, lock] of cases) {
  test(`hostile lockfile is refused: ${name}`, async () => {
    const { layer, before } = await existingLayer();
    const dir = project(lockName, lock);
    await assert.rejects(recipe({ path: dir, outDir: layer }), (e: unknown) => {
      assert.ok(e instanceof BeambakeError, String(e));
      assert.equal(e.exitCode, 3, `${e.code}: ${e.format()}`);
      assert.ok(['UNSAFE_VALUE', 'LOCK_INVALID', 'LOCK_PARSE', 'TERM_PARSE', 'LOCK_UNSUPPORTED'].includes(e.code), e.code);
      assert.doesNotMatch(e.format(), /\n/, 'one line');
      assert.ok(e.location.entry !== undefined || e.location.line !== undefined, `names the entry or position: ${e.format()}`);
      return true;
    });
    assertUntouched(layer, before);
  });
}

test('the CLI reports a hostile lockfile in one line, exit 3, no stack, layer untouched', async () => {
  const { layer, before } = await existingLayer();
  const dir = project('mix.lock', `%{\n${MIX_CASES[';sha256sum= smuggled into a git URL']}\n}\n`);
  const r = runCli(['recipe', dir, '-o', layer]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^error: .*mix\.lock:2:\d+: dep: url "https:\/\/github.com\/a\/PWNED.git;sha256sum=[0-9a-f]+(\.\.\.)?" contains characters that are not allowed in a git URL\n$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assertUntouched(layer, before);
});

test('hostile command-line values are refused the same way', async () => {
  const { layer, before } = await existingLayer();
  const good = join(dirname(layer), 'good');
  for (const args of [
    ['--app-name', '${@os.system("PWNED")}', '--app-version', '1.0.0', join(good, 'mix.lock')],
    ['--hex-repo', 'hexpm=https://x/;PWNED', good],
    ['--source', 'https://github.com/a/b.git;PWNED', good],
    ['--license', 'MIT" PWNED', good],
  ]) {
    const r = runCli(['recipe', ...args, '-o', layer]);
    assert.ok(r.status === 3 || r.status === 2, `${args.join(' ')}: ${r.status} ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assertUntouched(layer, before);
  }
  assert.equal(existsSync(join(layer, 'recipes-beam', 'good-app', 'good-app_2.0.0.bb')), true);
});
