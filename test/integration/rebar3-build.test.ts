/**
 * End-to-end offline rebar3 release with the layer's own scripts (the ones
 * beambake-rebar3.bbclass and beambake-release.bbclass call):
 *   fixture sources -> real Hex tarballs (createHexTarball) and local git repositories ->
 *   rebar.lock -> beambake's lock reader and recipe record renderer (BEAM_HEX_DEPS/BEAM_GIT_DEPS)
 *   -> beambake_deps unpack --layout rebar3 -> beambake-build-rebar3 (no network) ->
 *   the release starts (`bin/bbrel daemon` + `bin/bbrel eval`) -> beambake-install-release.
 * The fixture has two Hex packages (bb_greet -> bb_util, published as bb_util_pkg) and two git
 * dependencies (plain git and git_subdir of a repository with two applications).
 *
 * The good build runs once; every tamper case stops before compiling, so each gets a fresh copy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { createHexTarball, type HexTarballSpec } from '../../src/hex/tarball.js';
import { hexDownloadFilename, HEX_SUBDIR } from '../../src/bitbake/names.js';
import { readLockfile, readProject } from '../../src/lockfiles/index.js';
import { gitEntry, hexEntry } from '../../src/bitbake/srcuri.js';
import { gitRecord, hexRecord } from '../../src/bitbake/render.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir, fixturesDir, repoRoot } from '../helpers/paths.js';
import { hasTool, needTools } from '../helpers/toolchain.js';

const TOOLS = ['erl', 'escript', 'rebar3', 'python3', 'git'];
const fixture = join(fixturesDir, 'build', 'rebar3');
const scripts = join(repoRoot, 'meta-beam-templates', 'scripts');
const MARKER = '%% beambake target sysroot marker';
const GIT_URL = 'https://git.example.invalid';

interface PackageDef {
  dir: string;
  name: string;
  app: string;
  version: string;
  build_tools: string[];
  licenses: string[];
  requirements: Record<string, { app: string; requirement: string }>;
}
interface Built {
  def: PackageDef;
  outer: string;
  inner: string;
}

const packageDefs: PackageDef[] = JSON.parse(readFileSync(join(fixture, 'packages', 'packages.json'), 'utf8')).packages;

function filesOf(dir: string, base = dir): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, filesOf(p, base));
    else out[relative(base, p)] = readFileSync(p);
  }
  return out;
}

function specOf(def: PackageDef): HexTarballSpec {
  return {
    name: def.name,
    version: def.version,
    app: def.app,
    description: `beambake fixture package ${def.name}`,
    licenses: def.licenses,
    build_tools: def.build_tools,
    requirements: Object.fromEntries(
      Object.entries(def.requirements).map(([pkg, r]) => [pkg, { app: r.app, requirement: r.requirement, optional: false, repository: 'hexpm' }]),
    ),
    files: filesOf(join(fixture, 'packages', def.dir)),
  };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'beambake',
      GIT_AUTHOR_EMAIL: 'fixture@beambake.invalid',
      GIT_COMMITTER_NAME: 'beambake',
      GIT_COMMITTER_EMAIL: 'fixture@beambake.invalid',
      GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** The fixture's git dependencies as local repositories (made once per run): name -> {path, rev}. */
let repos: Record<string, { path: string; rev: string }> | undefined;
const workdirs: string[] = [];
function gitRepos(): Record<string, { path: string; rev: string }> {
  if (repos) return repos;
  const dir = mkdtempSync(join(tmpdir(), 'bb-rebar3-git-'));
  workdirs.push(dir);
  repos = {};
  for (const name of readdirSync(join(fixture, 'git')).sort()) {
    const path = join(dir, name);
    cpSync(join(fixture, 'git', name), path, { recursive: true });
    git(path, 'init', '-q', '-b', 'main');
    git(path, 'add', '-A');
    git(path, 'commit', '-q', '-m', `${name} fixture`);
    repos[name] = { path, rev: git(path, 'rev-parse', 'HEAD') };
  }
  return repos;
}

