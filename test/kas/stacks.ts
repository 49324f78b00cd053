/**
 * Local git repositories made from the offline Yocto snapshots of
 * ../shared/yocto (bitbake, openembedded-core, meta-erlang per stack), for
 * running the real kas offline: each archive is unpacked, committed once and
 * cloned bare; the kas file then pins those commits with --repo-commit.
 * Also the Debian trixie root with a current kas (.ci/run builds it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sharedDir } from '../helpers/paths.js';

export const yoctoDir = join(sharedDir, 'yocto');

export const STACKS = {
  scarthgap: { bitbake: 'bitbake-2.8', 'openembedded-core': 'openembedded-core-scarthgap', 'meta-erlang': 'meta-erlang-scarthgap' },
  wrynose: { bitbake: 'bitbake-2.18', 'openembedded-core': 'openembedded-core-wrynose', 'meta-erlang': 'meta-erlang-master' },
} as const;
export type Stack = keyof typeof STACKS;

/** Why the snapshots cannot be used, or null. */
export function snapshotsMissing(stack: Stack): string | null {
  const missing = Object.values(STACKS[stack]).filter((a) => !existsSync(join(yoctoDir, `${a}.tar.zst`)));
  return missing.length > 0 ? `no Yocto snapshot ${missing.join(', ')} in ${yoctoDir}` : null;
}

export function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout.trim();
}

export function git(cwd: string, ...args: string[]): string {
  return run('git', ['-c', 'user.name=beambake test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], cwd);
}

export interface StackRepos {
  /** Repository name -> file:// URL of the bare clone. */
  urls: Record<string, string>;
  /** Repository name -> the commit the clone's branch points at. */
  commits: Record<string, string>;
}

/** Bare repositories under `work`, one commit each holding a snapshot. */
export function makeStackRepos(work: string, stack: Stack): StackRepos {
  const urls: Record<string, string> = {};
  const commits: Record<string, string> = {};
  for (const [name, archive] of Object.entries(STACKS[stack])) {
    const src = join(work, 'src', stack);
    mkdirSync(src, { recursive: true });
    run('tar', ['--zstd', '-xf', join(yoctoDir, `${archive}.tar.zst`), '-C', src]);
    const dir = join(src, name);
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `${archive} snapshot`);
    const bare = join(work, 'remotes', stack, `${name}.git`);
    git(work, 'clone', '-q', '--bare', dir, bare);
    urls[name] = `file://${bare}`;
    commits[name] = git(bare, 'rev-parse', 'HEAD');
  }
  return { urls, commits };
}

/** The Debian trixie root with kas 4.x (.ci/run: mmdebstrap --variant=apt --include=kas,git trixie). */
export const trixieKasRoot = process.env.BEAMBAKE_KAS_ROOT ?? '/var/cache/beambake-roots/trixie-kas';

/** Why the trixie kas cannot run here, or null. */
export function trixieKasMissing(): string | null {
  if (!existsSync(join(trixieKasRoot, 'usr', 'bin', 'kas'))) return `no Debian trixie root with kas at ${trixieKasRoot} (.ci/run builds it with mmdebstrap)`;
  if (process.getuid?.() !== 0) return 'running kas in the trixie root needs root (chroot and a private mount namespace)';
  if (spawnSync('unshare', ['--version']).status !== 0) return 'needs unshare (util-linux)';
  return null;
}

/**
 * Run `kas ARGS` from the trixie root, offline (a new network namespace with
 * no interfaces but lo), with `work` bind-mounted at the same path inside so
 * the file:// URLs and paths mean the same in and out. The namespace is
 * private: the mounts disappear with the process.
 */
export function trixieKas(work: string, cwd: string, env: Record<string, string>, args: string[]) {
  const mountPoint = join(trixieKasRoot, work);
  mkdirSync(mountPoint, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -e',
    `mount --bind ${quote(work)} ${quote(mountPoint)}`,
    `mount -t proc proc ${quote(join(trixieKasRoot, 'proc'))}`,
    `mount --rbind /dev ${quote(join(trixieKasRoot, 'dev'))}`,
    `exec chroot ${quote(trixieKasRoot)} /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 ${Object.entries(env)
      .map(([k, v]) => quote(`${k}=${v}`))
      .join(' ')} sh -c ${quote(`cd ${quote(cwd)} && exec kas "$@"`)} kas ${args.map(quote).join(' ')}`,
  ].join('\n');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--net', 'sh', '-c', script], { encoding: 'utf8', timeout: 600_000 });
  // The mounts ended with the namespace: only the empty mount point directories are left in the root.
  for (let d = mountPoint; d.startsWith(join(trixieKasRoot, 'tmp') + '/') || d.startsWith(join(trixieKasRoot, 'var') + '/'); d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      break;
    }
  }
  return r;
}
