/**
 * The real BitBake for integration tests: the offline Yocto snapshots of ../shared/yocto unpacked
 * once per archive set, an unprivileged user to run BitBake as (it refuses root), build
 * directories whose conf/ points at the stack plus generated layers and fetches only from local
 * mirrors, and `bitbake` runs whose output the tests read.
 *
 *   const stack = needStack(t, 'scarthgap');            // skip (or fail under REQUIRE) when unusable
 *   const work = bitbakeWorkDir('bb-suite-');           // readable by the build user
 *   const build = buildDir(stack, { dir: join(work, 'build'), layers: [...], hexMirror, gitMirror });
 *   const parse = parseAll(build);                       // `bitbake -p`: counts, errors, warnings
 *   const env = bitbakeEnv(build, recipeFile);           // `bitbake -e -b FILE`, parsed
 *   const r = runBitbake(build, ['-b', recipeFile, '-c', 'do_fetch']);
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { sharedDir } from '../../helpers/paths.js';
import { hasTool, requireToolchains } from '../../helpers/toolchain.js';
import { makeTempDir } from '../../helpers/temp.js';

export type StackName = 'scarthgap' | 'wrynose';
export const STACK_NAMES: readonly StackName[] = ['scarthgap', 'wrynose'];

interface StackSpec {
  bitbake: string;
  oeCore: string;
  metaErlang: string;
  /** BBMASK entries the stack needs to parse at all. */
  bbmask: string[];
}

const STACKS: Record<StackName, StackSpec> = {
  scarthgap: {
    bitbake: 'bitbake-2.8',
    oeCore: 'openembedded-core-scarthgap',
    metaErlang: 'meta-erlang-scarthgap',
    // its wxwidgets bbappend has no base recipe in oe-core scarthgap
    bbmask: ['meta-erlang/recipes-extended/wxwidgets/'],
  },
  wrynose: { bitbake: 'bitbake-2.18', oeCore: 'openembedded-core-wrynose', metaErlang: 'meta-erlang-master', bbmask: [] },
};

/** Host tools oe-core's HOSTTOOLS and base classes need that a bare Debian lacks (see .ci/run). */
export const HOST_TOOLS = ['python3', 'git', 'zstd', 'chrpath', 'diffstat', 'gawk', 'cpio', 'file', 'lz4c', 'pzstd', 'makeinfo', 'wget', 'rpcgen', 'patch', 'xz', 'bzip2', 'gcc', 'g++', 'make', 'perl', 'hostname'];

/** The name of the unprivileged user BitBake runs as when the tests run as root. */
export const BUILD_USER = 'beambake-build';

export const yoctoDir = join(sharedDir, 'yocto');
/** Unpacked stacks, outside the repository and shared by test runs: keyed by the archives' checksums. */
export const stackCacheRoot = resolve(process.env.BEAMBAKE_YOCTO_CACHE ?? '/var/tmp/beambake-yocto');

export interface Stack {
  name: StackName;
  /** The unpacked stack: bitbake/, openembedded-core/, meta-erlang/. */
  root: string;
  bitbakeBin: string;
  /** Layers every build of this stack has, in BBLAYERS order. */
  baseLayers: string[];
  bbmask: string[];
}

export interface BuildUser {
  name: string;
  uid: number;
  gid: number;
  /** False when the tests already run unprivileged: BitBake runs as this process's user. */
  switched: boolean;
}

