import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { corpusDir, repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { bitbakeGrammarProblems, gitCheckout, tempDir } from '../bitbake/fixtures.js';

const example = join(repoRoot, 'examples', 'hello_beam');
const bbPath = 'recipes-beam/hello-beam/hello-beam_0.1.0.bb';
const incPath = 'recipes-beam/hello-beam/hello-beam-beam-deps.inc';
const sbomPath = 'recipes-beam/hello-beam/hello-beam.cdx.json';

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.set(r, `${(statSync(join(d, e.name)).mode & 0o777).toString(8)} ${readFileSync(join(d, e.name), 'latin1')}`);
    }
  };
  walk(dir, '');
  return out;
}

test('recipe writes a layer for the bundled example that BitBake grammar accepts, byte-identical across runs', (t) => {
  const layer = join(tempDir(), 'meta-hello');
  const r = runCli(['recipe', example, '-o', layer]);
  assert.equal(r.status, 0, r.stderr);
  // this repository's own checkout may have no remote, or a local-path one (CI clones it from a directory)
  assert.match(r.stderr, /warning: .*so the recipe fetches it as a local directory/);
  assert.match(r.stderr, new RegExp(`wrote ${layer}/${bbPath}, hello-beam-beam-deps\\.inc and hello-beam\\.cdx\\.json \\(4 Hex, 0 git dependencies; Yocto scarthgap\\)`));
  for (const f of ['conf/layer.conf', bbPath, incPath, sbomPath, 'scripts/beambake_deps/__main__.py']) assert.ok(existsSync(join(layer, f)), f);
  const bb = readFileSync(join(layer, bbPath), 'utf8');
  assert.match(bb, /^LICENSE = "MIT"$/m);
  const md5 = /file:\/\/LICENSE;md5=([0-9a-f]{32})/.exec(bb)![1];
  const expected = createHash('md5').update(readFileSync(join(example, 'LICENSE'))).digest('hex');
  assert.equal(md5, expected);
  assert.match(bb, new RegExp(`^FILESEXTRAPATHS:prepend := "${join(repoRoot, 'examples')}:"$`, 'm'));
  const inc = readFileSync(join(layer, incPath), 'utf8');
  assert.match(inc, /^SRC_URI\[hex-telemetry\.sha256sum\] = "928f6495066506077862c0d1646609eed891a4326bee3126ba54b60af61febb1"$/m);
  if (needTools(t, 'python3')) {
    assert.equal(bitbakeGrammarProblems([join(layer, bbPath), join(layer, incPath), join(layer, 'conf', 'layer.conf')]), '');
  }
  // classes and scripts are the templates' files, byte for byte and mode for mode; python caches never travel
  const templates = tree(join(repoRoot, 'meta-beam-templates'));
  for (const [path, content] of tree(layer)) {
    assert.doesNotMatch(path, /__pycache__|\.pyc$/);
    if (/^(scripts|classes|files)\//.test(path)) assert.equal(content, templates.get(path), path);
  }
  for (const path of templates.keys()) {
    if (/^(scripts|classes|files)\//.test(path) && !/__pycache__|\.pyc$/.test(path)) assert.ok(tree(layer).has(path), path);
  }

  const second = join(tempDir(), 'meta-hello');
  assert.equal(runCli(['recipe', example, '-o', second]).status, 0);
  assert.deepEqual(tree(second), tree(layer));
  const before = tree(layer);
  assert.equal(runCli(['recipe', example, '-o', layer]).status, 0);
  assert.deepEqual(tree(layer), before, 'rewriting the same layer changes nothing');
});

test('--check: exit 0 when up to date, exit 1 with a unified diff when stale, and it writes nothing', () => {
  const layer = join(tempDir(), 'meta-hello');
  assert.equal(runCli(['recipe', example, '-o', layer]).status, 0);
  const fresh = runCli(['recipe', example, '-o', layer, '--check']);
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.equal(fresh.stdout, '');
  assert.match(fresh.stderr, /is up to date/);

  const incFile = join(layer, incPath);
  writeFileSync(incFile, readFileSync(incFile, 'utf8').replace('928f6495', '00000000'));
  // an older version of the recipe, and one where beambake used to put recipes (recipes-beam/<app>)
  writeFileSync(join(layer, 'recipes-beam', 'hello-beam', 'hello-beam_0.0.9.bb'), 'SUMMARY = "old"\n');
  mkdirSync(join(layer, 'recipes-beam', 'hello_beam'), { recursive: true });
  writeFileSync(join(layer, 'recipes-beam', 'hello_beam', 'hello_beam_0.0.9.bb'), 'SUMMARY = "old"\n');
  rmSync(join(layer, 'conf', 'layer.conf'));
  const before = tree(layer);
  const stale = runCli(['recipe', example, '-o', layer, '--check']);
  assert.equal(stale.status, 1, stale.stderr);
  assert.match(stale.stderr, /is stale/);
  assert.match(stale.stdout, new RegExp(`^--- a/${incPath}\\n\\+\\+\\+ b/${incPath}\\n@@ -\\d+,\\d+ \\+\\d+,\\d+ @@\\n`, 'm'));
  assert.match(stale.stdout, /^-SRC_URI\[hex-telemetry\.sha256sum\] = "00000000/m);
  assert.match(stale.stdout, /^\+SRC_URI\[hex-telemetry\.sha256sum\] = "928f6495/m);
  // whole files that appear or go are named in one line each, not printed
  assert.match(stale.stdout, /^file recipes-beam\/hello-beam\/hello-beam_0\.0\.9\.bb would be removed: beambake no longer writes it$/m);
  assert.match(stale.stdout, /^file recipes-beam\/hello_beam\/hello_beam_0\.0\.9\.bb would be removed: beambake no longer writes it$/m);
  assert.match(stale.stdout, /^new file conf\/layer\.conf \(\d+ lines\), not in the layer yet$/m);
  assert.deepEqual(tree(layer), before, '--check wrote nothing');

  const json = runCli(['recipe', example, '-o', layer, '--check', '--json']);
  assert.equal(json.status, 1);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.stale, true);
  assert.equal(doc.summary.hex, 4);

  assert.equal(runCli(['recipe', example, '-o', layer]).status, 0);
  assert.equal(existsSync(join(layer, 'recipes-beam', 'hello-beam', 'hello-beam_0.0.9.bb')), false, 'stale recipe version removed');
  assert.equal(existsSync(join(layer, 'recipes-beam', 'hello_beam')), false, 'recipe directory of older beambake removed');
  assert.equal(runCli(['recipe', example, '-o', layer, '--check']).status, 0);
});

test('an existing layer keeps its other recipes, classes and a hand-written layer.conf', () => {
  const layer = join(tempDir(), 'meta-mine');
  mkdirSync(join(layer, 'recipes-other', 'foo'), { recursive: true });
  mkdirSync(join(layer, 'classes'), { recursive: true });
  mkdirSync(join(layer, 'conf'), { recursive: true });
  writeFileSync(join(layer, 'recipes-other', 'foo', 'foo_1.0.bb'), 'SUMMARY = "mine"\n');
  writeFileSync(join(layer, 'classes', 'mine.bbclass'), '# mine\n');
  writeFileSync(join(layer, 'conf', 'layer.conf'), '# my own layer\nBBFILE_COLLECTIONS += "mine"\n');
  const r = runCli(['recipe', example, '-o', layer, '--yocto', 'wrynose']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /layer\.conf was not written by beambake; left as it is/);
  assert.equal(readFileSync(join(layer, 'recipes-other', 'foo', 'foo_1.0.bb'), 'utf8'), 'SUMMARY = "mine"\n');
  assert.equal(readFileSync(join(layer, 'classes', 'mine.bbclass'), 'utf8'), '# mine\n');
  assert.equal(readFileSync(join(layer, 'conf', 'layer.conf'), 'utf8'), '# my own layer\nBBFILE_COLLECTIONS += "mine"\n');
  assert.match(readFileSync(join(layer, bbPath), 'utf8'), /^S = "\$\{UNPACKDIR\}\/hello_beam"$/m);
  assert.equal(runCli(['recipe', example, '-o', layer, '--yocto', 'wrynose', '--check']).status, 0);
});

test('a git checkout is fetched from its remote at HEAD; --branch and subdirectories are honoured', (t) => {
  if (!needTools(t, 'git')) return;
  const files: Record<string, string> = {};
  for (const f of ['mix.exs', 'mix.lock', 'LICENSE', 'lib/hello_beam.ex']) files[`apps/hello/${f}`] = readFileSync(join(example, f), 'utf8');
  const { dir, rev } = gitCheckout('https://github.com/acme/hello.git', files);
  const layer = join(tempDir(), 'meta-git');
  const r = runCli(['recipe', join(dir, 'apps', 'hello'), '-o', layer, '--yocto', 'walnascar', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /HEAD is not on any remote-tracking branch/);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.summary.source, { kind: 'git', url: 'https://github.com/acme/hello.git', rev, branch: 'main', subdir: 'apps/hello' });
  const bb = readFileSync(join(layer, bbPath), 'utf8');
  assert.match(bb, /^SRC_URI = "git:\/\/github.com\/acme\/hello.git;protocol=https;branch=main"$/m);
  assert.match(bb, new RegExp(`^SRCREV = "${rev}"$`, 'm'));
  assert.match(bb, /^S = "\$\{UNPACKDIR\}\/git\/apps\/hello"$/m);
  assert.match(bb, /^HOMEPAGE = "https:\/\/github.com\/acme\/hello"$/m);
  assert.match(bb, new RegExp(`^SPDX_PACKAGE_URLS = "pkg:github/acme/hello@${rev}"$`, 'm'));

  const release = runCli(['recipe', join(dir, 'apps', 'hello'), '-o', layer, '--branch', 'release/1.x']);
  assert.equal(release.status, 0, release.stderr);
  assert.match(readFileSync(join(layer, bbPath), 'utf8'), /;branch=release\/1\.x"$/m);

  const local = runCli(['recipe', join(dir, 'apps', 'hello'), '-o', layer, '--source', join(dir, 'apps', 'hello')]);
  assert.equal(local.status, 0, local.stderr);
  assert.match(local.stderr, /fetches the application from the local directory/);
  assert.match(readFileSync(join(layer, bbPath), 'utf8'), /^SRC_URI = "file:\/\/hello"$/m);

  writeFileSync(join(dir, 'apps', 'hello', 'mix.exs'), readFileSync(join(example, 'mix.exs'), 'utf8') + '\n# local edit\n');
  const dirty = runCli(['recipe', join(dir, 'apps', 'hello'), '-o', layer]);
  assert.match(dirty.stderr, /has uncommitted changes; the recipe pins HEAD/);
});

test('in a clone whose origin is a local path (how CI checks out), recipe falls back to the local source', (t) => {
  if (!needTools(t, 'git')) return;
  const files: Record<string, string> = {};
  for (const f of ['mix.exs', 'mix.lock', 'LICENSE', 'lib/hello_beam.ex']) files[`examples/hello_beam/${f}`] = readFileSync(join(example, f), 'utf8');
  const upstream = gitCheckout('https://github.com/acme/upstream.git', files).dir;
  const clone = join(tempDir(), 'clone');
  const c = spawnSync('git', ['clone', '-q', upstream, clone], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
  const remote = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: clone, encoding: 'utf8' }).stdout.trim();
  assert.equal(remote, upstream, 'the clone\'s origin is the local path it was cloned from');

  const layer = join(tempDir(), 'meta-clone');
  const app = join(clone, 'examples', 'hello_beam');
  const r = runCli(['recipe', app, '-o', layer, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`its remote "origin" \\(${upstream}\\) is not a URL BitBake can fetch, so the recipe fetches it as a local directory`));
  assert.deepEqual(JSON.parse(r.stdout).summary.source, { kind: 'local', dir: app });
  const bb = readFileSync(join(layer, bbPath), 'utf8');
  assert.match(bb, /^SRC_URI = "file:\/\/hello_beam"$/m);
  assert.match(bb, new RegExp(`^FILESEXTRAPATHS:prepend := "${join(clone, 'examples')}:"$`, 'm'));
  assert.doesNotMatch(bb + readFileSync(join(layer, incPath), 'utf8'), new RegExp(upstream));
  assert.equal(runCli(['recipe', app, '-o', layer, '--check']).status, 0);

  // an explicit --source that is not a fetchable git URL is still refused, naming --source, and writes nothing
  const out = join(tempDir(), 'meta-none');
  const bad = runCli(['recipe', app, '-o', out, '--source', `file://${upstream}`]);
  assert.equal(bad.status, 3, bad.stderr);
  assert.match(bad.stderr, /^error: .*--source "file:\/\/.*" uses the scheme "file"/m);
  assert.equal(existsSync(out), false);
});

test('the layer SBOM: CycloneDX 1.6 of what the recipe pins, byte-identical under SOURCE_DATE_EPOCH, covered by --check', () => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const layer = join(tempDir(), 'meta-hello');
  const r = runCli(['recipe', example, '-o', layer, '--json'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).sbom, sbomPath);
  const text = readFileSync(join(layer, sbomPath), 'utf8');
  const doc = JSON.parse(text);
  assert.equal(doc.specVersion, '1.6');
  assert.equal(doc.metadata.timestamp, '2023-11-14T22:13:20Z');
  assert.equal(doc.metadata.component.name, 'hello_beam');
  // every Hex package the .inc pins is a component with the same SHA-256
  const inc = readFileSync(join(layer, incPath), 'utf8');
  const pinned = [...inc.matchAll(/^SRC_URI\[hex-([a-z0-9_]+)\.sha256sum\] = "([0-9a-f]{64})"$/gm)].map((m) => [m[1], m[2]]);
  assert.equal(pinned.length, 4);
  for (const [app, sum] of pinned) {
    const c = doc.components.find((x: { name: string }) => x.name === app);
    assert.ok(c, app);
    assert.ok(c.hashes.some((h: { alg: string; content: string }) => h.alg === 'SHA-256' && h.content === sum), app);
  }
  const check = runCli(['sbom', 'check', join(layer, sbomPath), '--json']);
  assert.equal(JSON.parse(check.stdout).schema.valid, true, check.stdout);

  const again = join(tempDir(), 'meta-hello');
  assert.equal(runCli(['recipe', example, '-o', again], { env }).status, 0);
  assert.equal(readFileSync(join(again, sbomPath), 'utf8'), text);
  assert.equal(runCli(['recipe', example, '-o', layer, '--check'], { env }).status, 0);
  // another build date is another SBOM: --check says so, with a diff of the timestamp only
  const later = runCli(['recipe', example, '-o', layer, '--check'], { env: { SOURCE_DATE_EPOCH: '1800000000' } });
  assert.equal(later.status, 1, later.stderr);
  assert.match(later.stdout, new RegExp(`^--- a/${sbomPath}$`, 'm'));
  const changed = later.stdout.split('\n').filter((l) => /^[-+] /.test(l));
  assert.deepEqual(changed.map((l) => l[0] + /"([a-zA-Z]+)":/.exec(l)![1]), ['-serialNumber', '+serialNumber', '-timestamp', '+timestamp'], changed.join('\n'));
  assert.ok(changed.includes('+    "timestamp": "2027-01-15T08:00:00Z",'), changed.join('\n'));
  rmSync(join(layer, sbomPath));
  const missing = runCli(['recipe', example, '-o', layer, '--check'], { env });
  assert.equal(missing.status, 1);
  assert.equal(missing.stdout, `new file ${sbomPath} (${text.split('\n').length - 1} lines), not in the layer yet\n`);
});

test('recipe --vendor on corpus tarballs: a 7-tuple lock entry becomes pinnable, licences fill the recipe', () => {
  const gpio = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.1.tar');
  const inner = spawnSync('tar', ['-xOf', gpio, 'CHECKSUM'], { encoding: 'latin1' }).stdout.trim().toLowerCase();
  const outer = createHash('sha256').update(readFileSync(gpio)).digest('hex');
  const app = join(tempDir(), 'vendored_app');
  mkdirSync(app);
  writeFileSync(join(app, 'mix.exs'), 'defmodule V.MixProject do\n  use Mix.Project\n  def project, do: [app: :vendored_app, version: "0.2.0"]\nend\n');
  writeFileSync(join(app, 'mix.lock'), `%{\n  "gpio": {:hex, :gpio, "0.6.1", "${inner}", [:rebar3], [], "hexpm"},\n}\n`);
  cpSync(join(example, 'LICENSE'), join(app, 'LICENSE'));
  const layer = join(tempDir(), 'meta-vendored');
  const unpinned = runCli(['recipe', app, '-o', layer]);
  assert.equal(unpinned.status, 3);
  assert.match(unpinned.stderr, /^error: .*mix\.lock:2:\d+: gpio: 1 Hex package\(s\) have no outer checksum.*pass vendored tarballs with --vendor/m);
  assert.equal(existsSync(layer), false);

  const r = runCli(['recipe', app, '-o', layer, '--vendor', join(corpusDir, 'hex', 'swh-gpio')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wrote .*vendored-app_0\.2\.0\.bb, vendored-app-beam-deps\.inc and vendored-app\.cdx\.json \(1 Hex, 0 git dependencies; 1 verified against vendored tarballs; Yocto scarthgap\)/);
  const dir = join(layer, 'recipes-beam', 'vendored-app');
  assert.match(readFileSync(join(dir, 'vendored-app-beam-deps.inc'), 'utf8'), new RegExp(`^SRC_URI\\[hex-gpio\\.sha256sum\\] = "${outer}"$`, 'm'));
  assert.match(readFileSync(join(dir, 'vendored-app_0.2.0.bb'), 'utf8'), /^LICENSE = "MIT & Apache-2\.0"$/m);
  const sbom = JSON.parse(readFileSync(join(dir, 'vendored-app.cdx.json'), 'utf8'));
  const gpioComponent = sbom.components.find((c: { name: string }) => c.name === 'gpio');
  assert.ok(gpioComponent.hashes.some((h: { alg: string; content: string }) => h.alg === 'SHA-256' && h.content === outer));
  assert.ok(gpioComponent.hashes.some((h: { alg: string }) => h.alg === 'SHA-512'));
  assert.equal(runCli(['recipe', app, '-o', layer, '--vendor', join(corpusDir, 'hex', 'swh-gpio'), '--check'], { env: { SOURCE_DATE_EPOCH: '1700000000' } }).status, 0);

  // a vendored file that is not the release the lock names: one line, the package named, exit 1, nothing written
  const bad = join(tempDir(), 'vendor');
  mkdirSync(bad);
  cpSync(join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar'), join(bad, 'gpio-0.6.1.tar'));
  const other = join(tempDir(), 'meta-other');
  const f = runCli(['recipe', app, '-o', other, '--vendor', bad]);
  assert.equal(f.status, 1, f.stderr);
  assert.equal(f.stderr.trim().split('\n').length, 1, f.stderr);
  assert.match(f.stderr, /^error: .*gpio-0\.6\.1\.tar: gpio: hex:gpio@0\.6\.1 failed verification, nothing was written: inner-checksum: inner checksum mismatch/);
  assert.equal(existsSync(other), false);
});

test('usage errors: unknown release, missing -o, bad --hex-repo', () => {
  const layer = join(tempDir(), 'meta-x');
  const rel = runCli(['recipe', example, '-o', layer, '--yocto', 'kirkstone']);
  assert.equal(rel.status, 2);
  assert.match(rel.stderr, /Invalid values/);
  assert.equal(runCli(['recipe', example]).status, 2);
  const repo = runCli(['recipe', example, '-o', layer, '--hex-repo', 'nonsense']);
  assert.equal(repo.status, 2, repo.stderr);
  assert.match(repo.stderr, /--hex-repo wants NAME=URL/);
  assert.equal(existsSync(layer), false);
});

test('the example project copies cleanly (no build artefacts are part of it)', () => {
  const copy = join(tempDir(), 'hello_beam');
  cpSync(example, copy, { recursive: true });
  assert.deepEqual(readdirSync(copy).sort(), ['LICENSE', 'README.md', 'lib', 'mix.exs', 'mix.lock']);
});

test('bad paths are one error line and write nothing: --source that is no directory, -o under /proc, -o below a file', () => {
  const dir = tempDir();
  const layer = join(dir, 'meta-x');
  const oneLine = (r: { stderr: string }) => assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  const source = runCli(['recipe', example, '-o', layer, '--source', join(dir, 'no-such-checkout')]);
  assert.equal(source.status, 2, source.stderr);
  assert.match(source.stderr, /^error: --source: --source .*no-such-checkout: no such directory\n$/);
  const proc = runCli(['recipe', example, '-o', '/proc/beambake-layer']);
  assert.equal(proc.status, 4, proc.stderr);
  assert.match(proc.stderr, /^error: \/proc\/beambake-layer: cannot write: no such file or directory\n$/);
  const deep = runCli(['recipe', example, '-o', '/proc/beambake-none/meta-x']);
  assert.equal(deep.status, 4, deep.stderr);
  oneLine(deep);
  writeFileSync(join(dir, 'plain-file'), 'x');
  const below = runCli(['recipe', example, '-o', join(dir, 'plain-file', 'meta-x')]);
  assert.equal(below.status, 4, below.stderr);
  assert.match(below.stderr, /plain-file.*not a directory/);
  oneLine(below);
  assert.deepEqual(readdirSync(dir), ['plain-file']);
});
