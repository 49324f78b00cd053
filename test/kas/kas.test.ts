/**
 * `beambake kas` output loaded by the real kas, Debian bookworm's 3.1 and a
 * current one from a Debian trixie root: `kas checkout` validates the file
 * against kas's schema, clones every repository at the pinned commit and runs
 * the real oe-core's oe-init-build-env; `kas dump` prints the resolved
 * project. The repositories are local git repositories made from the offline
 * Yocto snapshots (stacks.ts), reached through --repo-url/--repo-commit, and
 * kas runs in a network namespace without network when the test runs as root.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { hasTool, needTools, requireToolchains } from '../helpers/toolchain.js';
import { repoRoot } from '../helpers/paths.js';
import { git, makeStackRepos, snapshotsMissing, trixieKas, trixieKasMissing } from './stacks.js';
import { getProfile } from '../../src/profiles/index.js';
import { KNOWN_COMMITS, LAYERS_REPO, renderKas } from '../../src/kas/render.js';

const work = mkdtempSync(join(tmpdir(), 'bb-kas-'));
after(() => rmSync(work, { recursive: true, force: true }));

const qemu = getProfile('qemuarm64');
const layer = (path: string, recipes: string[] = []) => ({ path, recipes, hexUrlPrefixes: ['https://repo.hex.pm/'] });

/** A layer written by beambake recipe for examples/hello_beam, inside `dir`. */
function helloLayer(dir: string, yocto: string): void {
  const r = runCli(['recipe', join(repoRoot, 'examples', 'hello_beam'), '-o', dir, '--yocto', yocto]);
  assert.equal(r.status, 0, r.stderr);
}