function rebarLock(built: Built[], override: (b: Built) => Partial<Built> = () => ({})): string {
  const r = gitRepos();
  const entries: [string, string][] = [
    ['bb_gitdep', `{git,"${GIT_URL}/bb_gitdep.git",{ref,"${r.bb_gitdep!.rev}"}},0`],
    ['bb_sub', `{git_subdir,"${GIT_URL}/bb_mono.git",{ref,"${r.bb_mono!.rev}"},"apps/bb_sub"},0`],
  ];
  const hashes: [string, string, string][] = [];
  for (const b0 of built) {
    const b = { ...b0, ...override(b0) };
    const level = packageDefs.some((d) => Object.keys(d.requirements).includes(b.def.name)) ? 1 : 0;
    entries.push([b.def.app, `{pkg,<<"${b.def.name}">>,<<"${b.def.version}">>},${level}`]);
    hashes.push([b.def.app, b.inner.toUpperCase(), b.outer.toUpperCase()]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  hashes.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return (
    `{"1.2.0",\n[${entries.map(([app, src]) => `{<<"${app}">>,${src}}`).join(',\n ')}]}.\n[\n` +
    `{pkg_hash,[\n${hashes.map(([app, inner]) => ` {<<"${app}">>, <<"${inner}">>}`).join(',\n')}]},\n` +
    `{pkg_hash_ext,[\n${hashes.map(([app, , outer]) => ` {<<"${app}">>, <<"${outer}">>}`).join(',\n')}]}\n].\n`
  );
}

interface Work {
  dir: string;
  src: string;
  project: string;
  output: string;
  built: Built[];
}

interface PrepareOptions {
  /** Replace a package's tarball (e.g. one with another name in metadata.config). */
  tweak?: (def: PackageDef, spec: HexTarballSpec) => Buffer | undefined;
  /** Change rebar.lock before the recipe records are made from it. */
  lock?: (b: Built) => Partial<Built>;
}

/** A project copy, the fetched files where BitBake's fetcher puts them, and rebar.lock. */
function prepare(opts: PrepareOptions = {}): Work {
  const dir = mkdtempSync(join(tmpdir(), 'bb-rebar3-build-'));
  workdirs.push(dir);
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'src', 'bbrel');
  cpSync(join(fixture, 'app'), project, { recursive: true });
  const hexDir = join(src, ...HEX_SUBDIR.split('/'));
  mkdirSync(hexDir, { recursive: true });
  const built = packageDefs.map((def) => {
    const spec = specOf(def);
    const good = createHexTarball(spec);
    const tarball = opts.tweak?.(def, spec) ?? good.tarball;
    writeFileSync(join(hexDir, hexDownloadFilename({ name: def.name, version: def.version, repository: 'hexpm' })), tarball);
    const inner = tarball === good.tarball ? good.innerChecksum : createHexTarballInner(tarball);
    return { def, outer: createHash('sha256').update(tarball).digest('hex'), inner };
  });
  // What the git fetcher leaves in ${UNPACKDIR}/beam-deps/git/<app>: a clone at the pinned rev.
  const r = gitRepos();
  for (const [app, repo] of [['bb_gitdep', 'bb_gitdep'], ['bb_sub', 'bb_mono']] as const) {
    const dest = join(src, 'beam-deps', 'git', app);
    mkdirSync(join(src, 'beam-deps', 'git'), { recursive: true });
    git(src, 'clone', '-q', '--no-checkout', r[repo]!.path, dest);
    git(dest, 'checkout', '-q', r[repo]!.rev);
  }
  writeFileSync(join(project, 'rebar.lock'), rebarLock(built, opts.lock));
  return { dir, src, project, output: join(dir, 'release'), built };
}

/** CHECKSUM of an outer tar (ustar: name at 0, size at 124, data after the 512-byte header). */
function createHexTarballInner(tarball: Buffer): string {
  for (let pos = 0; pos + 512 <= tarball.length; ) {
    const name = tarball.subarray(pos, pos + 100).toString('latin1').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(tarball.subarray(pos + 124, pos + 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    if (name === 'CHECKSUM') return tarball.subarray(pos + 512, pos + 512 + size).toString('latin1').toLowerCase();
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no CHECKSUM in tarball');
}

/** BEAM_HEX_DEPS and BEAM_GIT_DEPS exactly as `beambake recipe` renders them from rebar.lock. */
async function recipeRecords(project: string): Promise<{ hex: string; git: string }> {
  const p = await readProject(project);
  const hex: string[] = [];
  const gitRecs: string[] = [];
  for (const pkg of p.packages) {
    if (pkg.source === 'hex') hex.push(hexRecord(hexEntry(pkg, new Map())));
    else if (pkg.source === 'git') gitRecs.push(gitRecord(gitEntry(pkg)));
  }
  return { hex: hex.join(' '), git: gitRecs.join(' ') };
}

/** `unshare -n` when this machine allows it (a network namespace with no interfaces). */
const canUnshare = hasTool('unshare') && spawnSync('unshare', ['-n', 'true']).status === 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, offline = false): SpawnSyncReturns<string> {
  const [c, a] = offline && canUnshare ? ['unshare', ['-n', cmd, ...args]] : [cmd, args];
  return spawnSync(c, a, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: 10 * 60_000 });
}

function unpack(w: Work, records: { hex: string; git: string }): SpawnSyncReturns<string> {
  return run(
    'python3',
    [join(scripts, 'beambake_deps'), 'unpack', '--layout', 'rebar3', '--hex', records.hex, '--git', records.git, '--src-dir', w.src, '--project', w.project],
    { REBAR_CACHE_DIR: '' },
    true,
  );
}

function build(w: Work, targetRoot: string): SpawnSyncReturns<string> {
  const home = join(w.dir, 'home');
  mkdirSync(home, { recursive: true });
  return run(
    'python3',
    [join(scripts, 'beambake-build-rebar3'), '--project', w.project, '--profile', 'prod', '--target-erlang', targetRoot, '--output', w.output],
    { HOME: home, REBAR_CACHE_DIR: '', SOURCE_DATE_EPOCH: '1700000000' },
    true,
  );
}

function beamFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...beamFiles(p));
    else if (name.endsWith('.beam')) out.push(p);
  }
  return out.sort();
}