/** The LANG BitBake runs with: it needs a UTF-8 locale. */
export function buildLocale(): string {
  const r = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const have = (r.stdout ?? '').split('\n').map((l) => l.trim().toLowerCase());
  if (have.includes('en_us.utf8') || have.includes('en_us.utf-8')) return 'en_US.UTF-8';
  if (have.includes('c.utf8') || have.includes('c.utf-8')) return 'C.UTF-8';
  return 'en_US.UTF-8';
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Why the stack's archives cannot be used, or undefined when they are all there and match SHA256SUMS. */
function archiveProblem(spec: StackSpec): { problem?: string; sums: string[] } {
  const sumsFile = join(yoctoDir, 'SHA256SUMS');
  if (!existsSync(sumsFile)) return { problem: `no ${sumsFile}`, sums: [] };
  const listed = new Map(
    readFileSync(sumsFile, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([sum, file]) => [file!.replace(/^\*/, ''), sum!.toLowerCase()]),
  );
  const sums: string[] = [];
  for (const base of [spec.bitbake, spec.oeCore, spec.metaErlang]) {
    const file = `${base}.tar.zst`;
    const sum = listed.get(file);
    if (!sum) return { problem: `${file} is not listed in ${sumsFile}`, sums };
    if (!existsSync(join(yoctoDir, file))) return { problem: `no ${join(yoctoDir, file)}`, sums };
    sums.push(`${sum}  ${file}`);
  }
  return { sums };
}

/**
 * The stack unpacked (once per archive set, atomically, so concurrent test files can share it),
 * or a reason it cannot be. Archives are checked against SHA256SUMS before they are unpacked.
 */
export function bitbakeStack(name: StackName): Stack | { skip: string } {
  const spec = STACKS[name];
  const { problem, sums } = archiveProblem(spec);
  if (problem) return { skip: `the Yocto snapshots are missing (${problem})` };
  if (!hasTool('zstd') || !hasTool('tar')) return { skip: 'needs tar and zstd to unpack the Yocto snapshots' };
  const key = createHash('sha256').update(sums.join('\n')).digest('hex').slice(0, 16);
  const root = join(stackCacheRoot, `${name}-${key}`);
  if (!existsSync(join(root, '.complete'))) {
    mkdirSync(stackCacheRoot, { recursive: true });
    chmodSync(stackCacheRoot, 0o755);
    const tmp = `${root}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/) as [string, string];
      const path = join(yoctoDir, file);
      const actual = sha256File(path);
      if (actual !== sum) throw new Error(`${path}: SHA-256 ${actual} does not match SHA256SUMS (${sum})`);
      execFileSync('tar', ['--zstd', '-xf', path, '-C', tmp, '--no-same-owner']);
    }
    execFileSync('chmod', ['-R', 'a+rX', tmp]);
    writeFileSync(join(tmp, '.complete'), sums.join('\n') + '\n');
    chmodSync(tmp, 0o755);
    try {
      renameSync(tmp, root);
    } catch (e) {
      // another process finished first: use its copy
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(root, '.complete'))) throw e;
    }
  }
  return {
    name,
    root,
    bitbakeBin: join(root, 'bitbake', 'bin'),
    baseLayers: [join(root, 'openembedded-core', 'meta'), join(root, 'meta-erlang')],
    bbmask: spec.bbmask,
  };
}

let userCache: BuildUser | { skip: string } | undefined;

/**
 * The user BitBake runs as: this process's user when it is not root; as root, the system user
 * BUILD_USER (created when missing), through `runuser`.
 */
export function buildUser(): BuildUser | { skip: string } {
  if (userCache) return userCache;
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) {
    userCache = { name: String(spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout).trim(), uid, gid: process.getgid?.() ?? -1, switched: false };
    return userCache;
  }
  if (!hasTool('runuser')) return (userCache = { skip: 'runs as root and has no runuser to run BitBake as an unprivileged user' });
  const id = () => spawnSync('id', ['-u', BUILD_USER], { encoding: 'utf8' });
  if (id().status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', BUILD_USER], { encoding: 'utf8' });
    if (made.status !== 0 && id().status !== 0) return (userCache = { skip: `cannot create the build user ${BUILD_USER}: ${made.stderr.trim()}` });
  }
  const num = (flag: string) => Number(String(spawnSync('id', [flag, BUILD_USER], { encoding: 'utf8' }).stdout).trim());
  userCache = { name: BUILD_USER, uid: num('-u'), gid: num('-g'), switched: true };
  return userCache;
}

/** Why BitBake cannot run here (missing archives, tools or user), or undefined. */
export function bitbakeUnusable(name: StackName): string | undefined {
  const missing = HOST_TOOLS.filter((tool) => !hasTool(tool));
  if (missing.length > 0) return `BitBake needs host tools that are not installed: ${missing.join(', ')}`;
  const user = buildUser();
  if ('skip' in user) return user.skip;
  const stack = bitbakeStack(name);
  return 'skip' in stack ? stack.skip : undefined;
}

/** The stack, or undefined after skipping the test with the reason (failing it under BEAMBAKE_REQUIRE_TOOLCHAINS=1). */
export function needStack(t: TestContext, name: StackName): Stack | undefined {
  const reason = bitbakeUnusable(name);
  if (reason === undefined) return bitbakeStack(name) as Stack;
  if (requireToolchains) throw new Error(`${reason}, and BEAMBAKE_REQUIRE_TOOLCHAINS=1`);
  t.skip(reason);
  return undefined;
}

/** Gives `path` (recursively) to the build user, so BitBake can read it and write below it. */
export function handOver(path: string): void {
  const user = buildUser();
  if ('skip' in user || !user.switched) return;
  const r = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, path], { encoding: 'utf8' });
  // a BitBake server that is still exiting removes its lock and socket files meanwhile
  const real = String(r.stderr ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/: No such file or directory$/.test(l));
  if (r.status !== 0 && real.length > 0) throw new Error(`chown -R ${path}: ${real.join('; ')}`);
}

/** A fresh work directory (removed after the test file) that the build user can use. */
export function bitbakeWorkDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  chmodSync(dir, 0o755);
  handOver(dir);
  return dir;
}

export interface BuildDirOptions {
  /** The build directory (TOPDIR); conf/ is written there. Must lie in a bitbakeWorkDir. */
  dir: string;
  /** Generated layers, after the stack's own. */
  layers: string[];
  /** A flat file mirror (`beambake vendor -o`) that every https:// download is taken from. */
  hexMirror?: string;
  /** Bare git repositories named as the last path element of their URLs (`bb_dep.git`). */
  gitMirror?: string;
  machine?: string;
  /** More local.conf lines, appended. */
  extraLocalConf?: string[];
}

export interface BuildDir {
  stack: Stack;
  dir: string;
  layers: string[];
  /** Everything BitBake must be able to read: handed over before every run. */
  workRoot: string;
}

const bbQuote = (s: string) => {
  if (/["\\\n]/.test(s)) throw new Error(`cannot quote ${JSON.stringify(s)} for BitBake`);
  return `"${s}"`;
};

/**
 * conf/bblayers.conf and conf/local.conf for an offline build: no network, downloads only from
 * the given mirrors, the stack's masks. `workRoot` (default: the build dir's parent) is handed
 * to the build user before each run.
 */
export function buildDir(stack: Stack, opts: BuildDirOptions & { workRoot?: string }): BuildDir {
  const layers = [...stack.baseLayers, ...opts.layers];
  mkdirSync(join(opts.dir, 'conf'), { recursive: true });
  writeFileSync(
    join(opts.dir, 'conf', 'bblayers.conf'),
    ['# written by test/integration/bitbake/harness.ts', 'POKY_BBLAYERS_CONF_VERSION = "2"', 'BBPATH = "${TOPDIR}"', 'BBFILES ?= ""', 'BBLAYERS = " \\', ...layers.map((l) => `    ${l} \\`), '"', ''].join('\n'),
  );
  const premirrors: string[] = [];
  if (opts.gitMirror) premirrors.push(`git://.*/.* git://${opts.gitMirror}/BASENAME;protocol=file`);
  if (opts.hexMirror) premirrors.push(`https?://.*/.* file://${opts.hexMirror}/`);
  const local = [
    '# written by test/integration/bitbake/harness.ts: an offline build',
    `MACHINE = ${bbQuote(opts.machine ?? 'qemuarm64')}`,
    'DISTRO = ""',
    'PACKAGE_CLASSES = "package_ipk"',
    'BB_NO_NETWORK = "1"',
    'BB_FETCH_PREMIRRORONLY = "1"',
    'DL_DIR = "${TOPDIR}/downloads"',
    'SSTATE_DIR = "${TOPDIR}/sstate-cache"',
    'TMPDIR = "${TOPDIR}/tmp"',
    // one BitBake at a time already fills this machine
    'BB_NUMBER_THREADS = "2"',
    'BB_NUMBER_PARSE_THREADS = "2"',
    // uninative's loader is downloaded, which an offline build cannot (a warning on every run)
    'INHERIT:remove = "uninative"',
    ...stack.bbmask.map((m) => `BBMASK += ${bbQuote(m)}`),
    ...(premirrors.length > 0 ? ['PREMIRRORS:prepend = " \\', ...premirrors.map((p) => `    ${p} \\`), '"'] : []),
    ...(opts.extraLocalConf ?? []),
    '',
  ];
  writeFileSync(join(opts.dir, 'conf', 'local.conf'), local.join('\n'));
  const workRoot = opts.workRoot ?? resolve(opts.dir, '..');
  return { stack, dir: opts.dir, layers, workRoot };
}

export interface BitbakeRun {
  status: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages. */
  output: string;
}

/** `bitbake ARGS` in the build directory as the build user, with a clean environment. */
export function runBitbake(build: BuildDir, args: string[], opts: { timeoutMs?: number } = {}): BitbakeRun {
  const user = buildUser();
  if ('skip' in user) throw new Error(user.skip);
  handOver(build.workRoot);
  const home = join(build.workRoot, 'home');
  if (!existsSync(join(home, '.gitconfig'))) {
    mkdirSync(home, { recursive: true });
    // git refuses repositories owned by another user; the mirrors are the test's own
    writeFileSync(join(home, '.gitconfig'), '[safe]\n\tdirectory = *\n[user]\n\tname = beambake-test\n\temail = test@beambake.invalid\n');
    handOver(home);
  }
  const env = [
    `HOME=${home}`,
    `PATH=${build.stack.bitbakeBin}:/usr/sbin:/usr/bin:/sbin:/bin`,
    `LANG=${buildLocale()}`,
    `USER=${user.name}`,
    // Python's set order varies with the hash seed, and oe-core feeds some sets into the
    // configuration: with a random seed every run has another config hash and re-parses everything
    'PYTHONHASHSEED=0',
  ];
  const argv = ['env', '-i', ...env, 'bitbake', ...args];
  const [cmd, full] = user.switched ? ['runuser', ['-u', user.name, '--', ...argv]] : [argv[0]!, argv.slice(1)];
  const r = spawnSync(cmd, full, { cwd: build.dir, encoding: 'utf8', maxBuffer: 256 << 20, timeout: opts.timeoutMs ?? 30 * 60_000 });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '');
  return { status: r.status ?? -1, signal: r.signal, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** The end of a run's output, for assertion messages. */
export function runText(r: BitbakeRun, chars = 6000): string {
  return `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}\n${r.output.slice(-chars)}`;
}

export interface ParseResult {
  run: BitbakeRun;
  /** PN -> the version BitBake prefers (`bitbake -s`: `[epoch:]PV-PR`), from every layer of the build. */
  preferred: Map<string, string>;
  /** From BitBake's summary line: "Parsing of N .bb files complete (C cached, P parsed). T targets, S skipped, M masked, E errors." */
  files: number;
  targets: number;
  skipped: number;
  masked: number;
  errors: number;
  /** Every WARNING:/ERROR: line. */
  warningLines: string[];
  errorLines: string[];
}

/**
 * Parse every recipe of the build, and list the version BitBake prefers for each PN: `bitbake -s`,
 * which parses like `bitbake -p` and then resolves providers. One run instead of `-p` and then
 * `-s`: the first two parses of a new build directory get different configuration hashes (seen
 * with BitBake 2.18), so a `-p` cache is not reused by the command right after it.
 */
export function parseAll(build: BuildDir): ParseResult {
  const run = runBitbake(build, ['-s']);
  const m = /Parsing of (\d+) \.bb files complete \((\d+) cached, (\d+) parsed\)\. (\d+) targets, (\d+) skipped, (\d+) masked, (\d+) errors\./.exec(run.output);
  const lines = run.output.split('\n');
  const preferred = new Map<string, string>();
  // "name   :latest-version   :preferred-version" (the preferred column empty when it is the latest)
  for (const m of run.stdout.matchAll(/^([a-z0-9][a-z0-9.+_-]*)\s+(\S+)(?:\s+(\S+))?\s*$/gm)) {
    const latest = m[2]!.replace(/^:/, '');
    const pref = m[3]?.replace(/^:/, '');
    if (/\d/.test(latest)) preferred.set(m[1]!, pref || latest);
  }
  return {
    run,
    preferred,
    files: m ? Number(m[1]) : -1,
    targets: m ? Number(m[4]) : -1,
    skipped: m ? Number(m[5]) : -1,
    masked: m ? Number(m[6]) : -1,
    errors: m ? Number(m[7]) : -1,
    warningLines: lines.filter((l) => /^WARNING:/.test(l)),
    errorLines: lines.filter((l) => /^ERROR:/.test(l)),
  };
}

export { bitbakeEnv, parseBitbakeEnv, type BitbakeEnv } from './bbenv.js';
