/**
 * The fixture Elixir app of test/fixtures/build/mix/ set up the way a recipe's fetch leaves it:
 * its Hex packages as real Hex v3 tarballs where SRC_URI puts them, a mix.lock pinning their
 * checksums, and the layer's own scripts (beambake_deps unpack, beambake-build-mix) to unpack
 * and build it. Shared by the native build test and the cross/emulation tests, which differ
 * only in the target Erlang root and the compiler environment they pass.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHexTarball, type HexTarballSpec } from '../../src/hex/tarball.js';
import { hexDownloadFilename, HEX_SUBDIR } from '../../src/bitbake/names.js';
import { fixturesDir, repoRoot } from '../helpers/paths.js';
import { hasTool } from '../helpers/toolchain.js';

export const fixture = join(fixturesDir, 'build', 'mix');
export const scripts = join(repoRoot, 'meta-beam-templates', 'scripts');
export const APP = 'beambake_demo';
export const SOURCE_DATE_EPOCH = '1700000000';

export interface PackageDef {
  dir: string;
  name: string;
  version: string;
  build_tools: string[];
  licenses: string[];
  requirements: Record<string, { requirement: string }>;
}
export interface Built {
  def: PackageDef;
  file: string;
  outer: string;
  inner: string;
}

export const packageDefs: PackageDef[] = JSON.parse(readFileSync(join(fixture, 'packages', 'packages.json'), 'utf8')).packages;

function filesOf(dir: string, base = dir): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, filesOf(p, base));
    else out[relative(base, p).split('\\').join('/')] = readFileSync(p);
  }
  return out;
}

function specOf(def: PackageDef): HexTarballSpec {
  return {
    name: def.name,
    version: def.version,
    app: def.name,
    description: `beambake fixture package ${def.name}`,
    licenses: def.licenses,
    build_tools: def.build_tools,
    requirements: Object.fromEntries(
      Object.entries(def.requirements).map(([dep, r]) => [dep, { app: dep, requirement: r.requirement, optional: false, repository: 'hexpm' }]),
    ),
    files: filesOf(join(fixture, 'packages', def.dir)),
  };
}

export type TarballTweak = (def: PackageDef, spec: HexTarballSpec) => Buffer | undefined;

/** Writes every fixture package as a Hex tarball where the recipe's SRC_URI puts it. */
function writeTarballs(srcDir: string, tweak: TarballTweak = () => undefined): Built[] {
  const hexDir = join(srcDir, ...HEX_SUBDIR.split('/'));
  mkdirSync(hexDir, { recursive: true });
  return packageDefs.map((def) => {
    const spec = specOf(def);
    const tarball = tweak(def, spec) ?? createHexTarball(spec).tarball;
    const file = hexDownloadFilename({ name: def.name, version: def.version, repository: 'hexpm' });
    writeFileSync(join(hexDir, file), tarball);
    const inner = readInnerChecksum(tarball);
    return { def, file, outer: createHash('sha256').update(tarball).digest('hex'), inner };
  });
}

/** CHECKSUM of an outer tar (ustar: name at 0, size at 124, data after the 512-byte header). */
function readInnerChecksum(tarball: Buffer): string {
  for (let pos = 0; pos + 512 <= tarball.length; ) {
    const name = tarball.subarray(pos, pos + 100).toString('latin1').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(tarball.subarray(pos + 124, pos + 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    if (name === 'CHECKSUM') return tarball.subarray(pos + 512, pos + 512 + size).toString('latin1').toLowerCase();
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no CHECKSUM in tarball');
}

function mixLock(built: Built[], override: (b: Built) => Partial<Built> = () => ({})): string {
  const lines = [...built]
    .sort((a, b) => (a.def.name < b.def.name ? -1 : 1))
    .map((b0) => {
      const b = { ...b0, ...override(b0) };
      const deps = Object.entries(b.def.requirements)
        .map(([dep, r]) => `{:${dep}, "${r.requirement}", [hex: :${dep}, repo: "hexpm", optional: false]}`)
        .join(', ');
      const managers = b.def.build_tools.map((t) => `:${t}`).join(', ');
      return `  "${b.def.name}": {:hex, :${b.def.name}, "${b.def.version}", "${b.inner}", [${managers}], [${deps}], "hexpm", "${b.outer}"},`;
    });
  return `%{\n${lines.join('\n')}\n}\n`;
}

/** BEAM_HEX_DEPS records for the built tarballs, as the recipe's .inc would hold them. */
export function hexRecords(built: Built[], override: (b: Built) => Partial<Built> = () => ({})): string {
  return built
    .map((b0) => {
      const b = { ...b0, ...override(b0) };
      return `app=${b.def.name},name=${b.def.name},version=${b.def.version},repo=hexpm,outer=${b.outer},inner=${b.inner},file=${b.file}`;
    })
    .join(' ');
}

/** `unshare -n` when this machine allows it (a network namespace with no interfaces). */
export const canUnshare = hasTool('unshare') && spawnSync('unshare', ['-n', 'true']).status === 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, offline = false): SpawnSyncReturns<string> {
  const [c, a] = offline && canUnshare ? ['unshare', ['-n', cmd, ...args]] : [cmd, args];
  return spawnSync(c, a, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: 20 * 60_000 });
}

export interface Work {
  dir: string;
  src: string;
  project: string;
  output: string;
  built: Built[];
}

/** A fresh work directory: the app copied to src/<app>, tarballs in the unpack dir, mix.lock written. */
export function prepare(opts: { tweak?: TarballTweak; lock?: (b: Built) => Partial<Built>; prefix?: string } = {}): Work {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix ?? 'bb-mix-build-'));
  const src = join(dir, 'unpackdir');
  const project = join(dir, 'src', APP);
  cpSync(join(fixture, 'app'), project, { recursive: true });
  const built = writeTarballs(src, opts.tweak);
  writeFileSync(join(project, 'mix.lock'), mixLock(built, opts.lock));
  return { dir, src, project, output: join(dir, 'release'), built };
}

/** `beambake_deps unpack --layout mix` of the work directory's tarballs. */
export function unpack(w: Work, records: string): SpawnSyncReturns<string> {
  return run('python3', [join(scripts, 'beambake_deps'), 'unpack', '--layout', 'mix', '--hex', records, '--git', '', '--src-dir', w.src, '--project', w.project], {});
}

/**
 * `beambake-build-mix all` against `targetRoot` (a lib/erlang), offline; `env` adds or overrides
 * the compiler environment (CC, CFLAGS, ...) the way beambake-deps.bbclass exports it.
 */
export function build(w: Work, targetRoot: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return run(
    'sh',
    [join(scripts, 'beambake-build-mix'), 'all', '--project', w.project, '--target-erlang-root', targetRoot, '--output', w.output],
    { SOURCE_DATE_EPOCH, MIX_ENV: 'prod', HEX_OFFLINE: '1', CC: 'cc', BEAMBAKE_TMPDIR: w.dir, ...env },
    true,
  );
}

export function failureText(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}