/** The bytes of a .beam plus its compressed parts (LitT literals, compressed external terms). */
function beamMentions(file: string, needle: string): boolean {
  const raw = readFileSync(file);
  if (raw.includes(needle)) return true;
  const data = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  if (data.includes(needle)) return true;
  if (data.subarray(0, 4).toString('latin1') !== 'FOR1' || data.subarray(8, 12).toString('latin1') !== 'BEAM') return false;
  for (let pos = 12; pos + 8 <= data.length; ) {
    const id = data.subarray(pos, pos + 4).toString('latin1');
    const size = data.readUInt32BE(pos + 4);
    const body = data.subarray(pos + 8, pos + 8 + size);
    const parts: Buffer[] = [];
    if (id === 'LitT' && size > 4 && body.readUInt32BE(0) !== 0) parts.push(inflateSync(body.subarray(4)));
    for (let at = body.indexOf(Buffer.from([131, 80])); at >= 0; at = body.indexOf(Buffer.from([131, 80]), at + 2)) {
      try {
        parts.push(inflateSync(body.subarray(at + 6)));
      } catch {
        // not a compressed term
      }
    }
    if (parts.some((p) => p.includes(needle))) return true;
    pos += 8 + ((size + 3) & ~3);
  }
  return false;
}

const hostRoot = hasTool('erl')
  ? spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [code:root_dir()]), halt().'], { encoding: 'utf8' }).stdout
  : '';

/**
 * A stand-in for the target sysroot's lib/erlang: ERTS, kernel and stdlib of the host install
 * hard-linked (copied where links are impossible), with two files replaced by marked copies so
 * the test sees that the release took them from here.
 */
