/**
 * A target sysroot staged the way a Yocto build stages one: the target
 * architecture's Debian packages (`apt-get download PKG:ARCH`) unpacked with
 * `dpkg -x`. Cached under os.tmpdir()/beambake-sysroots/<arch> across runs;
 * needs `dpkg --add-architecture <arch>` and `apt-get update` (done by .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SYSROOT_PACKAGES = ['libc6', 'libgcc-s1', 'libstdc++6', 'libtinfo6', 'zlib1g', 'erlang-base', 'erlang-dev'];

/** Whether apt knows packages of this architecture (Debian bookworm has no riscv64). */
export function aptHasArch(arch: string): boolean {
  const r = spawnSync('apt-cache', ['policy', `erlang-base:${arch}`], { encoding: 'utf8' });
  return r.status === 0 && /Candidate: (?!\(none\))/.test(r.stdout);
}

export function stageSysroot(arch: string, packages = SYSROOT_PACKAGES): string {
  const base = join(tmpdir(), 'beambake-sysroots');
  const root = join(base, arch);
  const stamp = join(root, '.beambake-staged');
  if (existsSync(stamp)) return root;
  mkdirSync(base, { recursive: true });
  const work = join(base, `.${arch}.tmp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  const dl = spawnSync('apt-get', ['download', ...packages.map((p) => `${p}:${arch}`)], { cwd: join(work, 'debs'), encoding: 'utf8' });
  if (dl.status !== 0) throw new Error(`apt-get download for ${arch} failed (dpkg --add-architecture ${arch} && apt-get update?):\n${dl.stderr}`);
  for (const deb of readdirSync(join(work, 'debs')).sort()) {
    const x = spawnSync('dpkg', ['-x', join(work, 'debs', deb), join(work, 'root')], { encoding: 'utf8' });
    if (x.status !== 0) throw new Error(`dpkg -x ${deb}: ${x.stderr}`);
  }
  writeFileSync(join(work, 'root', '.beambake-staged'), packages.join('\n') + '\n');
  rmSync(root, { recursive: true, force: true });
  renameSync(join(work, 'root'), root);
  rmSync(work, { recursive: true, force: true });
  return root;
}

/** The target's lib/erlang inside a staged sysroot. */
export function targetErlangRoot(sysroot: string): string {
  return join(sysroot, 'usr', 'lib', 'erlang');
}
