/**
 * The fixture Elixir app of test/fixtures/build/mix/ set up the way a recipe's fetch leaves it:
 * its Hex packages as real Hex v3 tarballs where SRC_URI puts them, a mix.lock pinning their
 * checksums, and the layer's own scripts (beambake_deps unpack, beambake-build-mix) to unpack
 * and build it. Shared by the native build test and the cross/emulation tests, which differ
 * only in the target Erlang root and the compiler environment they pass.
 */
import { type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../helpers/paths.js';
import { loadPackageDefs, stageFixture, type Built, type FixtureWork, type TarballTweak } from './hex-fixtures.js';
import { hostToolchain, type Toolchain } from '../helpers/toolchain-roots.js';
import { runTool, scripts, unpackDeps } from './run-script.js';

export const fixture = join(fixturesDir, 'build', 'mix');
export const APP = 'beambake_demo';
export const SOURCE_DATE_EPOCH = '1700000000';
const TIMEOUT_MS = 20 * 60_000;

export const packageDefs = loadPackageDefs(fixture);

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

export type Work = FixtureWork;

/** A fresh work directory (removed after the test file): app, tarballs in the unpack dir, mix.lock. */
export function prepare(opts: { tweak?: TarballTweak; lock?: (b: Built) => Partial<Built>; prefix?: string } = {}): Work {
  const w = stageFixture(fixture, packageDefs, { prefix: opts.prefix ?? 'bb-mix-build-', app: APP, tweak: opts.tweak });
  writeFileSync(join(w.project, 'mix.lock'), mixLock(w.built, opts.lock));
  return w;
}

/** `beambake_deps unpack --layout mix` of the work directory's tarballs. */
export function unpack(w: Work, records: string, tc: Toolchain = hostToolchain): SpawnSyncReturns<string> {
  return unpackDeps('mix', { hex: records, git: '' }, w, { timeoutMs: TIMEOUT_MS, toolchain: tc });
}

/**
 * `beambake-build-mix all` against `targetRoot` (a lib/erlang), offline; `env` adds or overrides
 * the compiler environment (CC, CFLAGS, ...) the way beambake-deps.bbclass exports it.
 */
export function build(w: Work, targetRoot: string, env: NodeJS.ProcessEnv = {}, tc: Toolchain = hostToolchain): SpawnSyncReturns<string> {
  return runTool('sh', [join(scripts, 'beambake-build-mix'), 'all', '--project', w.project, '--target-erlang-root', targetRoot, '--output', w.output], {
    env: { SOURCE_DATE_EPOCH, MIX_ENV: 'prod', HEX_OFFLINE: '1', CC: 'cc', BEAMBAKE_TMPDIR: w.dir, ...env },
    offline: true,
    timeoutMs: TIMEOUT_MS,
    toolchain: tc,
  });
}
