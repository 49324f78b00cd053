/**
 * Dependencies of the build fixtures (test/fixtures/build/<tool>/) set up as a recipe's fetch
 * leaves them: each package directory turned into a real Hex v3 tarball where SRC_URI puts it,
 * each git dependency a local repository with a fixed history, cloned at its pinned commit where
 * the git fetcher puts it. Lock files are per tool (mix-fixture.ts, rebar3-fixture.ts,
 * gleam-unpack.test.ts); the recipe records come from them through beambake's own reader and
 * renderer.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHexTarball, type HexTarballSpec } from '../../src/hex/tarball.js';
import { parseTar } from '../../src/hex/tar.js';
import { hexDownloadFilename, HEX_SUBDIR } from '../../src/bitbake/names.js';
import { readProject } from '../../src/lockfiles/index.js';
import { gitEntry, hexEntry } from '../../src/bitbake/srcuri.js';
import { gitRecord, hexRecord } from '../../src/bitbake/render.js';
import { makeTempDir } from '../helpers/temp.js';
import { filesOf } from './tree.js';

/** One entry of a fixture's packages/packages.json; `app` defaults to the package name. */
export interface PackageDef {
  dir: string;
  name: string;
  app?: string;
  version: string;
  build_tools: string[];
  licenses: string[];
  requirements: Record<string, { app?: string; requirement: string }>;
}

export interface Built {
  def: PackageDef;
  /** File name in the Hex download directory. */
  file: string;
  outer: string;
  inner: string;
}

/** Replaces a package's tarball (e.g. with another name in metadata.config); undefined keeps it. */
export type TarballTweak = (def: PackageDef, spec: HexTarballSpec) => Buffer | undefined;

export function loadPackageDefs(fixture: string): PackageDef[] {
  return JSON.parse(readFileSync(join(fixture, 'packages', 'packages.json'), 'utf8')).packages;
}

export function hexSpecOf(fixture: string, def: PackageDef): HexTarballSpec {
  return {
    name: def.name,
    version: def.version,
    app: def.app ?? def.name,
    description: `beambake fixture package ${def.name}`,
    licenses: def.licenses,
    build_tools: def.build_tools,
    requirements: Object.fromEntries(
      Object.entries(def.requirements).map(([pkg, r]) => [pkg, { app: r.app ?? pkg, requirement: r.requirement, optional: false, repository: 'hexpm' }]),
    ),
    files: filesOf(join(fixture, 'packages', def.dir)),
  };
}

/** Where the recipe's SRC_URI puts a Hex package under the unpack directory. */
export function hexTarballPath(src: string, name: string, version: string): string {
  return join(src, ...HEX_SUBDIR.split('/'), hexDownloadFilename({ name, version, repository: 'hexpm' }));
}

/** The CHECKSUM file of a Hex tarball as it stands (a tampered one included), lowercase. */
function innerChecksumOf(tarball: Buffer): string {
  const entry = parseTar(tarball).find((e) => e.path === 'CHECKSUM');
  if (!entry) throw new Error('no CHECKSUM in tarball');
  return entry.data.toString('latin1').toLowerCase();
}

/** Writes every fixture package as a Hex tarball where the recipe's SRC_URI puts it. */
export function writeHexTarballs(src: string, fixture: string, defs: PackageDef[], tweak?: TarballTweak): Built[] {
  mkdirSync(join(src, ...HEX_SUBDIR.split('/')), { recursive: true });
  return defs.map((def) => {
    const spec = hexSpecOf(fixture, def);
    const tarball = tweak?.(def, spec) ?? createHexTarball(spec).tarball;
    const path = hexTarballPath(src, def.name, def.version);
    writeFileSync(path, tarball);
    return { def, file: hexDownloadFilename({ name: def.name, version: def.version, repository: 'hexpm' }), outer: createHash('sha256').update(tarball).digest('hex'), inner: innerChecksumOf(tarball) };
  });
}

/** A build fixture staged in a fresh work directory. */
export interface FixtureWork {
  dir: string;
  /** The unpack directory (${UNPACKDIR}): what the recipe fetched. */
  src: string;
  /** The app's copy, src/<app> under `dir`. */
  project: string;
  /** Where the build puts the release. */
  output: string;
  built: Built[];
}

/**
 * A fresh work directory (removed after the test file): the fixture's app copied to src/<app>
 * and its Hex packages where the recipe's SRC_URI puts them. The lock file is the caller's.
 */
export function stageFixture(fixture: string, defs: PackageDef[], opts: { prefix: string; app: string; tweak?: TarballTweak }): FixtureWork {
  const dir = makeTempDir(opts.prefix);
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'src', opts.app);
  cpSync(join(fixture, 'app'), project, { recursive: true });
  const built = writeHexTarballs(src, fixture, defs, opts.tweak);
  return { dir, src, project, output: join(dir, 'release'), built };
}

/** Flips one bit in the middle of a file: the smallest change a checksum must catch. */
export function flipMiddleByte(path: string): void {
  const data = readFileSync(path);
  data[data.length >> 1] ^= 0x01;
  writeFileSync(path, data);
}

/** git with a fixed identity and dates, so the fixture repositories' commits are the same every run. */
export function fixtureGit(cwd: string, ...args: string[]): string {
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

/** `from` copied to `repo` and committed as one commit on main; returns its hash. */
export function commitFixtureRepo(from: string, repo: string): string {
  cpSync(from, repo, { recursive: true });
  fixtureGit(repo, 'init', '-q', '-b', 'main');
  fixtureGit(repo, 'add', '-A');
  fixtureGit(repo, 'commit', '-q', '-m', `${basename(from)} fixture`);
  return fixtureGit(repo, 'rev-parse', 'HEAD');
}

/** What the git fetcher leaves in ${UNPACKDIR}/beam-deps/git/<app>: a clone at the pinned rev. */
export function cloneAt(repo: string, rev: string, src: string, app: string): string {
  const dest = join(src, 'beam-deps', 'git', app);
  mkdirSync(join(src, 'beam-deps', 'git'), { recursive: true });
  fixtureGit(src, 'clone', '-q', '--no-checkout', repo, dest);
  fixtureGit(dest, 'checkout', '-q', rev);
  return dest;
}

export interface RecipeRecords {
  hex: string;
  git: string;
}

/** BEAM_HEX_DEPS and BEAM_GIT_DEPS exactly as `beambake recipe` renders them from the project's lock. */
export async function recipeRecords(project: string): Promise<RecipeRecords> {
  const p = await readProject(project);
  return {
    hex: p.packages.flatMap((pkg) => (pkg.source === 'hex' ? [hexRecord(hexEntry(pkg, new Map()))] : [])).join(' '),
    git: p.packages.flatMap((pkg) => (pkg.source === 'git' ? [gitRecord(gitEntry(pkg))] : [])).join(' '),
  };
}
