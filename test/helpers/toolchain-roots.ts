/**
 * The BEAM toolchains the build integration tests run against: the build host's own (Debian
 * bookworm in CI: OTP 25, Elixir 1.14, rebar3 3.19) and Debian roots made by
 * scripts/make-toolchain-root (trixie: OTP 27, Elixir 1.18; sid: the newest Debian has). The tests
 * stay on the host (node, beambake's readers); only the toolchain commands (erl, mix, rebar3,
 * python3, gcc, git, apt-get, the release itself) run inside the root, through bubblewrap, with
 * the temporary directory and the repository bound at the same paths so every path means the
 * same inside and out.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from './paths.js';
import { hasTool, requireToolchains } from './toolchain.js';

/** Where scripts/make-toolchain-root puts the roots (one directory per Debian suite). */
export const rootsDir = process.env.BEAMBAKE_ROOTS_DIR ?? '/var/cache/beambake-roots';
/** Written last by scripts/make-toolchain-root: a root without it is unfinished. */
const STAMP = '.beambake-root';

/** The Debian suites with a root, in test order. BEAMBAKE_TOOLCHAIN_ROOTS=none (or "") runs the host only. */
export const ROOT_SUITES = (process.env.BEAMBAKE_TOOLCHAIN_ROOTS ?? 'trixie,sid')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '' && s !== 'none');

const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Toolchain {
  /** 'host' or the Debian suite of the root. */
  name: string;
  /** The root directory on the host; undefined for the host's own toolchain. */
  root?: string;
  /** A file of the toolchain as the host sees it (`p` is the path inside the toolchain). */
  hostPath(p: string): string;
  /** argv running `cmd args` with this toolchain; `offline` adds a network namespace without interfaces. */
  argv(cmd: string, args: string[], opts?: { offline?: boolean; cwd?: string }): [string, string[]];
}

export const hostToolchain: Toolchain = {
  name: 'host',
  hostPath: (p) => p,
  argv: (cmd, args, opts = {}) => (opts.offline && canUnshareNet() ? ['unshare', ['-n', cmd, ...args]] : [cmd, args]),
};

let unshareOk: boolean | undefined;
/** `unshare -n` is permitted here (a network namespace with no interfaces). */
export function canUnshareNet(): boolean {
  unshareOk ??= hasTool('unshare') && spawnSync('unshare', ['-n', 'true']).status === 0;
  return unshareOk;
}

/**
 * bwrap arguments for a read-only view of `root` at / with the host's temporary directory and
 * the repository bound at their own paths: a tmpfs at / (so the mount points can be made) with
 * the root's top-level directories bound read-only and its top-level symlinks (/bin -> usr/bin)
 * recreated. The cached root itself is never written.
 */
function rootBinds(root: string): string[] {
  const tmp = tmpdir();
  const out = ['--tmpfs', '/'];
  // A directory on the way to the repository or the temporary directory (a checkout under /var,
  // say) is made in the tmpfs and its other entries bound one by one: no mount point can be made
  // inside a read-only bind.
  const onTheWay = (dir: string): boolean => [repoRoot, tmp].some((p) => p.startsWith(`${dir}/`));
  const bindChildren = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const inside = `${dir}/${name}`;
      if (dir === '' && (['dev', 'proc', 'tmp', 'sys'].includes(name) || name.startsWith('.'))) continue;
      const st = lstatSync(join(root, inside));
      if (st.isSymbolicLink()) out.push('--symlink', readlinkSync(join(root, inside)), inside);
      else if (st.isDirectory() && onTheWay(inside)) {
        out.push('--dir', inside);
        bindChildren(inside);
      } else if (st.isDirectory()) out.push('--ro-bind', join(root, inside), inside);
    }
  };
  bindChildren('');
  out.push('--dev', '/dev', '--proc', '/proc', '--bind', tmp, tmp, '--ro-bind', repoRoot, repoRoot);
  if (tmp !== '/tmp') out.push('--bind', tmp, '/tmp');
  return out;
}

