import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { renderLayerConf, renderRecipe, type RenderOptions } from '../../src/bitbake/render.js';
import { releaseInfo } from '../../src/bitbake/releases.js';
import { assignment } from '../../src/bitbake/template.js';
import { gitUrl } from '../../src/bitbake/validate.js';
import type { AppSource } from '../../src/bitbake/appsource.js';
import { BeambakeError } from '../../src/util/errors.js';
import type { Project } from '../../src/model.js';
import { needTools } from '../helpers/toolchain.js';
import { repoRoot } from '../helpers/paths.js';
import { bitbakeGrammarProblems, git, hex, project, tempDir } from './fixtures.js';

const REV = 'fedcba9876543210fedcba9876543210fedcba98';
const gitApp: AppSource = { kind: 'git', url: gitUrl('https://github.com/acme/demo_app.git', { entry: 't', field: 't' }), remote: 'x', rev: REV, branch: 'main' };

function opts(over: Partial<RenderOptions> = {}): RenderOptions {
  return {
    release: releaseInfo('scarthgap'),
    appSource: gitApp,
    license: { license: 'Apache-2.0', spdx: 'Apache-2.0', files: [{ name: 'LICENSE', md5: '0123456789abcdef0123456789abcdef' }], warnings: [] },
    repoUrls: new Map(),
    allowUnpinned: false,
    input: { path: 'mix.lock', sha256: 'c'.repeat(64) },
    beambakeVersion: '9.9.9',
    collection: 'meta-test',
    ...over,
  };
}

function code(fn: () => unknown): BeambakeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BeambakeError, String(e));
    return e;
  }
  assert.fail('no error');
}

/** Lines of a multi-line list assignment `NAME op " \` ... `"`. */
function listItems(text: string, name: string): string[] {
  const m = new RegExp(`^${name.replace(/[[\]]/g, '\\$&')} (?:\\+=|=) " ?\\\\\\n((?:    .* \\\\\\n)*)"$`, 'm').exec(text);
  if (!m) return [];
  return m[1]!.split('\n').filter((l) => l).map((l) => l.replace(/^ {4}/, '').replace(/ \\$/, ''));
}

/**
 * The records as the build scripts' own parser (meta-beam-templates/scripts/beambake_deps/records.py)
 * reads them from the .inc after BitBake's line joining: the contract checked from both ends.
 */