function makeTargetRoot(dir: string): { root: string; ertsDir: string; stdlibDir: string } {
  const root = join(dir, 'sysroot', 'usr', 'lib', 'erlang');
  mkdirSync(join(root, 'lib'), { recursive: true });
  const ertsDir = readdirSync(hostRoot).find((n) => n.startsWith('erts-'))!;
  const libs = readdirSync(join(hostRoot, 'lib')).filter((n) => /^(kernel|stdlib)-/.test(n));
  for (const rel of [ertsDir, ...libs.map((l) => join('lib', l))]) {
    if (spawnSync('cp', ['-al', join(hostRoot, rel), join(root, rel)]).status !== 0) {
      cpSync(join(hostRoot, rel), join(root, rel), { recursive: true, verbatimSymlinks: true });
    }
  }
  const stdlibDir = libs.find((l) => l.startsWith('stdlib-'))!;
  for (const rel of [join(ertsDir, 'bin', 'start_erl.src'), join('lib', stdlibDir, 'ebin', 'stdlib.app')]) {
    const p = join(root, rel);
    const text = readFileSync(p, 'utf8');
    rmSync(p); // break the hard link before writing
    writeFileSync(p, rel.endsWith('.app') ? `${text}\n${MARKER}\n` : `${text}\n# ${MARKER}\n`, { mode: 0o755 });
  }
  return { root, ertsDir, stdlibDir };
}

