/**
 * The layer's dependency unpack step (meta-beam-templates/scripts/beambake_deps), run exactly as
 * do_beam_unpack_deps runs it: on every real Hex tarball of the corpus, on hostile tarballs
 * built here (each one must stop the step with the package named and nothing placed), on git
 * checkouts, and the build-path scanner used after releases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { assembleHexTarball, createHexTarball, gzipDeterministic, readHexTarball } from '../../src/hex/tarball.js';
import { encodeMetadata } from '../../src/hex/metadata.js';
import { writeTar, type TarWriteEntry } from '../../src/hex/tar.js';
import { hexDownloadFilename, HEX_SUBDIR } from '../../src/bitbake/names.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { fixtureGit } from './hex-fixtures.js';
import { runScript, unpackDeps } from './run-script.js';
import { makeTempDir } from '../helpers/temp.js';
import { pathsUnder } from './tree.js';

interface Dep {
  app: string;
  name: string;
  version: string;
  outer: string;
  inner: string;
  file: string;
}

function record(d: Dep): string {
  return `app=${d.app},name=${d.name},version=${d.version},repo=hexpm,outer=${d.outer},inner=${d.inner},file=${d.file}`;
}

function runDeps(args: string[]) {
  return runScript('beambake_deps', args);
}

/** A fresh unpack dir holding `tarballs` where the recipe's SRC_URI puts them, and an empty project. */
function stage(tarballs: { name: string; version: string; data: Buffer }[]): { src: string; project: string; deps: Dep[] } {
  const dir = makeTempDir('bb-unpack-');
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'project');
  mkdirSync(join(src, ...HEX_SUBDIR.split('/')), { recursive: true });
  mkdirSync(project);
  const deps = tarballs.map(({ name, version, data }) => {
    const file = hexDownloadFilename({ name, version, repository: 'hexpm' });
    writeFileSync(join(src, ...HEX_SUBDIR.split('/'), file), data);
    return { app: name, name, version, outer: createHash('sha256').update(data).digest('hex'), inner: '', file };
  });
  return { src, project, deps };
}

function unpack(s: { src: string; project: string }, records: string, extra: string[] = []) {
  return unpackDeps('mix', { hex: records }, s, { extra });
}

describe('beambake_deps unpack over every real Hex tarball in the corpus', () => {
  const tars = readdirSync(join(corpusDir, 'hex'))
    .flatMap((d) => readdirSync(join(corpusDir, 'hex', d)).filter((f) => f.endsWith('.tar')).map((f) => join(corpusDir, 'hex', d, f)))
    .sort();

  it('finds the corpus tarballs', () => {
    assert.ok(tars.length >= 5, `expected the corpus Hex tarballs, found ${tars.length}`);
  });

  for (const path of tars) {
    it(`unpacks ${basename(path)} byte for byte, with the checks passing`, async (t) => {
      if (!needTools(t, 'python3')) return;
      const m = /^(.+)-(\d+\.\d+\.\d+.*)\.tar$/.exec(basename(path))!;
      const [name, version] = [m[1]!, m[2]!];
      const reference = await readHexTarball(path, { keep: () => true });
      const s = stage([{ name, version, data: readFileSync(path) }]);
      const dep = { ...s.deps[0]!, inner: reference.innerChecksum };
      const r = unpack(s, record(dep));
      assert.equal(r.status, 0, r.stderr);
      const dest = join(s.project, 'deps', name);
      for (const f of reference.files) {
        const p = join(dest, f.path);
        if (f.type === 'directory') assert.ok(statSync(p).isDirectory(), f.path);
        else if (f.type === 'file') {
          assert.deepEqual(readFileSync(p), reference.contents.get(f.path), `${f.path} content`);
          assert.equal((statSync(p).mode & 0o111) !== 0, (f.mode & 0o111) !== 0, `${f.path} exec bit`);
        }
      }
      const marker = readFileSync(join(dest, '.beambake-hex'), 'utf8');
      assert.match(marker, new RegExp(`^outer=${dep.outer}$`, 'm'));
      assert.match(marker, new RegExp(`^inner=${reference.innerChecksum}$`, 'm'));

      // The same real tarball under a record that pins something else is refused.
      const wrongVersion = unpack(stage([{ name, version, data: readFileSync(path) }]), record({ ...dep, version: '9.9.9' }));
      assert.equal(wrongVersion.status, 1);
      assert.match(wrongVersion.stderr, new RegExp(`metadata.config version is '${version.replace(/\./g, '\\.')}', the lock says '9\\.9\\.9'`));
      const wrongInner = unpack(s, record({ ...dep, inner: '0'.repeat(64) }));
      assert.equal(wrongInner.status, 1);
      assert.match(wrongInner.stderr, new RegExp(`^beambake-deps: error: ${name} \\(${name}-${version.replace(/\./g, '\\.')}\\): inner checksum mismatch: lock pins 0{64}`, 'm'));
    });
  }
});

