/**
 * Running the layer's own scripts (meta-beam-templates/scripts) the way its classes run them,
 * optionally without network, and describing a failed run.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { canUnshareNet, hostToolchain, type Toolchain } from '../helpers/toolchain-roots.js';

export const scripts = join(repoRoot, 'meta-beam-templates', 'scripts');

/** `unshare -n` when this machine allows it (a network namespace with no interfaces). */
export const canUnshare = canUnshareNet();

export interface RunOptions {
  /** Added to (or overriding) this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** In a network namespace without interfaces, when `canUnshare`. */
  offline?: boolean;
  timeoutMs?: number;
  cwd?: string;
  /** The toolchain the command runs with (default: the host's). */
  toolchain?: Toolchain;
}

/** Builds print a lot (rebar3, mix deps.compile): room for all of it, so a failure shows its end. */
const MAX_OUTPUT = 64 << 20;

export function runTool(cmd: string, args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  const [c, a] = (opts.toolchain ?? hostToolchain).argv(cmd, args, { offline: opts.offline, cwd: opts.cwd });
  return spawnSync(c, a, { cwd: opts.cwd, encoding: 'utf8', env: { ...process.env, ...opts.env }, maxBuffer: MAX_OUTPUT, timeout: opts.timeoutMs });
}

/** `python3 scripts/<script> ...args`. */
export function runScript(script: string, args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  return runTool('python3', [join(scripts, script), ...args], opts);
}

/** What do_beam_unpack_deps runs: `beambake_deps unpack` of the fetched dependencies into a project. */
export function unpackDeps(
  layout: 'mix' | 'rebar3' | 'gleam',
  records: { hex: string; git?: string },
  dirs: { src: string; project: string },
  opts: RunOptions & { extra?: string[] } = {},
): SpawnSyncReturns<string> {
  const git = records.git === undefined ? [] : ['--git', records.git];
  return runScript(
    'beambake_deps',
    ['unpack', '--layout', layout, '--hex', records.hex, ...git, '--src-dir', dirs.src, '--project', dirs.project, ...(opts.extra ?? [])],
    opts,
  );
}

/** Exit, signal and the tail of both streams, as an assertion message. */
export function failureText(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status} signal ${r.signal}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** A fixture's unpack step and, only when that succeeded, its build. */
export interface UnpackedBuild {
  unpack: SpawnSyncReturns<string>;
  build?: SpawnSyncReturns<string>;
}

export function unpackThenBuild(unpack: () => SpawnSyncReturns<string>, build: () => SpawnSyncReturns<string>): UnpackedBuild {
  const u = unpack();
  return u.status === 0 ? { unpack: u, build: build() } : { unpack: u };
}

/** Both steps succeeded; otherwise the failing one's output is the message. */
export function assertUnpackedAndBuilt(r: UnpackedBuild): void {
  assert.equal(r.unpack.status, 0, failureText(r.unpack));
  assert.equal(r.build?.status, 0, r.build && failureText(r.build));
}