function failureText(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

function assertNothingCompiled(w: Work): void {
  assert.deepEqual(beamFiles(join(w.project, '_build')), [], 'no .beam may exist when the build stops on a dependency check');
}

after(() => {
  if (process.env.BEAMBAKE_KEEP_TMP !== '1') for (const d of workdirs) rmSync(d, { recursive: true, force: true });
});

describe('offline rebar3 release of a fixture app with Hex and git dependencies', { timeout: 20 * 60_000 }, () => {
  let good:
    | { w: Work; records: { hex: string; git: string }; unpack: SpawnSyncReturns<string>; build?: SpawnSyncReturns<string>; target: ReturnType<typeof makeTargetRoot>; lockBefore: string }
    | undefined;

  before(async () => {
    if (!TOOLS.every(hasTool)) return;
    const w = prepare();
    const target = makeTargetRoot(w.dir);
    const records = await recipeRecords(w.project);
    const lockBefore = readFileSync(join(w.project, 'rebar.lock'), 'utf8');
    const u = unpack(w, records);
    good = { w, records, unpack: u, target, lockBefore };
    if (u.status === 0) good.build = build(w, target.root);
  });

  it('builds with no network (a namespace without interfaces when permitted)', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    if (!canUnshare) t.diagnostic('NOTE: `unshare -n` is not permitted here; the build ran with the registry and git URLs pointed at nothing only');
    assert.equal(good!.unpack.status, 0, failureText(good!.unpack));
    assert.equal(good!.build?.status, 0, good!.build && failureText(good!.build));
    assert.match(good!.records.hex, /app=bb_util,name=bb_util_pkg,version=0\.2\.1,repo=hexpm,outer=[0-9a-f]{64},inner=[0-9a-f]{64}/);
    assert.match(good!.records.git, /app=bb_sub,rev=[0-9a-f]{40},dir=beam-deps\/git\/bb_sub,subdir=apps\/bb_sub/);
  });

  it("puts Hex tarballs in rebar3's package cache and lets rebar3 unpack and check them", (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(good!.build?.status, 0, 'build failed');
    const { w } = good!;
    const cache = join(w.project, '.beambake', 'rebar3-cache', 'hex');
    for (const b of w.built) {
      const cached = join(cache, 'hexpm', 'packages', `${b.def.name}-${b.def.version}.tar`);
      assert.equal(createHash('sha256').update(readFileSync(cached)).digest('hex'), b.outer);
      assert.ok(existsSync(cached.replace(/\.tar$/, '.etag')), 'rebar3 falls back to a cached tarball only when it has an ETag');
      // rebar3 itself unpacked it into _build (nothing of ours wrote there).
      assert.ok(existsSync(join(w.project, '_build', 'default', 'lib', b.def.app, 'src')), `${b.def.app} unpacked by rebar3`);
    }
    assert.ok(existsSync(join(cache, 'packages.idx')), 'the registry index rebar3 resolves locked packages through');
    assert.match(good!.build!.stdout, /Download error, using cached file at .*bb_util_pkg-0\.2\.1\.tar/);
    assert.match(good!.build!.stdout, /Comparing git ref|Verifying dependencies/);
    assert.equal(readFileSync(join(w.project, 'rebar.lock'), 'utf8'), good!.lockBefore, 'the build must not rewrite rebar.lock');
  });

  it('places git dependencies at the pinned commit with the URL rebar.lock records', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(good!.unpack.status, 0, failureText(good!.unpack));
    const { w } = good!;
    const r = gitRepos();
    for (const [app, repo] of [['bb_gitdep', 'bb_gitdep'], ['bb_sub', 'bb_mono']] as const) {
      const dest = join(w.project, '_build', 'default', 'lib', app);
      assert.equal(git(dest, 'rev-parse', 'HEAD'), r[repo]!.rev);
      assert.equal(git(dest, 'config', '--get', 'remote.origin.url'), `${GIT_URL}/${repo}.git`);
    }
    assert.ok(existsSync(join(w.project, '_build', 'default', 'lib', 'bb_sub', 'apps', 'bb_sub', 'ebin', 'bb_sub.beam')));
  });

  it('produces a release that starts and calls every dependency', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(good!.build?.status, 0, 'build failed');
    const { w } = good!;
    const bin = join(w.output, 'bin', 'bbrel');
    const env = { ...process.env, HOME: w.dir, BBREL_NODE: `bbrel_${process.pid}_${Date.now()}`, BBREL_COOKIE: `c${createHash('sha256').update(w.dir).digest('hex').slice(0, 16)}` };
    const opts = { encoding: 'utf8' as const, env, timeout: 60_000 };
    const start = spawnSync(bin, ['daemon'], opts);
    assert.equal(start.status, 0, failureText(start));
    try {
      let r: SpawnSyncReturns<string> | undefined;
      for (let i = 0; i < 40; i++) {
        r = spawnSync(bin, ['eval', 'bbrel:report().'], opts);
        if (r.status === 0) break;
        spawnSync('sleep', ['0.25']);
      }
      assert.equal(r!.status, 0, failureText(r!));
      assert.equal(r!.stdout.trim(), '"Hello, YOCTO! | gitdep=git-0.4.0 | sub=subdir-0.5.0 | bbrel-0.3.0 | file=bbrel.erl"');
    } finally {
      const stop = spawnSync(bin, ['stop'], opts);
      assert.equal(stop.status, 0, failureText(stop));
    }
  });

  it('takes ERTS and the OTP applications from the target Erlang root', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(good!.build?.status, 0, 'build failed');
    const { w, target } = good!;
    assert.match(readFileSync(join(w.output, target.ertsDir, 'bin', 'start_erl.src'), 'utf8'), new RegExp(MARKER));
    assert.match(readFileSync(join(w.output, 'lib', target.stdlibDir, 'ebin', 'stdlib.app'), 'utf8'), new RegExp(MARKER));
  });

  it('keeps build paths out of every .beam, also once installed', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    assert.equal(good!.build?.status, 0, 'build failed');
    const { w } = good!;
    const releaseBeams = beamFiles(w.output);
    assert.ok(releaseBeams.length > 50, `expected the whole release, found ${releaseBeams.length} .beam files`);
    assert.deepEqual(releaseBeams.filter((f) => beamMentions(f, w.dir)), []);
    const dest = join(w.dir, 'image');
    const inst = spawnSync(
      'python3',
      [join(scripts, 'beambake-install-release'), '--release', w.output, '--destdir', dest, '--libdir', '/usr/lib', '--app', 'bbrel', '--forbid', w.dir],
      { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } },
    );
    assert.equal(inst.status, 0, failureText(inst));
    const installed = beamFiles(join(dest, 'usr', 'lib', 'bbrel'));
    assert.equal(installed.length, releaseBeams.length);
    assert.deepEqual(installed.filter((f) => beamMentions(f, w.dir)), []);
    // Positive control: the same source compiled without `deterministic` does carry the path,
    // and the scanner sees it.
    const control = join(w.dir, 'control');
    mkdirSync(control);
    const env = { ...process.env };
    delete env.ERL_COMPILER_OPTIONS;
    const c = spawnSync('erlc', ['-I', join(w.project, 'include'), '-o', control, join(w.project, 'src', 'bbrel.erl')], { encoding: 'utf8', env });
    assert.equal(c.status, 0, failureText(c));
    assert.ok(beamMentions(join(control, 'bbrel.beam'), w.dir), 'without deterministic, the build path is in the .beam and the scan sees it');
  });

  it('`beambake recipe` on the fixture writes a layer holding these very classes, scripts and records', (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const { w, records } = good!;
    const layer = join(w.dir, 'meta-bbrel');
    const r = runCli(['recipe', w.project, '-o', layer, '--source', w.project]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const templates = join(repoRoot, 'meta-beam-templates');
    for (const rel of [
      'classes/beambake-rebar3.bbclass',
      'classes/beambake-release.bbclass',
      'classes/beambake-deps.bbclass',
      'scripts/beambake-build-rebar3',
      'scripts/beambake-rebar3-index.escript',
      'scripts/beambake-install-release',
      'scripts/beambake_deps/__main__.py',
      'scripts/beambake_deps/layout_rebar3.py',
      'files/beambake-release.service.in',
      'files/beambake-release.init.in',
    ]) {
      assert.ok(readFileSync(join(layer, rel)).equals(readFileSync(join(templates, rel))), `${rel} in the layer differs from the one the test ran`);
    }
    const recipeDir = join(layer, 'recipes-beam', 'bbrel');
    assert.match(readFileSync(join(recipeDir, 'bbrel_0.3.0.bb'), 'utf8'), /^inherit beambake-rebar3$/m);
    const inc = readFileSync(join(recipeDir, 'bbrel-beam-deps.inc'), 'utf8');
    const listed = (name: string) => (new RegExp(`^${name} = "\\\\\n([\\s\\S]*?)\n"$`, 'm').exec(inc)?.[1] ?? '').split(/\s+/).filter((x) => x && x !== '\\').join(' ');
    assert.equal(listed('BEAM_HEX_DEPS'), records.hex);
    assert.equal(listed('BEAM_GIT_DEPS'), records.git);
  });
});

