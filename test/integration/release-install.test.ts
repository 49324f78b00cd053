/**
 * scripts/beambake-install-release, the do_install of beambake-release.bbclass, run on real
 * releases: a relx release (directory and `rebar3 tar` archive) of the smallest fixture app and a
 * `mix release` of an Elixir app written here. It checks the installed layout under
 * ${libdir}/<app>, the systemd unit and SysV script, SOURCE_DATE_EPOCH, that the installed copy
 * still starts, and that releases leaking a build path or linking out of the tree are refused
 * with nothing installed.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../helpers/paths.js';
import { hasTool, needTools } from '../helpers/toolchain.js';
import { beamMentions } from './beam-scan.js';
import { failureText, runScript } from './run-script.js';
import { makeTempDir } from '../helpers/temp.js';
import { pathsUnder } from './tree.js';

const EPOCH = 1700000000;
const RELX_TOOLS = ['erl', 'erlc', 'rebar3', 'python3'];
const MIX_TOOLS = ['erl', 'elixir', 'mix', 'python3'];

function install(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return runScript('beambake-install-release', args, { env: { SOURCE_DATE_EPOCH: String(EPOCH), ...env } });
}

describe('beambake-install-release with a relx release', { timeout: 10 * 60_000 }, () => {
  let built: { dir: string; project: string; release: string; tar: string; build: SpawnSyncReturns<string> } | undefined;

  before(() => {
    if (!RELX_TOOLS.every(hasTool)) return;
    const dir = makeTempDir('bb-install-relx-');
    const project = join(dir, 'src', 'bbmin');
    cpSync(join(fixturesDir, 'build', 'rebar3', 'minimal'), project, { recursive: true });
    const env = { ...process.env, HOME: join(dir, 'home'), ERL_COMPILER_OPTIONS: 'deterministic', REBAR_COLOR: 'none' };
    mkdirSync(env.HOME, { recursive: true });
    // `tar` assembles the release too, so one rebar3 run gives both forms.
    const build = spawnSync('rebar3', ['as', 'prod', 'tar'], { cwd: project, encoding: 'utf8', env, timeout: 5 * 60_000 });
    const release = join(project, '_build', 'prod', 'rel', 'bbmin');
    built = { dir, project, release, tar: join(release, 'bbmin-0.1.0.tar.gz'), build };
  });

  function ready(t: Parameters<typeof needTools>[0]): boolean {
    if (!needTools(t, ...RELX_TOOLS)) return false;
    assert.equal(built!.build.status, 0, failureText(built!.build));
    return true;
  }

  it('installs under ${libdir}/<app> with a systemd unit and a SysV script, nothing else', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-full');
    const r = install([
      '--release', built!.release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin', '--forbid', built!.dir,
      '--systemd-unitdir', '/lib/systemd/system', '--sysvinit-dir', '/etc/init.d',
    ]);
    assert.equal(r.status, 0, failureText(r));
    assert.match(r.stdout, /bbmin installed in \/usr\/lib\/bbmin \(start: bin\/bbmin foreground\)/);
    const tree = pathsUnder(dest);
    const outside = tree.filter((p) => !p.startsWith('usr/lib/bbmin/') && !['usr', 'usr/lib', 'usr/lib/bbmin'].includes(p));
    assert.deepEqual(outside, ['etc', 'etc/init.d', 'etc/init.d/bbmin', 'lib', 'lib/systemd', 'lib/systemd/system', 'lib/systemd/system/bbmin.service']);
    const erts = tree.find((p) => /^usr\/lib\/bbmin\/erts-[\d.]+$/.test(p));
    assert.ok(erts, 'the release keeps its ERTS (packaged as ${PN}-erts)');
    for (const p of ['bin/bbmin', 'releases/0.1.0/start.boot', 'releases/0.1.0/vm.args', 'lib/bbmin-0.1.0/ebin/bbmin_app.beam', 'lib/bbmin-0.1.0/ebin/bbmin.app']) {
      assert.ok(tree.includes(`usr/lib/bbmin/${p}`), `missing usr/lib/bbmin/${p}`);
    }
    assert.ok(tree.some((p) => /^usr\/lib\/bbmin\/lib\/kernel-[\d.]+\/ebin\/kernel\.beam$/.test(p)));
    assert.equal(tree.some((p) => p.includes('.beambake-release-')), false, 'no staging directory is left behind');
  });

  it('renders the init files from the templates with the release paths', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-init');
    const r = install([
      '--release', built!.release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin', '--user', 'bbmin',
      '--systemd-unitdir', '/lib/systemd/system', '--sysvinit-dir', '/etc/init.d',
    ]);
    assert.equal(r.status, 0, failureText(r));
    const unit = readFileSync(join(dest, 'lib', 'systemd', 'system', 'bbmin.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/lib\/bbmin\/bin\/bbmin foreground$/m);
    assert.match(unit, /^User=bbmin$/m);
    assert.match(unit, /^RuntimeDirectory=bbmin$/m);
    assert.match(unit, /^Environment=RELX_OUT_FILE_PATH=\/run\/bbmin$/m);
    assert.match(unit, /^\[Install\]\nWantedBy=multi-user\.target$/m);
    assert.doesNotMatch(unit, /@[A-Z_]+@/);
    const initPath = join(dest, 'etc', 'init.d', 'bbmin');
    const init = readFileSync(initPath, 'utf8');
    assert.equal(lstatSync(initPath).mode & 0o777, 0o755);
    assert.match(init, /^# Provides: +bbmin$/m);
    assert.match(init, /^BIN=\/usr\/lib\/bbmin\/bin\/bbmin$/m);
    assert.match(init, /^RUN_AS=bbmin$/m);
    assert.match(init, /-x "\$BIN" -- foreground$/m);
    assert.doesNotMatch(init, /@[A-Z_]+@/);
    const syntax = spawnSync('sh', ['-n', initPath], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    const usage = spawnSync('sh', [initPath, 'bogus'], { encoding: 'utf8' });
    assert.equal(usage.status, 0, 'the script exits quietly when its release is not installed at /usr/lib/bbmin');
  });

  it('writes no init file when both are turned off', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-noinit');
    const r = install(['--release', built!.release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin']);
    assert.equal(r.status, 0, failureText(r));
    assert.deepEqual(readdirSync(dest), ['usr']);
  });

  it('clamps every mtime to SOURCE_DATE_EPOCH and keeps build paths out of every .beam', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-epoch');
    const r = install(['--release', built!.release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin', '--forbid', built!.dir, '--systemd-unitdir', '/lib/systemd/system']);
    assert.equal(r.status, 0, failureText(r));
    const newer = pathsUnder(dest).filter((p) => p.startsWith('usr/lib/bbmin') || p.endsWith('.service')).filter((p) => lstatSync(join(dest, p)).mtimeMs / 1000 > EPOCH);
    assert.deepEqual(newer.filter((p) => p !== 'usr/lib'), []);
    const beams = pathsUnder(dest).filter((p) => p.endsWith('.beam'));
    assert.ok(beams.length > 50, `expected kernel, stdlib and the app, found ${beams.length} .beam files`);
    assert.deepEqual(beams.filter((p) => beamMentions(join(dest, p), built!.dir)), []);
  });

  it('installs from the `rebar3 tar` archive the same tree', (t) => {
    if (!ready(t)) return;
    const fromDir = join(built!.dir, 'image-dir');
    const fromTar = join(built!.dir, 'image-tar');
    assert.equal(install(['--release', built!.release, '--destdir', fromDir, '--libdir', '/usr/lib', '--app', 'bbmin']).status, 0);
    const r = install(['--release-tar', built!.tar, '--destdir', fromTar, '--libdir', '/usr/lib', '--app', 'bbmin']);
    assert.equal(r.status, 0, failureText(r));
    const tarTree = pathsUnder(fromTar);
    // The archive holds the release without the archive itself and with the same code.
    for (const p of pathsUnder(fromDir).filter((x) => x.endsWith('.beam') || x.endsWith('.boot'))) assert.ok(tarTree.includes(p), `${p} missing from the tar install`);
  });

  it('the installed copy starts from its new place', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-run');
    assert.equal(install(['--release', built!.release, '--destdir', dest, '--libdir', '/opt/lib', '--app', 'bbmin']).status, 0);
    const root = join(dest, 'opt', 'lib', 'bbmin');
    const run = spawnSync(join(root, 'bin', 'bbmin'), ['foreground'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: built!.dir } });
    assert.equal(run.status, 0, failureText(run));
    assert.match(run.stdout, new RegExp(`bbmin up from ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/bbmin-0\\.1\\.0`));
  });

  it('refuses a release whose .beam holds a build path, installing nothing', (t) => {
    if (!ready(t)) return;
    const leaky = join(built!.dir, 'leaky-release');
    cpSync(built!.release, leaky, { recursive: true, verbatimSymlinks: true });
    const env = { ...process.env };
    delete env.ERL_COMPILER_OPTIONS;
    // Compiled without `deterministic`: the absolute source path lands in the .beam's compile info.
    const c = spawnSync('erlc', ['-o', join(leaky, 'lib', 'bbmin-0.1.0', 'ebin'), join(built!.project, 'src', 'bbmin_app.erl')], { encoding: 'utf8', env });
    assert.equal(c.status, 0, failureText(c));
    const dest = join(built!.dir, 'image-leaky');
    const r = install(['--release', leaky, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin', '--forbid', built!.dir, '--systemd-unitdir', '/lib/systemd/system']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^beambake-install-release: error: build paths in 1 \.beam file\(s\) of the release: lib\/bbmin-0\.1\.0\/ebin\/bbmin_app\.beam \(/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no traceback');
    assert.deepEqual(pathsUnder(dest), ['usr', 'usr/lib'], 'nothing installed, no init file written');
  });

  it('refuses a dev_mode release (symlinks into the build tree)', (t) => {
    if (!ready(t)) return;
    const linked = join(built!.dir, 'linked-release');
    cpSync(built!.release, linked, { recursive: true, verbatimSymlinks: true });
    rmSync(join(linked, 'lib', 'bbmin-0.1.0'), { recursive: true });
    symlinkSync(join(built!.project, '_build', 'prod', 'lib', 'bbmin'), join(linked, 'lib', 'bbmin-0.1.0'));
    const dest = join(built!.dir, 'image-linked');
    const r = install(['--release', linked, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbmin']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /lib\/bbmin-0\.1\.0 is a symlink to .*, outside the release \(built with dev_mode\?/);
    assert.equal(existsSync(join(dest, 'usr', 'lib', 'bbmin')), false);
  });

  it('rejects names and paths that would leave the image', (t) => {
    if (!ready(t)) return;
    const dest = join(built!.dir, 'image-bad');
    for (const [args, expect] of [
      [['--app', '../etc'], /invalid app name/],
      [['--app', 'bbmin', '--libdir', 'usr/lib'], /--libdir must be an absolute path/],
      [['--app', 'bbmin', '--systemd-unitdir', '/lib/../etc'], /--systemd-unitdir must be an absolute path without '\.\.'/],
      [['--app', 'bbmin', '--user', 'root;reboot'], /invalid user name/],
    ] as const) {
      const r = install(['--release', built!.release, '--destdir', dest, '--libdir', '/usr/lib', ...args]);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, expect);
    }
    assert.equal(existsSync(join(dest, 'etc')), false);
  });
});

/** A one-module Mix project released with plain `mix release` (random releases/COOKIE). */
function mixRelease(prefix: string): { dir: string; release: string } {
  const dir = makeTempDir(prefix);
  const project = join(dir, 'src', 'bb_mix');
  mkdirSync(join(project, 'lib'), { recursive: true });
  writeFileSync(
    join(project, 'mix.exs'),
    'defmodule BbMix.MixProject do\n  use Mix.Project\n  def project, do: [app: :bb_mix, version: "0.2.0", deps: []]\n  def application, do: [extra_applications: [:logger]]\nend\n',
  );
  writeFileSync(join(project, 'lib', 'bb_mix.ex'), 'defmodule BbMix do\n  def hello, do: "hello from bb_mix"\nend\n');
  const release = join(dir, 'release');
  const env = { ...process.env, HOME: join(dir, 'home'), MIX_HOME: join(dir, 'home', '.mix'), MIX_ENV: 'prod', ERL_COMPILER_OPTIONS: 'deterministic' };
  const b = spawnSync('mix', ['release', '--path', release], { cwd: project, encoding: 'utf8', env, timeout: 4 * 60_000 });
  assert.equal(b.status, 0, failureText(b));
  return { dir, release };
}