/** PN of the hello_beam recipe in a layer, by BitBake's rule (file name up to the first `_`). */
function helloPn(layerDir: string): string {
  const bb = readdirSync(join(layerDir, 'recipes-beam'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.bb'));
  assert.equal(bb.length, 1);
  return bb[0]!.split('/').pop()!.split('_')[0]!;
}

describe('beambake kas', () => {
  it('pins every repository to a known commit per release, with layer paths relative to the kas root', () => {
    for (const [release, bitbake] of [['scarthgap', '0880963fea4d91a034e4a6e007d23f98658ab986'], ['wrynose', 'fae9db3168dbff1b8c76fe9c6726a9687ff97514']] as const) {
      const r = renderKas({ profile: qemu, yocto: release, layers: [layer('layers/meta-hello', ['hello-beam'])], target: 'core-image-base', distro: 'nodistro' });
      const doc = parse(r.text);
      assert.equal(doc.header.version, 12);
      assert.equal(doc.machine, 'qemuarm64');
      assert.deepEqual(Object.keys(doc.repos), ['bitbake', 'openembedded-core', 'meta-erlang', LAYERS_REPO]);
      assert.equal(doc.repos.bitbake.refspec, bitbake);
      for (const name of ['bitbake', 'openembedded-core', 'meta-erlang']) {
        assert.equal(doc.repos[name].refspec, KNOWN_COMMITS[release][name], `${name} pinned for ${release}`);
        assert.match(doc.repos[name].refspec, /^[0-9a-f]{40}$/);
      }
      assert.deepEqual(doc.repos[LAYERS_REPO], { layers: { 'layers/meta-hello': null } }, 'no url, no path: kas takes the checkout of the kas file');
      assert.match(doc.local_conf_header.beambake, /^IMAGE_INSTALL:append = " hello-beam"$/m);
      assert.doesNotMatch(doc.local_conf_header.beambake, /PREMIRRORS/);
      assert.match(r.text, new RegExp(`^#   meta-erlang: ${KNOWN_COMMITS[release]['meta-erlang']} \\(branch ${release === 'wrynose' ? 'master' : 'scarthgap'}\\)$`, 'm'));
    }
    const twice = () => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [layer('b'), layer('../a', ['x', 'app'])], target: 'core-image-minimal', distro: 'nodistro' }).text;
    assert.equal(twice(), twice());
    assert.deepEqual(Object.keys(parse(twice()).repos[LAYERS_REPO].layers), ['../a', 'b']);
    assert.match(twice(), /IMAGE_INSTALL:append = " app x"/);
  });

  it('refuses a repository without a known commit unless --repo-commit pins it, and bad values', () => {
    const rpi = getProfile('raspberrypi4-64');
    assert.throws(() => renderKas({ profile: rpi, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'poky' }), /the meta-yocto commit for scarthgap \(branch scarthgap\) is not known to beambake; pin it with --repo-commit meta-yocto=SHA/);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'walnascar', layers: [], target: 'core-image-minimal', distro: 'nodistro' }), /the bitbake commit for walnascar \(branch 2\.12\) is not known.*--repo-commit bitbake=SHA/);
    const sha = (c: string) => c.repeat(40);
    const pinned = renderKas({
      profile: rpi,
      yocto: 'scarthgap',
      layers: [],
      target: 'core-image-minimal',
      distro: 'poky',
      repoCommits: [`meta-yocto=${sha('a')}`, `meta-raspberrypi=${sha('b')}`, `openembedded-core=${sha('c')}`],
      repoUrls: ['meta-erlang=file:///srv/git/meta-erlang.git'],
    });
    const doc = parse(pinned.text);
    assert.equal(doc.repos['meta-yocto'].refspec, sha('a'));
    assert.equal(doc.repos['meta-raspberrypi'].refspec, sha('b'));
    assert.equal(doc.repos['openembedded-core'].refspec, sha('c'), '--repo-commit overrides a known commit');
    assert.equal(doc.repos['meta-erlang'].url, 'file:///srv/git/meta-erlang.git');
    assert.deepEqual(pinned.repos.map((r) => r.name), ['bitbake', 'openembedded-core', 'meta-yocto', 'meta-erlang', 'meta-raspberrypi']);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'nodistro', repoCommits: ['bitbake=abc123'] }), /want a full 40-hex-digit commit/);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [], target: 'x\ny: 1', distro: 'nodistro' }), /--target/);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'nodistro', repoUrls: ['bitbake=http://x/"a'] }), /characters/);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'nodistro', repoUrls: ['nope=http://x'] }), /no repository named "nope"/);
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [layer('/abs/meta')], target: 'core-image-minimal', distro: 'nodistro' }), /layer path/);
  });

  it('--mirror writes the PREMIRRORS and BB_FETCH_PREMIRRORONLY lines of docs/vendor.md, for every Hex host of the layers', () => {
    const r = renderKas({
      profile: qemu,
      yocto: 'scarthgap',
      layers: [{ path: 'meta-app', recipes: ['app'], hexUrlPrefixes: ['https://hex.acme.example/', 'https://repo.hex.pm/'] }],
      target: 'core-image-minimal',
      distro: 'nodistro',
      mirror: '/srv/beam-mirror',
    });
    const conf = parse(r.text).local_conf_header.beambake as string;
    assert.match(conf, /^PREMIRRORS:prepend = "\\\n {4}https:\/\/hex\.acme\.example\/\.\* file:\/\/\/srv\/beam-mirror\/ \\\n {4}https:\/\/repo\.hex\.pm\/\.\* file:\/\/\/srv\/beam-mirror\/ \\\n"$/m);
    assert.match(conf, /^BB_FETCH_PREMIRRORONLY = "1"$/m);
    // the same lines docs/vendor.md gives for hex.pm
    const docs = readFileSync(join(repoRoot, 'docs', 'vendor.md'), 'utf8');
    assert.ok(docs.includes('    https://repo.hex.pm/.* file:///srv/beam-mirror/ \\\n'));
    assert.ok(docs.includes('BB_FETCH_PREMIRRORONLY = "1"'));
    assert.throws(() => renderKas({ profile: qemu, yocto: 'scarthgap', layers: [], target: 'core-image-minimal', distro: 'nodistro', mirror: '/srv/a b' }), /mirror path/);
  });

  it('CLI: refuses a layer whose LAYERSERIES_COMPAT does not name --yocto, in one line naming layer.conf and the line; --json summarises', () => {
    const project = join(work, 'cli-project');
    mkdirSync(project, { recursive: true });
    git(project, 'init', '-q');
    const meta = join(project, 'layers', 'meta-hello');
    helloLayer(meta, 'wrynose');
    const out = join(project, 'kas', 'qemu.yml');
    const bad = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '--yocto', 'scarthgap', '--layer', meta, '-o', out]);
    assert.equal(bad.status, 3, bad.stderr);
    const line = readFileSync(join(meta, 'conf', 'layer.conf'), 'utf8').split('\n').findIndex((l) => l.startsWith('LAYERSERIES_COMPAT_')) + 1;
    assert.equal(
      bad.stderr,
      `error: ${join(meta, 'conf', 'layer.conf')}:${line}: LAYERSERIES_COMPAT_meta-hello is "whinlatter wrynose", not scarthgap: regenerate the layer with beambake recipe --yocto scarthgap, or use --yocto wrynose\n`,
    );
    assert.equal(existsSync(out), false);

    const ok = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '--yocto', 'wrynose', '--layer', meta, '-o', out, '--json']);
    assert.equal(ok.status, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout);
    assert.equal(summary.root, realpathSync(project));
    assert.deepEqual(summary.imageInstall, ['hello-beam']);
    assert.equal(helloPn(meta), 'hello-beam', 'the PN BitBake takes from the recipe file name');
    assert.deepEqual(summary.repos.at(-1), { name: LAYERS_REPO, layers: ['layers/meta-hello'] });
    assert.deepEqual(summary.repos.slice(0, 3).map((r: { commit: string }) => r.commit), ['bitbake', 'openembedded-core', 'meta-erlang'].map((n) => KNOWN_COMMITS.wrynose[n]));
    assert.equal(parse(readFileSync(out, 'utf8')).repos[LAYERS_REPO].layers['layers/meta-hello'], null);

    const noMirror = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '--yocto', 'wrynose', '--mirror', join(work, 'no-such-mirror'), '-o', out]);
    assert.equal(noMirror.status, 2, noMirror.stderr);
    assert.match(noMirror.stderr, /^error: --mirror: --mirror .*no-such-mirror: no such directory; fill it with beambake vendor -o .*\n$/);
  });

  for (const stack of ['scarthgap', 'wrynose'] as const) {
    it(`real kas ${hasTool('kas') ? spawnSync('kas', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[1] : '(Debian)'} and kas from Debian trixie check out the ${stack} stack offline at the pinned commits`, (t) => {
      const missing = snapshotsMissing(stack);
      if (missing) {
        if (requireToolchains) throw new Error(missing);
        t.skip(missing);
        return;
      }
      if (!needTools(t, 'kas', 'git', 'tar', 'zstd')) return;
      const base = join(work, `real-${stack}`);
      const repos = makeStackRepos(base, stack);
      // the project that commits the kas file: a git checkout with the generated layer inside
      // and a second layer beside it
      const project = join(base, 'project');
      mkdirSync(project, { recursive: true });
      git(project, 'init', '-q');
      helloLayer(join(project, 'layers', 'meta-hello'), stack);
      helloLayer(join(base, 'meta-beside'), stack);
      const mirror = join(base, 'mirror');
      mkdirSync(mirror);
      const kasFile = join(project, 'kas', `qemu-${stack}.yml`);
      const args = ['kas', '--profile', 'qemuarm64', '--yocto', stack, '--distro', 'nodistro', '--mirror', mirror, '-o', kasFile];
      for (const l of [join(project, 'layers', 'meta-hello'), join(base, 'meta-beside')]) args.push('--layer', l);
      for (const [name, url] of Object.entries(repos.urls)) args.push('--repo-url', `${name}=${url}`, '--repo-commit', `${name}=${repos.commits[name]}`);
      const r = runCli(args);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(Object.keys(parse(readFileSync(kasFile, 'utf8')).repos[LAYERS_REPO].layers), ['../meta-beside', 'layers/meta-hello']);
      // the file is committed, and the project used from another place: paths are relative
      git(project, 'add', '-A');
      git(project, 'commit', '-q', '-m', 'kas file and layers');
      const clone = join(base, 'clone');
      git(base, 'clone', '-q', project, clone);
      cpSync(join(base, 'meta-beside'), join(base, 'meta-beside-for-clone'), { recursive: true });

      const checkResult = (kasWork: string, projectDir: string, what: string) => {
        for (const name of Object.keys(repos.urls)) {
          assert.equal(git(join(kasWork, name), 'rev-parse', 'HEAD'), repos.commits[name], `${what}: ${name} is at the pinned commit`);
        }
        const topdir = join(kasWork, 'build');
        const bblayers = readFileSync(join(topdir, 'conf', 'bblayers.conf'), 'utf8');
        const layers = [...bblayers.matchAll(/\$\{TOPDIR\}(\/[^\s"\\]+)/g)].map((m) => resolve(topdir + m[1])).sort();
        const expected = [join(projectDir, 'layers', 'meta-hello'), join(projectDir, '..', 'meta-beside'), join(kasWork, 'meta-erlang'), join(kasWork, 'openembedded-core', 'meta')].map((p) => resolve(p)).sort();
        assert.deepEqual(layers, expected, `${what}: BBLAYERS holds the two generated layers, meta-erlang and oe-core (not bitbake)`);
        const local = readFileSync(join(topdir, 'conf', 'local.conf'), 'utf8');
        assert.match(local, /^MACHINE \?{0,2}= "qemuarm64"$/m);
        assert.match(local, new RegExp(`^IMAGE_INSTALL:append = " ${helloPn(join(projectDir, 'layers', 'meta-hello'))}"$`, 'm'));
        assert.ok(local.includes(`    https://repo.hex.pm/.* file://${mirror}/ \\\n`), `${what}: the mirror line reaches local.conf`);
        assert.match(local, /^BB_FETCH_PREMIRRORONLY = "1"$/m);
      };

      // Debian's kas (3.1): offline when we can make it so (a network namespace needs root)
      const kasWork = join(base, 'kas-work');
      mkdirSync(kasWork);
      const offline = process.getuid?.() === 0 && hasTool('unshare');
      const env = { KAS_WORK_DIR: kasWork, HOME: base, GIT_CONFIG_NOSYSTEM: '1' };
      const k = spawnSync(offline ? 'unshare' : 'kas', [...(offline ? ['--net', 'kas'] : []), 'checkout', kasFile], { cwd: kasWork, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
      t.diagnostic(`kas ${stack}${offline ? ' (no network)' : ''}: ${k.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      assert.equal(k.status, 0, `kas checkout failed:\n${k.stderr}`);
      checkResult(kasWork, project, 'kas 3.1');

      // kas 4.x from Debian trixie: checkout of the committed file in the clone, then dump
      const why = trixieKasMissing();
      if (why) {
        if (requireToolchains) throw new Error(`${why}, and BEAMBAKE_REQUIRE_TOOLCHAINS=1`);
        t.diagnostic(`newer kas not run: ${why}`);
        return;
      }
      const newWork = join(base, 'kas4-work');
      mkdirSync(newWork);
      const cloneKas = join(clone, 'kas', `qemu-${stack}.yml`);
      const env4 = { KAS_WORK_DIR: newWork, HOME: base, GIT_CONFIG_NOSYSTEM: '1' };
      const version = trixieKas(base, newWork, env4, ['--version']);
      assert.equal(version.status, 0, version.stderr);
      t.diagnostic(`trixie: ${version.stdout.trim() || version.stderr.trim()}`);
      cpSync(join(base, 'meta-beside-for-clone'), join(base, 'meta-beside'), { recursive: true, force: true });
      const k4 = trixieKas(base, newWork, env4, ['checkout', cloneKas]);
      assert.equal(k4.status, 0, `kas 4 checkout failed:\n${k4.stderr}`);
      checkResult(newWork, clone, 'kas 4');
      const dump = trixieKas(base, newWork, env4, ['dump', '--format', 'json', cloneKas]);
      assert.equal(dump.status, 0, `kas dump failed:\n${dump.stderr}`);
      const resolved = JSON.parse(dump.stdout);
      assert.equal(resolved.machine, 'qemuarm64');
      for (const name of Object.keys(repos.urls)) {
        const entry = resolved.repos[name];
        assert.equal(entry.url, repos.urls[name]);
        assert.equal(entry.commit ?? entry.refspec, repos.commits[name], `kas dump: ${name} pinned`);
      }
      assert.deepEqual(Object.keys(resolved.repos[LAYERS_REPO].layers).sort(), ['../meta-beside', 'layers/meta-hello']);
      assert.match(resolved.local_conf_header.beambake, new RegExp(`IMAGE_INSTALL:append = " ${helloPn(join(clone, 'layers', 'meta-hello'))}"`));
    });
  }

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
    const proc = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '-o', '/proc/beambake/board.yml']);
    assert.equal(proc.status, 4, proc.stderr);
    assert.equal(proc.stderr, 'error: /proc/beambake: cannot create directory: no such file or directory\n');
    const onDir = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '-o', dir]);
    assert.equal(onDir.status, 4, onDir.stderr);
    assert.equal(onDir.stderr, `error: ${dir}: cannot write: is a directory\n`);
    assert.deepEqual(readdirSync(dir), ['file']);
  });
});
