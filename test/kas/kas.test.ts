/**
 * `beambake kas` output loaded by the real kas: `kas checkout` validates the
 * file against kas's schema, clones every repository at the written branch and
 * runs oe-core's oe-init-build-env (which needs BitBake beside oe-core). The
 * repositories are local git repositories this test creates with the layer
 * structure kas and BitBake expect, reached through --repo-url.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { needTools } from '../helpers/toolchain.js';
import { getProfile } from '../../src/profiles/index.js';
import { renderKas } from '../../src/kas/render.js';

const work = mkdtempSync(join(tmpdir(), 'bb-kas-'));
after(() => rmSync(work, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository holding `files` on `branch`. */
function makeRepo(name: string, branch: string, files: Record<string, string>): string {
  const src = join(work, 'src', name);
  mkdirSync(src, { recursive: true });
  git(src, 'init', '-q');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(src, path, '..'), { recursive: true });
    writeFileSync(join(src, path), text);
    if (path.endsWith('-env') || path.startsWith('bin/')) chmodSync(join(src, path), 0o755);
  }
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', `${name} fixture`);
  git(src, 'branch', '-M', branch);
  const bare = join(work, 'remotes', `${name}.git`);
  git(work, 'clone', '-q', '--bare', src, bare);
  return `file://${bare}`;
}

const layerConf = (collection: string) =>
  `BBPATH .= ":\${LAYERDIR}"\nBBFILE_COLLECTIONS += "${collection}"\nBBFILE_PATTERN_${collection} := "^\${LAYERDIR}/"\n`;

/**
 * oe-core's oe-init-build-env, reduced to what kas relies on: it finds BitBake
 * beside oe-core (scripts/oe-buildenv-internal looks in $OEROOT/bitbake, then
 * $OEROOT/../bitbake), puts it on PATH and creates the build directory's conf/.
 */
const OE_INIT = `#!/bin/sh
OEROOT=$(pwd)
if [ -d "$OEROOT/bitbake" ]; then BITBAKEDIR="$OEROOT/bitbake"; else BITBAKEDIR="$OEROOT/../bitbake"; fi
if [ ! -x "$BITBAKEDIR/bin/bitbake" ]; then echo "The BitBake directory ($BITBAKEDIR) does not exist!" >&2; return 1; fi
BUILDDIR=\${1:-$OEROOT/build}
mkdir -p "$BUILDDIR/conf"
PATH="$BITBAKEDIR/bin:$OEROOT/scripts:$PATH"
BBPATH=$BUILDDIR
export BUILDDIR PATH BBPATH
cd "$BUILDDIR"
`;

