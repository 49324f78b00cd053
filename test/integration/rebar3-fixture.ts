/**
 * The fixture rebar3 release of test/fixtures/build/rebar3/ set up the way a recipe's fetch
 * leaves it: two Hex packages (bb_greet -> bb_util, published as bb_util_pkg) as real Hex
 * tarballs where SRC_URI puts them, two git dependencies (plain git, and git_subdir of a
 * repository with two applications) cloned at their pinned commits, and a rebar.lock pinning
 * them all; plus the layer's own scripts (beambake_deps unpack --layout rebar3,
 * beambake-build-rebar3) to unpack and build it. Shared by the build, tamper and layer tests.
 */
import { type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../helpers/paths.js';
import { cloneAt, commitFixtureRepo, loadPackageDefs, stageFixture, type Built, type FixtureWork, type RecipeRecords, type TarballTweak } from './hex-fixtures.js';
import { hostToolchain, type Toolchain } from '../helpers/toolchain-roots.js';
import { runScript, unpackDeps } from './run-script.js';
import { makeTempDir } from '../helpers/temp.js';

export const TOOLS = ['erl', 'escript', 'rebar3', 'python3', 'git'];
export const fixture = join(fixturesDir, 'build', 'rebar3');
export const GIT_URL = 'https://git.example.invalid';
/** The git dependencies: app -> the fixture repository it comes from. */
export const GIT_DEPS = [
  ['bb_gitdep', 'bb_gitdep'],
  ['bb_sub', 'bb_mono'],
] as const;
const TIMEOUT_MS = 10 * 60_000;

export const packageDefs = loadPackageDefs(fixture);

let repos: Record<string, { path: string; rev: string }> | undefined;

/** The fixture's git dependencies as local repositories (made once per test file): name -> {path, rev}. */
export function gitRepos(): Record<string, { path: string; rev: string }> {
  // Made again if its directory went away meanwhile (the commits are the same: fixed dates).
  if (repos && Object.values(repos).every((r) => existsSync(r.path))) return repos;
  const dir = makeTempDir('bb-rebar3-git-');
  const made: Record<string, { path: string; rev: string }> = {};
  for (const name of readdirSync(join(fixture, 'git')).sort()) {
    const path = join(dir, name);
    made[name] = { path, rev: commitFixtureRepo(join(fixture, 'git', name), path) };
  }
  repos = made;
  return repos;
}

export function rebarLock(built: Built[], override: (b: Built) => Partial<Built> = () => ({})): string {
  const r = gitRepos();
  const entries: [string, string][] = [
    ['bb_gitdep', `{git,"${GIT_URL}/bb_gitdep.git",{ref,"${r.bb_gitdep!.rev}"}},0`],
    ['bb_sub', `{git_subdir,"${GIT_URL}/bb_mono.git",{ref,"${r.bb_mono!.rev}"},"apps/bb_sub"},0`],
  ];
  const hashes: [string, string, string][] = [];
  for (const b0 of built) {
    const b = { ...b0, ...override(b0) };
    const app = b.def.app ?? b.def.name;
    const level = packageDefs.some((d) => Object.keys(d.requirements).includes(b.def.name)) ? 1 : 0;
    entries.push([app, `{pkg,<<"${b.def.name}">>,<<"${b.def.version}">>},${level}`]);
    hashes.push([app, b.inner.toUpperCase(), b.outer.toUpperCase()]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  hashes.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return (
    `{"1.2.0",\n[${entries.map(([app, src]) => `{<<"${app}">>,${src}}`).join(',\n ')}]}.\n[\n` +
    `{pkg_hash,[\n${hashes.map(([app, inner]) => ` {<<"${app}">>, <<"${inner}">>}`).join(',\n')}]},\n` +
    `{pkg_hash_ext,[\n${hashes.map(([app, , outer]) => ` {<<"${app}">>, <<"${outer}">>}`).join(',\n')}]}\n].\n`
  );
}

export type Work = FixtureWork;

export interface PrepareOptions {
  /** Replace a package's tarball (e.g. one with another name in metadata.config). */
  tweak?: TarballTweak;
  /** Change rebar.lock before the recipe records are made from it. */
  lock?: (b: Built) => Partial<Built>;
}

/** A project copy, the fetched files where BitBake's fetcher puts them, and rebar.lock (removed after the test file). */
export function prepare(opts: PrepareOptions = {}): Work {
  const w = stageFixture(fixture, packageDefs, { prefix: 'bb-rebar3-build-', app: 'bbrel', tweak: opts.tweak });
  const r = gitRepos();
  for (const [app, repo] of GIT_DEPS) cloneAt(r[repo]!.path, r[repo]!.rev, w.src, app);
  writeFileSync(join(w.project, 'rebar.lock'), rebarLock(w.built, opts.lock));
  return w;
}

/** `beambake_deps unpack --layout rebar3`, offline. */
export function unpack(w: Work, records: RecipeRecords, tc: Toolchain = hostToolchain): SpawnSyncReturns<string> {
  return unpackDeps('rebar3', records, w, { env: { REBAR_CACHE_DIR: '' }, offline: true, timeoutMs: TIMEOUT_MS, toolchain: tc });
}

/** `beambake-build-rebar3` of the prod profile against `targetRoot` (a lib/erlang), offline. */
export function build(w: Work, targetRoot: string, tc: Toolchain = hostToolchain): SpawnSyncReturns<string> {
  const home = join(w.dir, 'home');
  mkdirSync(home, { recursive: true });
  return runScript('beambake-build-rebar3', ['--project', w.project, '--profile', 'prod', '--target-erlang', targetRoot, '--output', w.output], {
    env: { HOME: home, REBAR_CACHE_DIR: '', SOURCE_DATE_EPOCH: '1700000000' },
    offline: true,
    timeoutMs: TIMEOUT_MS,
    toolchain: tc,
  });
}

/** The rebar3 cache directory the unpack step fills (rebar3 reads packages from there). */
export function rebarHexCache(w: Work): string {
  return join(w.project, '.beambake', 'rebar3-cache', 'hex');
}