function recordsSeenByBuildScripts(t: TestContext, inc: string): unknown {
  if (!needTools(t, 'python3')) return undefined;
  const script = [
    'import json, re, sys',
    'sys.path.insert(0, sys.argv[1])',
    'from beambake_deps.records import parse_hex_records, parse_git_records',
    'text = re.sub(r"\\\\\\n", "", sys.stdin.read())',
    'val = lambda n: re.search(r"^" + n + r\' = "(.*)"$\', text, re.M).group(1)',
    'print(json.dumps({"hex": parse_hex_records(val("BEAM_HEX_DEPS")), "git": parse_git_records(val("BEAM_GIT_DEPS"))}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, join(repoRoot, 'meta-beam-templates', 'scripts')], { input: inc, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function checkGrammar(t: TestContext, texts: Record<string, string>): void {
  if (!needTools(t, 'python3')) return;
  const dir = tempDir();
  const files = Object.entries(texts).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  assert.equal(bitbakeGrammarProblems(files), '');
}

test('hex and git dependencies become pinned SRC_URI entries, checksums, SRCREVs and records', (t) => {
  const p = project([
    hex('eini_beam', '1.2.9', { name: 'eini', outerChecksum: '1'.repeat(64), innerChecksum: null }),
    hex('jason', '1.4.1', { outerChecksum: '2'.repeat(64), innerChecksum: '3'.repeat(64) }),
    git('heroicons', { url: 'https://github.com/tailwindlabs/heroicons.git', sparse: 'optimized', branch: 'master' }),
    git('umbrella_child', { url: 'git@gitlab.com:acme/mono.git', subdir: 'apps/child', submodules: true }),
  ]);
  const r = renderRecipe(p, opts());
  assert.equal(r.recipePath, 'recipes-beam/demo-app/demo-app_1.2.3.bb');
  assert.equal(r.incPath, 'recipes-beam/demo-app/demo-app-beam-deps.inc');
  assert.deepEqual(listItems(r.inc, 'SRC_URI'), [
    'https://repo.hex.pm/tarballs/eini-1.2.9.tar;downloadfilename=hex-eini-1.2.9.tar;name=hex-eini_beam;unpack=0;subdir=beam-deps/hex',
    'https://repo.hex.pm/tarballs/jason-1.4.1.tar;downloadfilename=hex-jason-1.4.1.tar;name=hex-jason;unpack=0;subdir=beam-deps/hex',
    'git://github.com/tailwindlabs/heroicons.git;protocol=https;branch=master;name=git-heroicons;destsuffix=beam-deps/git/heroicons',
    'gitsm://git@gitlab.com/acme/mono.git;protocol=ssh;nobranch=1;name=git-umbrella_child;destsuffix=beam-deps/git/umbrella_child',
  ]);
  assert.match(r.inc, new RegExp(`^SRC_URI\\[hex-eini_beam.sha256sum\\] = "${'1'.repeat(64)}"$`, 'm'));
  assert.match(r.inc, new RegExp(`^SRC_URI\\[hex-jason.sha256sum\\] = "${'2'.repeat(64)}"$`, 'm'));
  assert.match(r.inc, /^SRCREV_git-heroicons = "0123456789abcdef0123456789abcdef01234567"$/m);
  assert.match(r.inc, /^SRCREV_git-umbrella_child = "0123456789abcdef0123456789abcdef01234567"$/m);
  assert.deepEqual(listItems(r.inc, 'BEAM_HEX_DEPS'), [
    `app=eini_beam,name=eini,version=1.2.9,repo=hexpm,outer=${'1'.repeat(64)},inner=,file=hex-eini-1.2.9.tar`,
    `app=jason,name=jason,version=1.4.1,repo=hexpm,outer=${'2'.repeat(64)},inner=${'3'.repeat(64)},file=hex-jason-1.4.1.tar`,
  ]);
  assert.deepEqual(listItems(r.inc, 'BEAM_GIT_DEPS'), [
    'app=heroicons,rev=0123456789abcdef0123456789abcdef01234567,dir=beam-deps/git/heroicons,sparse=optimized',
    'app=umbrella_child,rev=0123456789abcdef0123456789abcdef01234567,dir=beam-deps/git/umbrella_child,subdir=apps/child',
  ]);
  assert.deepEqual(listItems(r.inc, 'SPDX_PACKAGE_URLS'), [
    'pkg:hex/eini@1.2.9',
    'pkg:hex/jason@1.4.1',
    'pkg:github/tailwindlabs/heroicons@0123456789abcdef0123456789abcdef01234567',
    'pkg:generic/umbrella_child@0123456789abcdef0123456789abcdef01234567?vcs_url=git%2Bssh%3A%2F%2Fgit%40gitlab.com%2Facme%2Fmono.git%400123456789abcdef0123456789abcdef01234567',
  ]);
  // the application's own purl comes first, so create-spdx-3.0 uses it as the recipe's packageUrl
  assert.match(r.recipe, new RegExp(`^SPDX_PACKAGE_URLS = "pkg:github/acme/demo_app@${REV}"$`, 'm'));
  assert.match(r.recipe, /^require demo-app-beam-deps.inc$/m);
  assert.match(r.recipe, /^BEAM_APP = "demo_app"$/m);
  assert.match(r.recipe, /^BEAMBAKE_CLASSES := "\$\{FILE_DIRNAME\}\/\.\.\/\.\.\/classes"$/m);
  assert.match(r.recipe, /^inherit \$\{BEAMBAKE_CLASSES\}\/beambake-mix\.bbclass$/m);
  assert.match(r.recipe, /^HOMEPAGE = "https:\/\/github.com\/acme\/demo_app"$/m);
  assert.match(r.recipe, /^LICENSE = "Apache-2.0"$/m);
  assert.match(r.recipe, /^    file:\/\/LICENSE;md5=0123456789abcdef0123456789abcdef \\$/m);
  assert.match(r.inc, /^BEAM_HEX_DEPS = "\\\n {4}app=eini_beam,/m, 'record list opens exactly as in the contract');
  assert.deepEqual(recordsSeenByBuildScripts(t, r.inc), {
    hex: [
      { app: 'eini_beam', name: 'eini', version: '1.2.9', repo: 'hexpm', outer: '1'.repeat(64), file: 'hex-eini-1.2.9.tar' },
      { app: 'jason', name: 'jason', version: '1.4.1', repo: 'hexpm', outer: '2'.repeat(64), inner: '3'.repeat(64), file: 'hex-jason-1.4.1.tar' },
    ],
    git: [
      { app: 'heroicons', rev: '0123456789abcdef0123456789abcdef01234567', dir: 'beam-deps/git/heroicons', sparse: 'optimized' },
      { app: 'umbrella_child', rev: '0123456789abcdef0123456789abcdef01234567', dir: 'beam-deps/git/umbrella_child', subdir: 'apps/child' },
    ],
  });
  const summary = JSON.parse(/^# beambake-summary: (.*)$/m.exec(r.inc)![1]!);
  assert.deepEqual(summary, r.summary);
  assert.equal(summary.hex, 2);
  assert.equal(summary.git, 2);
  assert.match(r.inc, /^# Input: mix.lock \(sha256 c{64}\) of demo_app 1.2.3 \(mix\)\.$/m);
  checkGrammar(t, { 'demo-app_1.2.3.bb': r.recipe, 'demo-app-beam-deps.inc': r.inc });
});

test('SRCREV_FORMAT holds one name no other SCM name is a substring of', () => {
  const deps = [git('foo_bar'), git('foo'), git('xfoo')];
  const local: AppSource = { kind: 'local', dir: '/srv/app' };
  const withLocal = renderRecipe(project(deps), opts({ appSource: local })).inc;
  assert.match(withLocal, /^SRCREV_FORMAT = "git-foo"$/m);
  const withGit = renderRecipe(project(deps), opts()).inc;
  assert.match(withGit, /^SRCREV_FORMAT = "default"$/m);
  // plain string replacement, as older BitBake does, leaves the format intact
  let format = 'git-foo';
  for (const name of ['git-foo_bar', 'git-xfoo', 'git-foo']) format = format.replace(name, 'REV(' + name + ')');
  assert.equal(format, 'REV(git-foo)');
  const single = renderRecipe(project([git('only')]), opts({ appSource: local })).inc;
  assert.doesNotMatch(single, /SRCREV_FORMAT/);
});

test('organisation and self-hosted repositories map to their own URLs', () => {
  const acme = hex('foo', '1.0.0', { repository: 'hexpm:acme' });
  const r = renderRecipe(project([acme]), opts());
  assert.deepEqual(listItems(r.inc, 'SRC_URI'), [
    'https://repo.hex.pm/repos/acme/tarballs/foo-1.0.0.tar;downloadfilename=hex-hexpm_acme-foo-1.0.0.tar;name=hex-foo;unpack=0;subdir=beam-deps/hex',
  ]);
  assert.deepEqual(listItems(r.inc, 'SPDX_PACKAGE_URLS'), ['pkg:hex/acme/foo@1.0.0']);
  assert.match(r.inc, /repo=hexpm:acme,/);

  const oban = hex('oban_pro', '1.5.0', { repository: 'oban' });
  const e = code(() => renderRecipe(project([oban]), opts()));
  assert.equal(e.code, 'LOCK_UNSUPPORTED');
  assert.match(e.message, /self-hosted Hex repository "oban".*--hex-repo oban=https:\/\/HOST\/PATH/);
  const mapped = renderRecipe(project([oban]), opts({ repoUrls: new Map([['oban', 'https://getoban.pro/repo/']]) }));
  assert.deepEqual(listItems(mapped.inc, 'SRC_URI'), [
    'https://getoban.pro/repo/tarballs/oban_pro-1.5.0.tar;downloadfilename=hex-oban-oban_pro-1.5.0.tar;name=hex-oban_pro;unpack=0;subdir=beam-deps/hex',
  ]);
  assert.deepEqual(listItems(mapped.inc, 'SPDX_PACKAGE_URLS'), ['pkg:hex/oban_pro@1.5.0?repository_url=https%3A%2F%2Fgetoban.pro%2Frepo']);
  const bad = code(() => renderRecipe(project([oban]), opts({ repoUrls: new Map([['oban', 'https://x.pro/a;sha256sum=1']]) })));
  assert.equal(bad.code, 'UNSAFE_VALUE');
});

test('entries without an outer checksum fail with a fix, or are marked loudly with --allow-unpinned', (t) => {
  const p = project([hex('jason', '1.4.1'), hex('poison', '3.1.0', { outerChecksum: null }), hex('plug', '1.3.0', { outerChecksum: null })]);
  const e = code(() => renderRecipe(p, opts()));
  assert.equal(e.code, 'UNPINNED');
  assert.equal(e.exitCode, 3);
  assert.match(e.message, /2 Hex package\(s\) have no outer checksum.*poison 3\.1\.0, plug 1\.3\.0/);
  assert.match(e.message, /mix deps.get.*--vendor.*--allow-unpinned/);
  assert.equal(e.location.entry, 'poison');

  const r = renderRecipe(p, opts({ allowUnpinned: true }));
  assert.match(r.inc, /^# !!! UNPINNED: generated with --allow-unpinned/m);
  assert.match(r.inc, /^# !!!   poison 3\.1\.0 \(hexpm\)$/m);
  assert.match(r.inc, /^BEAMBAKE_UNPINNED = "poison plug"$/m);
  assert.match(r.inc, /^BB_STRICT_CHECKSUM = "0"$/m, "BitBake fetches them with a warning instead of refusing");
  assert.doesNotMatch(r.inc, /hex-poison\.sha256sum/);
  assert.match(r.inc, /hex-jason\.sha256sum/);
  assert.match(r.inc, /app=poison,name=poison,version=3\.1\.0,repo=hexpm,outer=,inner=b{64}/);
  assert.deepEqual(r.summary.unpinned, ['poison', 'plug']);
  checkGrammar(t, { 'x.inc': r.inc });
});

test('path dependencies inside the project are part of its source; outside ones are refused', () => {
  const inside: Project['packages'][number] = { app: 'local_lib', source: 'path', path: 'libs/local_lib', dependencies: [], direct: true };
  assert.equal(renderRecipe(project([inside]), opts()).summary.path, 1);
  for (const path of ['../project_b', '/abs/dir', 'a/../../b']) {
    const e = code(() => renderRecipe(project([{ ...inside, path }]), opts()));
    assert.equal(e.code, 'LOCK_UNSUPPORTED');
    assert.match(e.message, /outside the project/);
  }
});

test('scarthgap, walnascar and wrynose differ where the Yocto migration guides say', () => {
  const deps = [git('dep_a')];
  const sub: AppSource = { ...gitApp, subdir: 'apps/demo_app' } as AppSource;
  const local: AppSource = { kind: 'local', dir: '/srv/src/demo_app' };
  const bb = (rel: string, src: AppSource) => renderRecipe(project(deps), opts({ release: releaseInfo(rel), appSource: src })).recipe;

  assert.match(bb('scarthgap', gitApp), /^S = "\$\{WORKDIR\}\/git"$/m);
  assert.match(bb('walnascar', gitApp), /^S = "\$\{UNPACKDIR\}\/git"$/m);
  assert.match(bb('styhead', gitApp), /^S = "\$\{UNPACKDIR\}\/git"$/m);
  // whinlatter+: the git fetcher unpacks into ${BB_GIT_DEFAULT_DESTSUFFIX} = ${BP}, the default S
  for (const rel of ['whinlatter', 'wrynose']) {
    assert.doesNotMatch(bb(rel, gitApp), /^S = /m);
    assert.match(bb(rel, sub), /^S = "\$\{UNPACKDIR\}\/\$\{BB_GIT_DEFAULT_DESTSUFFIX\}\/apps\/demo_app"$/m);
  }
  assert.match(bb('scarthgap', sub), /^S = "\$\{WORKDIR\}\/git\/apps\/demo_app"$/m);
  assert.match(bb('scarthgap', local), /^S = "\$\{WORKDIR\}\/demo_app"$/m);
  assert.match(bb('wrynose', local), /^S = "\$\{UNPACKDIR\}\/demo_app"$/m);
  assert.match(bb('wrynose', local), /^FILESEXTRAPATHS:prepend := "\/srv\/src:"$/m);
  assert.match(bb('wrynose', local), /^SRC_URI = "file:\/\/demo_app"$/m);

  // the app source always names its branch (or nobranch=1): mandatory from walnascar on
  assert.match(bb('walnascar', gitApp), /^SRC_URI = "git:\/\/github.com\/acme\/demo_app.git;protocol=https;branch=main"$/m);
  const detached = { ...gitApp } as AppSource & { branch?: string };
  delete detached.branch;
  assert.match(bb('walnascar', detached), /^SRC_URI = "git:\/\/github.com\/acme\/demo_app.git;protocol=https;nobranch=1"$/m);

  const conf = (rel: string) => renderLayerConf({ release: releaseInfo(rel), beambakeVersion: '1', collection: 'meta-x' });
  assert.match(conf('scarthgap'), /^LAYERSERIES_COMPAT_meta-x = "scarthgap"$/m);
  assert.match(conf('walnascar'), /^LAYERSERIES_COMPAT_meta-x = "styhead walnascar"$/m);
  assert.match(conf('wrynose'), /^LAYERSERIES_COMPAT_meta-x = "whinlatter wrynose"$/m);
  assert.match(conf('wrynose'), /^LAYERDEPENDS_meta-x = "core erlang-layer"$/m);
  assert.match(conf('wrynose'), /^BBFILE_COLLECTIONS \+= "meta-x"$/m);
  assert.throws(() => releaseInfo('kirkstone'), /unknown Yocto release "kirkstone"/);
});

test('git:// on hosts that dropped the git protocol is fetched over https; the pin is the SRCREV', () => {
  const r = renderRecipe(project([git('bors', { url: 'git://github.com/bors-ng/bors.git' }), git('other', { url: 'git://example.org/x.git' })]), opts());
  assert.deepEqual(listItems(r.inc, 'SRC_URI'), [
    'git://github.com/bors-ng/bors.git;protocol=https;nobranch=1;name=git-bors;destsuffix=beam-deps/git/bors',
    'git://example.org/x.git;protocol=git;nobranch=1;name=git-other;destsuffix=beam-deps/git/other',
  ]);
});

test('rendering is deterministic and extra lines from other modules land in the files', () => {
  const p = project([hex('jason', '1.4.1'), git('dep')]);
  const a = renderRecipe(p, opts());
  const b = renderRecipe(p, opts());
  assert.equal(a.recipe, b.recipe);
  assert.equal(a.inc, b.inc);
  const extra = renderRecipe(p, opts({ extraRecipeLines: [assignment('BEAMBAKE_PROFILE', 'rpi4')], extraIncLines: [assignment('DEPENDS:append', ' openssl')] }));
  assert.match(extra.recipe, /^BEAMBAKE_PROFILE = "rpi4"$/m);
  assert.match(extra.inc, /^DEPENDS:append = " openssl"$/m);
  assert.throws(() => assignment('X', '${@os.system("id")}'), /refusing/);
});

test('a project without licence metadata or file still renders, with the gap visible', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'x'));
  const r = renderRecipe(project([]), opts({ license: { license: 'CLOSED', files: [], warnings: [] } }));
  assert.match(r.recipe, /^LICENSE = "CLOSED"$/m);
  assert.match(r.recipe, /^# No licence file was found/m);
  assert.match(r.inc, /^BEAM_HEX_DEPS = ""$/m);
  assert.doesNotMatch(r.inc, /^SRC_URI/m);
});