describe('beambake kas', () => {
  it('writes format 12 with the profile machine and every repository', () => {
    const text = renderKas({ profile: getProfile('raspberrypi3'), yocto: 'walnascar', layers: ['/opt/meta-app'], target: 'core-image-base', distro: 'poky' });
    const doc = parse(text);
    assert.equal(doc.header.version, 12);
    assert.equal(doc.machine, 'raspberrypi3');
    assert.equal(doc.distro, 'poky');
    assert.equal(doc.target, 'core-image-base');
    assert.deepEqual(Object.keys(doc.repos).sort(), ['beambake-meta-app', 'bitbake', 'meta-erlang', 'meta-raspberrypi', 'meta-yocto', 'openembedded-core']);
    assert.equal(doc.repos.bitbake.refspec, '2.12');
    assert.equal(doc.repos['meta-raspberrypi'].refspec, 'walnascar');
    assert.deepEqual(doc.repos['beambake-meta-app'], { path: '/opt/meta-app' });
    assert.equal(text, renderKas({ profile: getProfile('raspberrypi3'), yocto: 'walnascar', layers: ['/opt/meta-app'], target: 'core-image-base', distro: 'poky' }));
  });

  it('refuses a release whose BSP branch is unknown unless given, and hostile values', () => {
    const p = getProfile('stm32mp1');
    assert.throws(() => renderKas({ profile: p, yocto: 'walnascar', layers: [], target: 'core-image-minimal', distro: 'poky' }), /meta-st-stm32mp branch for walnascar is not known.*--repo-branch/);
    const ok = renderKas({ profile: p, yocto: 'walnascar', layers: [], target: 'core-image-minimal', distro: 'poky', repoBranches: ['meta-st-stm32mp=my-branch'] });
    assert.equal(parse(ok).repos['meta-st-stm32mp'].refspec, 'my-branch');
    assert.throws(() => renderKas({ profile: p, yocto: 'scarthgap', layers: [], target: 'x\ny: 1', distro: 'poky' }), /--target/);
    assert.throws(() => renderKas({ profile: p, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'poky', repoUrls: ['bitbake=http://x/"a'] }), /characters/);
    assert.throws(() => renderKas({ profile: p, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'poky', repoUrls: ['nope=http://x'] }), /no repository named "nope"/);
  });

  it('loads in the real kas: checkout clones every repo at its branch and sets up the build', (t) => {
    if (!needTools(t, 'kas', 'git')) return;
    const release = 'scarthgap';
    const urls = [
      `bitbake=${makeRepo('bitbake', '2.8', { 'bin/bitbake': '#!/bin/sh\necho bitbake fixture\n', 'lib/bb/__init__.py': '' })}`,
      `openembedded-core=${makeRepo('openembedded-core', release, { 'oe-init-build-env': OE_INIT, 'meta/conf/layer.conf': layerConf('core') })}`,
      `meta-yocto=${makeRepo('meta-yocto', release, { 'meta-poky/conf/layer.conf': layerConf('yocto'), 'meta-yocto-bsp/conf/layer.conf': layerConf('yoctobsp') })}`,
      `meta-erlang=${makeRepo('meta-erlang', release, { 'conf/layer.conf': layerConf('erlang-layer') })}`,
      `meta-raspberrypi=${makeRepo('meta-raspberrypi', release, { 'conf/layer.conf': layerConf('raspberrypi') })}`,
    ];
    const appLayer = join(work, 'meta-app');
    mkdirSync(join(appLayer, 'conf'), { recursive: true });
    writeFileSync(join(appLayer, 'conf', 'layer.conf'), layerConf('meta-app'));
    const kasFile = join(work, 'project', 'rpi4.yml');
    const r = runCli(['kas', '--profile', 'raspberrypi4-64', '--yocto', release, '--layer', appLayer, '-o', kasFile, ...urls.flatMap((u) => ['--repo-url', u])]);
    assert.equal(r.status, 0, r.stderr);

    const kasWork = join(work, 'kas-work');
    mkdirSync(kasWork);
    const k = spawnSync('kas', ['checkout', kasFile], {
      cwd: kasWork,
      encoding: 'utf8',
      env: { ...process.env, KAS_WORK_DIR: kasWork, HOME: work, GIT_CONFIG_NOSYSTEM: '1' },
      timeout: 300_000,
    });
    t.diagnostic(`kas: ${k.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    assert.equal(k.status, 0, `kas checkout failed:\n${k.stderr}`);
    for (const [dir, branch] of [['bitbake', '2.8'], ['openembedded-core', release], ['meta-raspberrypi', release], ['meta-erlang', release]] as const) {
      const head = git(join(kasWork, dir), 'rev-parse', 'HEAD');
      const want = git(join(work, 'remotes', `${dir}.git`), 'rev-parse', branch);
      assert.equal(head, want, `${dir} is checked out at ${branch}`);
    }
    const bblayers = readFileSync(join(kasWork, 'build', 'conf', 'bblayers.conf'), 'utf8');
    const topdir = join(kasWork, 'build');
    const layers = [...bblayers.matchAll(/\$\{TOPDIR\}(\/[^\s"\\]+)/g)].map((m) => resolve(topdir + m[1])).sort();
    const expected = [appLayer, ...['meta-erlang', 'meta-raspberrypi', 'meta-yocto/meta-poky', 'openembedded-core/meta'].map((l) => join(kasWork, l))].sort();
    assert.deepEqual(layers, expected, 'BBLAYERS holds exactly the generated layer, meta-erlang, the BSP, meta-poky and oe-core (not bitbake)');
    const local = readFileSync(join(kasWork, 'build', 'conf', 'local.conf'), 'utf8');
    assert.match(local, /^MACHINE \?{0,2}= "raspberrypi4-64"$/m);
    assert.match(local, /^DISTRO \?{0,2}= "poky"$/m);
  });

  it('fails with one line naming the profile when it is unknown', () => {
    const r = runCli(['kas', '--profile', 'no-such-board', '-o', join(work, 'x.yml')]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /no hardware profile named "no-such-board"; known: .*raspberrypi4-64/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('refuses a --layer that is not a layer directory, and an unwritable -o, in one line without writing', () => {
    const dir = mkdtempSync(join(work, 'layers-'));
    const out = join(dir, 'board.yml');
    writeFileSync(join(dir, 'file'), 'x');
    for (const layer of [join(dir, 'meta-typo'), join(dir, 'file'), dir]) {
      const r = runCli(['kas', '--profile', 'raspberrypi4-64', '--layer', layer, '-o', out]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^error: --layer: --layer .*: not a layer directory \(no conf\/layer\.conf\); write it with beambake recipe -o [^\n]*\n$/);
    }
    const proc = runCli(['kas', '--profile', 'raspberrypi4-64', '-o', '/proc/beambake/board.yml']);
    assert.equal(proc.status, 4, proc.stderr);
    assert.equal(proc.stderr, 'error: /proc/beambake: cannot create directory: no such file or directory\n');
    const onDir = runCli(['kas', '--profile', 'raspberrypi4-64', '-o', dir]);
    assert.equal(onDir.status, 4, onDir.stderr);
    assert.equal(onDir.stderr, `error: ${dir}: cannot write: is a directory\n`);
    assert.deepEqual(readdirSync(dir), ['file']);
  });
});