describe('tampering stops the rebar3 build before anything is compiled, naming the package', { timeout: 10 * 60_000 }, () => {
  function stops(w: Work, records: { hex: string; git: string }, expect: RegExp, t: { diagnostic: (m: string) => void }): SpawnSyncReturns<string> {
    const u = unpack(w, records);
    let r = u;
    if (u.status === 0) r = build(w, hostRoot);
    t.diagnostic((r.stderr + r.stdout).trim().split('\n').filter((l) => /beambake|checksum/.test(l)).join(' | '));
    assert.notEqual(r.status, 0, 'the build must fail');
    assert.match(r.stderr + r.stdout, expect);
    assertNothingCompiled(w);
    return r;
  }

  it('one byte of a tarball', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    const path = join(w.src, ...HEX_SUBDIR.split('/'), hexDownloadFilename({ name: 'bb_greet', version: '1.0.0', repository: 'hexpm' }));
    const data = readFileSync(path);
    data[data.length >> 1] ^= 0x01;
    writeFileSync(path, data);
    stops(w, records, /beambake-deps: error: bb_greet \(bb_greet-1\.0\.0\): outer checksum mismatch/, t);
    assert.equal(existsSync(join(w.project, '.beambake')), false, 'nothing is placed when any tarball fails');
  });

  it('a checksum in rebar.lock changed after the recipe was made', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    const util = w.built.find((b) => b.def.name === 'bb_util_pkg')!;
    writeFileSync(join(w.project, 'rebar.lock'), rebarLock(w.built, (b) => (b === util ? { outer: 'a'.repeat(64) } : {})));
    stops(w, records, /bb_util \(bb_util_pkg-0\.2\.1\): .*rebar\.lock pins outer checksum a{64}/, t);
  });

  it('a checksum in rebar.lock the recipe was made from', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare({ lock: (b) => (b.def.name === 'bb_greet' ? { outer: 'b'.repeat(64) } : {}) });
    stops(w, await recipeRecords(w.project), /bb_greet \(bb_greet-1\.0\.0\): outer checksum mismatch: the lock pins b{64}/, t);
  });

  it('the name in metadata.config', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare({ tweak: (def, spec) => (def.name === 'bb_util_pkg' ? createHexTarball({ ...spec, name: 'bb_evil_pkg' }).tarball : undefined) });
    stops(w, await recipeRecords(w.project), /bb_util \(bb_util_pkg-0\.2\.1\): metadata\.config name is 'bb_evil_pkg', the lock says 'bb_util_pkg'/, t);
  });

  it('a git dependency fetched at another commit than rebar.lock pins', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    const other = records.git.replace(/app=bb_gitdep,rev=[0-9a-f]{40}/, `app=bb_gitdep,rev=${'c'.repeat(40)}`);
    stops(w, { hex: records.hex, git: other }, /bb_gitdep \(git cccccccccccc\): the checkout in .* is at [0-9a-f]{40}, the lock pins c{40}/, t);
  });

  it("rebar3's own check still runs: a cached tarball changed after the unpack step", async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const u = unpack(w, await recipeRecords(w.project));
    assert.equal(u.status, 0, failureText(u));
    const cached = join(w.project, '.beambake', 'rebar3-cache', 'hex', 'hexpm', 'packages', 'bb_util_pkg-0.2.1.tar');
    const data = readFileSync(cached);
    data[data.length >> 1] ^= 0x01;
    writeFileSync(cached, data);
    const r = build(w, hostRoot);
    assert.notEqual(r.status, 0, 'rebar3 must refuse the tarball');
    assert.match(r.stdout + r.stderr, /bad_registry_checksum[\s\S]*bb_util_pkg|bb_util_pkg[\s\S]*checksum/);
    assertNothingCompiled(w);
  });
});