describe('beambake-install-release with a mix release', { timeout: 5 * 60_000 }, () => {
  it('recognises the Mix start script (`start`, not `foreground`)', (t) => {
    if (!needTools(t, ...MIX_TOOLS)) return;
    const { dir, release } = mixRelease('bb-install-mix-');
    const dest = join(dir, 'image');
    const r = install(['--release', release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bb_mix', '--forbid', dir, '--systemd-unitdir', '/lib/systemd/system']);
    assert.equal(r.status, 0, failureText(r));
    assert.match(r.stdout, /start: bin\/bb_mix start\)/);
    assert.match(readFileSync(join(dest, 'lib', 'systemd', 'system', 'bb_mix.service'), 'utf8'), /^ExecStart=\/usr\/lib\/bb_mix\/bin\/bb_mix start$/m);
    const root = join(dest, 'usr', 'lib', 'bb_mix');
    // A release that brings its own cookie keeps it.
    assert.equal(lstatSync(join(root, 'releases', 'COOKIE')).isFile(), true);
    const run = spawnSync(join(root, 'bin', 'bb_mix'), ['eval', 'IO.puts(BbMix.hello())'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HOME: dir, RELEASE_TMP: join(dir, 'release-tmp') },
    });
    assert.equal(run.status, 0, failureText(run));
    assert.equal(run.stdout.trim(), 'hello from bb_mix');
  });

  it('links releases/COOKIE of a release built without a cookie to one the init files make per device at first start', (t) => {
    if (!needTools(t, ...MIX_TOOLS, 'bwrap', 'od', 'tr')) return;
    const { dir, release } = mixRelease('bb-install-mix-cookie-');
    // What beambake-build-mix leaves when neither BEAM_RELEASE_COOKIE nor `cookie:` is set.
    rmSync(join(release, 'releases', 'COOKIE'));
    const dest = join(dir, 'image');
    const r = install([
      '--release', release, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bb_mix', '--forbid', dir,
      '--systemd-unitdir', '/lib/systemd/system', '--sysvinit-dir', '/etc/init.d',
    ]);
    assert.equal(r.status, 0, failureText(r));
    const root = join(dest, 'usr', 'lib', 'bb_mix');
    assert.equal(readlinkSync(join(root, 'releases', 'COOKIE')), '/var/lib/bb_mix/cookie');
    const unit = readFileSync(join(dest, 'lib', 'systemd', 'system', 'bb_mix.service'), 'utf8');
    const pre = /^ExecStartPre=\/bin\/sh -c "(.*)"$/m.exec(unit);
    assert.ok(pre, unit);
    const init = readFileSync(join(dest, 'etc', 'init.d', 'bb_mix'), 'utf8');
    const block = /^    if \[ ! -s \/var\/lib\/bb_mix\/cookie \]; then\n[\s\S]*?^    fi$/m.exec(init);
    assert.ok(block, init);
    // Both first-start steps, run against a state directory of the test: a 64-hex-digit cookie
    // appears once and is kept on later starts.
    for (const [what, script, env] of [
      ['systemd ExecStartPre', pre[1]!, {}],
      ['SysV start()', block[0], { RUN_AS: String(process.getuid?.() ?? 0) }],
    ] as const) {
      const state = join(dir, `state-${what.split(' ')[0]}`);
      mkdirSync(state);
      const cmd = script.split('/var/lib/bb_mix').join(state);
      const first = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, ...env } });
      assert.equal(first.status, 0, `${what}: ${failureText(first)}`);
      const cookie = readFileSync(join(state, 'cookie'), 'utf8');
      assert.match(cookie, /^[0-9a-f]{64}$/, what);
      assert.equal((statSync(join(state, 'cookie')).mode & 0o777).toString(8), '600', `${what}: only the service user reads it`);
      assert.equal(spawnSync('sh', ['-c', cmd], { env: { ...process.env, ...env } }).status, 0);
      assert.equal(readFileSync(join(state, 'cookie'), 'utf8'), cookie, `${what}: a later start keeps the cookie`);
    }
    // The installed release starts the VM with the device's cookie, read through the link
    // (the state directory bound at /var/lib/bb_mix in a private mount namespace).
    const state = join(dir, 'state-systemd');
    const run = spawnSync(
      'bwrap',
      ['--bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/var/lib', '--bind', state, '/var/lib/bb_mix', '--',
        join(root, 'bin', 'bb_mix'), 'eval', '{:ok, [[c]]} = :init.get_argument(:setcookie); IO.puts(c)'],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: dir, RELEASE_TMP: join(dir, 'release-tmp'), RELEASE_COOKIE: '' } },
    );
    assert.equal(run.status, 0, failureText(run));
    assert.equal(run.stdout.trim(), readFileSync(join(state, 'cookie'), 'utf8'));
  });
});