/** A Hex tarball whose contents.tar.gz holds exactly `entries` (hostile ones included). */
function hostile(entries: TarWriteEntry[], opts: { version?: string; name?: string; metadata?: string } = {}): Buffer {
  const contents = gzipDeterministic(writeTar(entries));
  const metadata = opts.metadata ?? encodeMetadata({ name: opts.name ?? 'evil', version: '1.0.0', build_tools: ['mix'], licenses: ['MIT'] }, entries.map((e) => e.path));
  return assembleHexTarball(metadata, contents, { version: opts.version }).tarball;
}

/** Incompressible bytes, deterministic (so the gzip of contents stays large). */
function randomish(n: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 64 < n; i++) out.push(createHash('sha512').update(String(i)).digest());
  return Buffer.concat(out).subarray(0, n);
}

const file = (path: string, content = 'x', mode = 0o644): TarWriteEntry => ({ path, content: Buffer.from(content), mode });

describe('beambake_deps unpack refuses hostile tarballs, naming the package, placing nothing', () => {
  const cases: { title: string; tarball: () => Buffer; expect: RegExp; extra?: string[] }[] = [
    { title: 'absolute path', tarball: () => hostile([file('mix.exs'), file('/tmp/evil')]), expect: /'\/tmp\/evil' has an absolute path/ },
    { title: '.. in a path', tarball: () => hostile([file('lib/../../evil')]), expect: /leaves the package directory/ },
    { title: 'symlink out of the tree', tarball: () => hostile([file('mix.exs'), { path: 'lib/up', type: 'symlink', linkname: '../../outside' }]), expect: /symlink 'lib\/up' -> '..\/..\/outside' points outside/ },
    { title: 'absolute symlink', tarball: () => hostile([{ path: 'passwd', type: 'symlink', linkname: '/etc/passwd' }]), expect: /points outside/ },
    {
      title: 'symlink chain that escapes only when followed',
      tarball: () => hostile([{ path: 'd/l1', type: 'symlink', linkname: '..' }, { path: 'd/l2', type: 'symlink', linkname: 'l1/..' }]),
      expect: /symlink 'd\/l2' -> 'l1\/..' points outside/,
    },
    { title: 'file written through a symlink', tarball: () => hostile([{ path: 'lib', type: 'symlink', linkname: '.' }, file('lib/x.ex')]), expect: /'lib\/x.ex' lies under link 'lib'/ },
    { title: 'hard link out of the tree', tarball: () => hostile([file('a'), { path: 'b', type: 'hardlink', linkname: '../../etc/passwd' }]), expect: /leaves the package directory/ },
    { title: 'hard link to nothing earlier', tarball: () => hostile([{ path: 'b', type: 'hardlink', linkname: 'a' }, file('a')]), expect: /hard link 'b' points to 'a'/ },
    { title: 'character device', tarball: () => hostile([{ path: 'tty', type: 'chardev' }]), expect: /'tty' is a character device/ },
    { title: 'block device', tarball: () => hostile([{ path: 'sda', type: 'blockdev' }]), expect: /'sda' is a block device/ },
    { title: 'fifo', tarball: () => hostile([{ path: 'pipe', type: 'fifo' }]), expect: /'pipe' is a fifo/ },
    { title: 'duplicate entry', tarball: () => hostile([file('lib/a.ex', 'one'), file('lib/a.ex', 'two')]), expect: /'lib\/a.ex' appears twice/ },
    { title: 'duplicate after ./ normalisation', tarball: () => hostile([file('mix.exs'), file('./mix.exs')]), expect: /'mix.exs' appears twice/ },
    { title: 'entry under a file', tarball: () => hostile([file('mix.exs'), file('mix.exs/x')]), expect: /lies under file 'mix.exs'/ },
    { title: 'too many entries', tarball: () => hostile([file('a'), file('b'), file('c'), file('d')]), expect: /more than 3 entries/, extra: ['--max-entries', '3'] },
    { title: 'too many bytes', tarball: () => hostile([file('a', 'x'.repeat(600))]), expect: /unpacks to more than 500 bytes/, extra: ['--max-unpacked-bytes', '500'] },
    {
      title: 'tarball over the size limit',
      tarball: () => hostile([{ path: 'blob', content: randomish(40_000) }]),
      expect: /tarball is \d+ bytes, over the 30000 byte limit/,
      extra: ['--max-tarball-bytes', '30000'],
    },
    { title: 'VERSION other than 3', tarball: () => hostile([file('a')], { version: '2' }), expect: /unsupported tarball VERSION b'2'/ },
    { title: 'metadata.config that is not Erlang terms', tarball: () => hostile([file('a')], { metadata: '{<<"name">>, <<"evil">>}.\n{oops' }), expect: /metadata.config line 2:/ },
    { title: 'name in metadata.config', tarball: () => hostile([file('a')], { name: 'angel' }), expect: /metadata.config name is 'angel', the lock says 'evil'/ },
    {
      title: 'an unexpected outer entry',
      tarball: () => writeTar([{ path: 'VERSION', content: Buffer.from('3') }, { path: 'extra', content: Buffer.from('x') }]),
      expect: /unexpected entry 'extra' in the outer tarball/,
    },
    {
      title: 'a missing outer entry',
      tarball: () => writeTar([{ path: 'VERSION', content: Buffer.from('3') }, { path: 'CHECKSUM', content: Buffer.from('0'.repeat(64)) }]),
      expect: /the outer tarball has no metadata.config/,
    },
    { title: 'not a tar at all', tarball: () => Buffer.from('this is not a tarball'), expect: /not a readable tar archive/ },
  ];

  for (const c of cases) {
    it(c.title, (t) => {
      if (!needTools(t, 'python3')) return;
      const good = createHexTarball({ name: 'fine', version: '2.0.0', build_tools: ['mix'], files: { 'mix.exs': 'ok' } }).tarball;
      const s = stage([
        { name: 'fine', version: '2.0.0', data: good },
        { name: 'evil', version: '1.0.0', data: c.tarball() },
      ]);
      const r = unpack(s, s.deps.map(record).join(' '), c.extra);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /^beambake-deps: error: evil \(evil-1\.0\.0\): /);
      assert.match(r.stderr, c.expect);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no traceback');
      assert.equal(existsSync(join(s.project, 'deps')), false, 'nothing is placed, not even the good package');
    });
  }

  it('keeps what is safe: in-tree symlinks, hard links (as copies), exec bits, ./ prefixes', (t) => {
    if (!needTools(t, 'python3')) return;
    const data = hostile([
      file('./mix.exs', 'defmodule X do end'),
      file('bin/run', '#!/bin/sh\n', 0o755),
      { path: 'lib/', type: 'directory', mode: 0o755 },
      file('lib/a.ex', 'a'),
      { path: 'lib/b.ex', type: 'hardlink', linkname: 'lib/a.ex' },
      { path: 'lib/current', type: 'symlink', linkname: 'a.ex' },
      { path: 'docs/up', type: 'symlink', linkname: '../lib' },
    ]);
    const s = stage([{ name: 'evil', version: '1.0.0', data }]);
    const r = unpack(s, record(s.deps[0]!));
    assert.equal(r.status, 0, r.stderr);
    const dest = join(s.project, 'deps', 'evil');
    assert.deepEqual(pathsUnder(dest), ['.beambake-hex', 'bin', 'bin/run', 'docs', 'docs/up', 'lib', 'lib/a.ex', 'lib/b.ex', 'lib/current', 'mix.exs']);
    assert.equal(statSync(join(dest, 'bin', 'run')).mode & 0o777, 0o755);
    assert.equal(statSync(join(dest, 'lib', 'a.ex')).mode & 0o777, 0o644);
    assert.equal(readFileSync(join(dest, 'lib', 'b.ex'), 'utf8'), 'a');
    assert.equal(lstatSync(join(dest, 'lib', 'b.ex')).isSymbolicLink(), false);
    assert.equal(statSync(join(dest, 'lib', 'b.ex')).nlink, 1, 'a copy, not a hard link');
    assert.equal(readlinkSync(join(dest, 'lib', 'current')), 'a.ex');
  });

  it('replaces a stale deps/<app> from an earlier run', (t) => {
    if (!needTools(t, 'python3')) return;
    const data = createHexTarball({ name: 'fine', version: '2.0.0', build_tools: ['mix'], files: { 'mix.exs': 'ok' } }).tarball;
    const s = stage([{ name: 'fine', version: '2.0.0', data }]);
    mkdirSync(join(s.project, 'deps', 'fine', 'lib'), { recursive: true });
    writeFileSync(join(s.project, 'deps', 'fine', 'lib', 'stale.ex'), 'old');
    assert.equal(unpack(s, record(s.deps[0]!)).status, 0);
    assert.deepEqual(pathsUnder(join(s.project, 'deps')), ['fine', 'fine/.beambake-hex', 'fine/mix.exs']);
  });
});

