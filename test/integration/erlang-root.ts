/**
 * Erlang installations the builds take ERTS and OTP applications from: the build host's, and a
 * stand-in for a target sysroot's lib/erlang made from it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostToolchain, runIn, type Toolchain } from '../helpers/toolchain-roots.js';

/**
 * The ERTS file the stand-in marks: a shell script every Erlang install ships (Debian's erlang-base
 * has no start_erl.src) and that Mix and relx both copy into a release's erts-<vsn>/bin.
 */
const MARKED_ERTS_SCRIPT = 'start';

/** What the stand-in's marked files end with, so a test can see the release took them from there. */
export const MARKER = '%% beambake target sysroot marker';

const roots = new Map<string, string>();

/** code:root_dir() of the `erl` on the toolchain's PATH (the path inside the toolchain). */
export function hostErlangRoot(tc: Toolchain = hostToolchain): string {
  let root = roots.get(tc.name);
  if (root === undefined) {
    root = runIn(tc, 'erl', ['-noshell', '-eval', 'io:format("~s", [code:root_dir()]), halt().']).stdout ?? '';
    roots.set(tc.name, root);
  }
  return root;
}

/** The erts-<vsn> directory of an Erlang root or a release. */
export function ertsDirOf(root: string): string {
  const erts = readdirSync(root).find((n) => n.startsWith('erts-'));
  if (!erts) throw new Error(`${root}: no erts-<vsn> directory`);
  return erts;
}

/** A hard-linked copy (cheap), a real copy where links are impossible. */
function linkTree(from: string, to: string): void {
  if (spawnSync('cp', ['-al', from, to]).status !== 0) cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

export interface TargetRoot {
  /** The stand-in lib/erlang. */
  root: string;
  ertsDir: string;
  /** The application whose .app file is marked, and its <app>-<vsn> directory. */
  mark: string;
  markedAppDir: string;
}

/**
 * A stand-in for the target sysroot's lib/erlang under `dir`: the toolchain's install hard-linked (all of
 * it, or ERTS and `apps` only), with erts-<vsn>/bin/start and `mark`'s .app file
 * replaced by copies ending in MARKER.
 */
export function makeTargetRoot(dir: string, opts: { mark: string; apps?: string[] }, tc: Toolchain = hostToolchain): TargetRoot {
  const host = tc.hostPath(hostErlangRoot(tc));
  const root = join(dir, 'sysroot', 'usr', 'lib', 'erlang');
  const ertsDir = ertsDirOf(host);
  if (opts.apps) {
    mkdirSync(join(root, 'lib'), { recursive: true });
    const libs = readdirSync(join(host, 'lib')).filter((n) => opts.apps!.includes(n.replace(/-[^-]*$/, '')));
    for (const rel of [ertsDir, ...libs.map((l) => join('lib', l))]) linkTree(join(host, rel), join(root, rel));
  } else {
    mkdirSync(join(dir, 'sysroot', 'usr', 'lib'), { recursive: true });
    linkTree(host, root);
  }
  const markedAppDir = readdirSync(join(root, 'lib')).find((n) => n.startsWith(`${opts.mark}-`))!;
  for (const rel of [join(ertsDir, 'bin', MARKED_ERTS_SCRIPT), join('lib', markedAppDir, 'ebin', `${opts.mark}.app`)]) {
    const p = join(root, rel);
    const text = readFileSync(p, 'utf8');
    rmSync(p); // break the hard link before writing
    writeFileSync(p, rel.endsWith('.app') ? `${text}\n${MARKER}\n` : `${text}\n# ${MARKER}\n`, { mode: 0o755 });
  }
  return { root, ertsDir, mark: opts.mark, markedAppDir };
}

/** `release` took ERTS and the marked application from the stand-in `target`, not from the build host. */
export function assertFromTargetRoot(release: string, target: TargetRoot): void {
  assert.match(readFileSync(join(release, target.ertsDir, 'bin', MARKED_ERTS_SCRIPT), 'utf8'), new RegExp(MARKER));
  assert.match(readFileSync(join(release, 'lib', target.markedAppDir, 'ebin', `${target.mark}.app`), 'utf8'), new RegExp(MARKER));
}