function rootToolchain(suite: string, root: string): Toolchain {
  let binds: string[] | undefined;
  return {
    name: suite,
    root,
    hostPath: (p) => join(root, p),
    argv: (cmd, args, opts = {}) => {
      binds ??= rootBinds(root);
      const net = opts.offline && canUnshareNet() ? ['--unshare-net'] : [];
      const cwd = opts.cwd ? ['--chdir', opts.cwd] : [];
      return ['bwrap', [...binds, ...net, ...cwd, '--setenv', 'PATH', ROOT_PATH, '--', cmd, ...args]];
    },
  };
}

/** What scripts/make-toolchain-root recorded about a finished root (package versions). */
export function rootStamp(suite: string): string | undefined {
  const p = join(rootsDir, suite, STAMP);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** The toolchain of a Debian root, or undefined when the root has not been made (or bwrap is missing). */
export function rootToolchainOf(suite: string): Toolchain | undefined {
  if (rootStamp(suite) === undefined || !hasTool('bwrap')) return undefined;
  return rootToolchain(suite, join(rootsDir, suite));
}

/** The host and every configured suite; a suite whose root is missing comes back with `missing`. */
export function toolchainMatrix(): { name: string; label: string; toolchain?: Toolchain; missing?: string }[] {
  const out: { name: string; label: string; toolchain?: Toolchain; missing?: string }[] = [{ name: 'host', label: 'host toolchain', toolchain: hostToolchain }];
  for (const suite of ROOT_SUITES) {
    const tc = rootToolchainOf(suite);
    const missing = tc
      ? undefined
      : `no Debian ${suite} root at ${join(rootsDir, suite)} (scripts/make-toolchain-root ${suite} makes it${hasTool('bwrap') ? '' : '; bwrap is not installed'})`;
    out.push({ name: suite, label: `Debian ${suite} root`, toolchain: tc, missing });
  }
  return out;
}

/** spawnSync of `cmd args` with this toolchain (encoding utf8). */
export function runIn(
  tc: Toolchain,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; offline?: boolean; timeoutMs?: number; maxBuffer?: number } = {},
): SpawnSyncReturns<string> {
  const [c, a] = tc.argv(cmd, args, { offline: opts.offline, cwd: opts.cwd });
  return spawnSync(c, a, {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    maxBuffer: opts.maxBuffer ?? 64 << 20,
    timeout: opts.timeoutMs,
  });
}

const toolCache = new Map<string, boolean>();

/** Whether `name` is on the toolchain's PATH. */
export function hasToolIn(tc: Toolchain, name: string): boolean {
  if (tc.root === undefined) return hasTool(name);
  const key = `${tc.name}\0${name}`;
  let found = toolCache.get(key);
  if (found === undefined) {
    found = runIn(tc, 'sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', name]).status === 0;
    toolCache.set(key, found);
  }
  return found;
}

/**
 * True when the toolchain exists and has every tool. Otherwise skips the test with a visible
 * reason, or fails it when BEAMBAKE_REQUIRE_TOOLCHAINS=1.
 */
export function needToolchain(t: TestContext, entry: { toolchain?: Toolchain; missing?: string }, ...tools: string[]): boolean {
  let reason = entry.missing;
  if (!reason && entry.toolchain) {
    const missing = tools.filter((n) => !hasToolIn(entry.toolchain!, n));
    if (missing.length > 0) reason = `needs ${missing.join(', ')} (not installed${entry.toolchain.root ? ` in ${entry.toolchain.root}` : ''})`;
  }
  if (!reason) return true;
  if (requireToolchains) throw new Error(`${reason}, and BEAMBAKE_REQUIRE_TOOLCHAINS=1`);
  t.skip(reason);
  return false;
}

/** The same without a test context (a `before` hook): true when the toolchain is ready. */
export function toolchainReady(entry: { toolchain?: Toolchain }, ...tools: string[]): entry is { toolchain: Toolchain } {
  return entry.toolchain !== undefined && tools.every((n) => hasToolIn(entry.toolchain!, n));
}