describe('beambake_deps records', () => {
  const base = 'app=jason,name=jason,version=1.4.1,repo=hexpm,outer=' + 'a'.repeat(64) + ',inner=,file=hex-jason-1.4.1.tar';
  const bad: [string, string, RegExp][] = [
    ['unknown field', base + ',url=http://x', /unknown field 'url'/],
    ['missing field', base.replace(',repo=hexpm', ''), /missing field 'repo'/],
    ['bad version', base.replace('1.4.1,', '1.4,'), /invalid version '1.4'/],
    ['bad checksum', base.replace('a'.repeat(64), 'A'.repeat(64)), /invalid outer/],
    ['path in file', base.replace('file=hex-jason-1.4.1.tar', 'file=../hex-jason-1.4.1.tar'), /invalid file/],
    ['quote injection', base.replace('name=jason', 'name=ja"son'), /invalid name/],
    ['duplicate app', base + ' ' + base, /app 'jason' listed twice/],
  ];
  for (const [title, records, expect] of bad) {
    it(`rejects ${title}`, (t) => {
      if (!needTools(t, 'python3')) return;
      const r = runDeps(['verify', '--hex', records, '--src-dir', tmpdir()]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^beambake-deps: error: BEAM_HEX_DEPS record/);
      assert.match(r.stderr, expect);
    });
  }
  it('rejects a git record whose dir leaves the unpack dir', (t) => {
    if (!needTools(t, 'python3')) return;
    const r = runDeps(['verify', '--git', `app=foo,rev=${'1'.repeat(40)},dir=beam-deps/../../etc`, '--src-dir', tmpdir()]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /BEAM_GIT_DEPS record 1 .*invalid dir/);
  });
});