describe('the layer reads every real rebar.lock of the corpus as beambake does', () => {
  it('same apps, packages, versions, checksums, git URLs, refs and subdirs', (t) => {
    if (!needTools(t, 'python3')) return;
    const locks = readdirSync(join(corpusDir, 'rebar'))
      .map((d) => join(corpusDir, 'rebar', d))
      .filter((d) => existsSync(join(d, 'rebar.lock')))
      .sort();
    assert.ok(locks.length >= 8, `expected the corpus rebar.lock files, found ${locks.length}`);
    const py = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(scripts, 'beambake_deps'))})`,
      'import layout_rebar3',
      'print(json.dumps({d: {a: vars(e) for a, e in layout_rebar3.read_lock(d).items()} for d in sys.argv[1:]}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', py, ...locks], { encoding: 'utf8' });
    assert.equal(r.status, 0, failureText(r));
    const layer = JSON.parse(r.stdout) as Record<string, Record<string, Record<string, string | null>>>;
    let compared = 0;
    for (const dir of locks) {
      const ours = readLockfile(join(dir, 'rebar.lock'), 'rebar3').packages;
      assert.deepEqual(Object.keys(layer[dir]!).sort(), ours.map((p) => p.app).sort(), `${dir}: apps`);
      for (const p of ours) {
        const e = layer[dir]![p.app]!;
        if (p.source === 'hex') {
          assert.deepEqual([e.kind, e.name, e.version, e.inner, e.outer], ['pkg', p.name, p.version, p.innerChecksum, p.outerChecksum], `${dir}: ${p.app}`);
        } else if (p.source === 'git') {
          assert.equal(e.url, p.url, `${dir}: ${p.app} url`);
          if (e.ref) assert.equal(e.ref, p.rev, `${dir}: ${p.app} ref`);
          assert.equal(e.subdir ?? undefined, p.subdir, `${dir}: ${p.app} subdir`);
        }
        compared++;
      }
    }
    assert.ok(compared >= 60, `compared ${compared} entries`);
  });
});