describe('beambake_deps unpack of git dependencies (mix layout)', () => {
  function gitRepo(dir: string): string {
    const git = (...args: string[]) => fixtureGit(dir, ...args);
    mkdirSync(join(dir, 'apps', 'inner'), { recursive: true });
    writeFileSync(join(dir, 'mix.exs'), 'defmodule Gitdep.MixProject do end\n');
    writeFileSync(join(dir, 'apps', 'inner', 'mix.exs'), 'defmodule Inner.MixProject do end\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'fixture');
    // What BitBake's git fetcher leaves: origin pointing at its local mirror.
    git('remote', 'add', 'origin', '/downloads/git2/example.invalid.gitdep.git');
    return git('rev-parse', 'HEAD');
  }

  function setup(lockRev?: string) {
    const dir = makeTempDir('bb-unpack-git-');
    const src = join(dir, 'unpackdir');
    const project = join(dir, 'project');
    const checkout = join(src, 'beam-deps', 'git', 'gitdep');
    mkdirSync(checkout, { recursive: true });
    mkdirSync(project);
    const rev = gitRepo(checkout);
    const url = 'https://example.invalid/beambake/gitdep.git';
    writeFileSync(join(project, 'mix.lock'), `%{\n  "gitdep": {:git, "${url}", "${lockRev ?? rev}", [branch: "main"]},\n}\n`);
    return { src, project, rev, url };
  }

  it('copies the checkout with .git and points origin at the URL mix.lock records', (t) => {
    if (!needTools(t, 'python3', 'git')) return;
    const s = setup();
    const r = runDeps(['unpack', '--layout', 'mix', '--git', `app=gitdep,rev=${s.rev},dir=beam-deps/git/gitdep,subdir=apps/inner`, '--src-dir', s.src, '--project', s.project]);
    assert.equal(r.status, 0, r.stderr);
    const dest = join(s.project, 'deps', 'gitdep');
    assert.ok(existsSync(join(dest, 'apps', 'inner', 'mix.exs')), 'Mix applies subdir itself, so the whole checkout is there');
    const origin = spawnSync('git', ['--git-dir', join(dest, '.git'), 'config', 'remote.origin.url'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(origin, s.url);
    const head = spawnSync('git', ['--git-dir', join(dest, '.git'), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(head, s.rev);
  });

  it('stops when the checkout is not at the pinned rev', (t) => {
    if (!needTools(t, 'python3', 'git')) return;
    const s = setup();
    const other = 'f'.repeat(40);
    const r = runDeps(['unpack', '--layout', 'mix', '--git', `app=gitdep,rev=${other},dir=beam-deps/git/gitdep`, '--src-dir', s.src, '--project', s.project]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`gitdep \\(git ffffffffffff\\): the checkout in .* is at ${s.rev}, the lock pins ${other}`));
    assert.equal(existsSync(join(s.project, 'deps')), false);
  });

  it('stops when mix.lock pins another rev than the recipe fetched', (t) => {
    if (!needTools(t, 'python3', 'git')) return;
    const s = setup('e'.repeat(40));
    const r = runDeps(['unpack', '--layout', 'mix', '--git', `app=gitdep,rev=${s.rev},dir=beam-deps/git/gitdep`, '--src-dir', s.src, '--project', s.project]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /gitdep \(git [0-9a-f]{12}\): mix.lock pins e{40} but the recipe fetched/);
  });
});

describe('beambake_deps scan-buildpaths', () => {
  it('finds a build path even when it only sits in a compressed chunk, and passes clean beams', (t) => {
    if (!needTools(t, 'python3', 'erlc', 'elixirc')) return;
    const dir = makeTempDir('bb-scan-');
    mkdirSync(join(dir, 'src'));
    for (const o of ['leaky', 'gzipped', 'hidden', 'clean']) mkdirSync(join(dir, o));
    writeFileSync(join(dir, 'src', 'm.erl'), '-module(m).\n-export([f/0]).\nf() -> ok.\n');
    writeFileSync(join(dir, 'src', 'e.ex'), 'defmodule E do\n  def f, do: :ok\nend\n');
    const compile = (tool: string, out: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
      // cwd = dir: Elixir then writes relative names in the Line chunk, so the absolute path
      // is left only inside the compressed Dbgi chunk.
      const r = spawnSync(tool, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, ...env } });
      assert.equal(r.status, 0, r.stderr);
      return join(dir, out);
    };
    // No deterministic: the source path sits in plain CInf.
    compile('erlc', 'leaky', ['+debug_info', '-o', join(dir, 'leaky'), join(dir, 'src', 'm.erl')]);
    // The whole file gzipped (+compressed).
    compile('erlc', 'gzipped', ['+debug_info', '+compressed', '-o', join(dir, 'gzipped'), join(dir, 'src', 'm.erl')]);
    // deterministic: Erlang drops it, but Elixir's debug info (zlib-compressed Dbgi) keeps it.
    compile('elixirc', 'hidden', ['-o', join(dir, 'hidden'), join(dir, 'src', 'e.ex')], { ERL_COMPILER_OPTIONS: 'deterministic' });
    compile('erlc', 'clean', ['+debug_info', '-o', join(dir, 'clean'), join(dir, 'src', 'm.erl')], { ERL_COMPILER_OPTIONS: 'deterministic' });
    const needle = join(dir, 'src');
    assert.equal(readFileSync(join(dir, 'hidden', 'Elixir.E.beam')).includes(needle), false, 'precondition: a plain grep misses it');
    assert.equal(readFileSync(join(dir, 'gzipped', 'm.beam')).includes(needle), false, 'precondition: a plain grep misses it');
    for (const [out, leaks] of [['leaky', true], ['gzipped', true], ['hidden', true], ['clean', false]] as const) {
      const r = runDeps(['scan-buildpaths', '--beams-only', '--forbid', needle, join(dir, out)]);
      assert.equal(r.status, leaks ? 1 : 0, `${out}: ${r.stderr}`);
      if (leaks) assert.match(r.stderr, /build paths found in 1 file\(s\) .*\.beam/);
    }
  });
});

describe('unpinned Hex packages (beambake recipe --allow-unpinned: no outer checksum in the lock)', () => {
  const gpioPath = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');

  it('unpack only for apps in --unpinned (BEAMBAKE_UNPINNED), with a loud warning, checked against the inner checksum', async (t) => {
    if (!needTools(t, 'python3')) return;
    const data = readFileSync(gpioPath);
    const inner = (await readHexTarball(gpioPath, { keep: () => true })).innerChecksum;
    const s = stage([{ name: 'gpio', version: '0.6.0', data }]);
    const unpinned = record({ ...s.deps[0]!, inner, outer: '' });

    const refused = unpack(s, unpinned);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /BEAM_HEX_DEPS record 1 \(gpio \(gpio-0\.6\.0\)\): missing field 'outer' \(only apps listed in BEAMBAKE_UNPINNED may lack it\)/);
    assert.equal(existsSync(join(s.project, 'deps')), false);

    const ok = unpack(s, unpinned, ['--unpinned', 'gpio']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /WARNING: UNPINNED gpio \(gpio-0\.6\.0\): the lock has no outer checksum, so only the inner checksum below vouches for hex-gpio-0\.6\.0\.tar \(sha256 [0-9a-f]{64}\)/);
    assert.ok(existsSync(join(s.project, 'deps', 'gpio', 'mix.exs')) || readdirSync(join(s.project, 'deps', 'gpio')).length > 0);

    const noInner = unpack(stage([{ name: 'gpio', version: '0.6.0', data }]), record({ ...s.deps[0]!, inner: '', outer: '' }), ['--unpinned', 'gpio']);
    assert.equal(noInner.status, 1);
    assert.match(noInner.stderr, /unpinned and without an inner checksum, so nothing would verify the tarball/);
  });

  it('a tampered unpinned tarball still fails on its inner checksum, naming the package', async (t) => {
    if (!needTools(t, 'python3')) return;
    const reference = await readHexTarball(gpioPath, { keep: () => true });
    // same outer structure and CHECKSUM file, different contents: only the lock's inner checksum can tell
    const other = createHexTarball({ name: 'gpio', version: '0.6.0', files: { 'lib/gpio.ex': 'defmodule GPIO do end\n' } });
    const s = stage([{ name: 'gpio', version: '0.6.0', data: Buffer.from(other.tarball) }]);
    const r = unpack(s, record({ ...s.deps[0]!, inner: reference.innerChecksum, outer: '' }), ['--unpinned', 'gpio']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /beambake-deps: error: gpio \(gpio-0\.6\.0\): inner checksum mismatch: lock pins [0-9a-f]{64}, tarball has [0-9a-f]{64}/);
    assert.equal(existsSync(join(s.project, 'deps', 'gpio')), false);
  });
});
