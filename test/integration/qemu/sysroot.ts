/**
 * A target sysroot staged the way a Yocto build stages one: the target
 * architecture's Debian packages (`apt-get download PKG:ARCH`) unpacked with
 * `dpkg -x`. Needs `dpkg --add-architecture <arch>` and `apt-get update`
 * (done by .ci/run).
 *
 * Cached across runs under os.tmpdir()/beambake-sysroots/<arch>-<hash of the
 * package list>: a finished sysroot appears by one rename of a complete
 * directory, so test files staging the same sysroot in parallel never see a
 * half-unpacked tree, and none ever deletes a tree another may be using.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Erlang's runtime and headers and what its executables link: beam.smp needs libtinfo and zlib,
 * epmd libsystemd (socket activation in Debian's build) and that library's own dependencies.
 */
export const SYSROOT_PACKAGES = [
  'libc6',
  'libgcc-s1',
  'libstdc++6',
  'libtinfo6',
  'zlib1g',
  'libsystemd0',
  'libcap2',
  'libgcrypt20',
  'libgpg-error0',
  'liblz4-1',
  'liblzma5',
  'libzstd1',
  'erlang-base',
  'erlang-dev',
];

const STAMP = '.beambake-staged';

/** Whether apt knows packages of this architecture (Debian bookworm has no riscv64). */
export function aptHasArch(arch: string): boolean {
  const r = spawnSync('apt-cache', ['policy', `erlang-base:${arch}`], { encoding: 'utf8' });
  return r.status === 0 && /Candidate: (?!\(none\))/.test(r.stdout);
}

export function stageSysroot(arch: string, packages = SYSROOT_PACKAGES): string {
  const base = join(tmpdir(), 'beambake-sysroots');
  const key = createHash('sha256').update(`${arch}\n${[...packages].sort().join('\n')}`).digest('hex').slice(0, 12);
  const root = join(base, `${arch}-${key}`);
  if (existsSync(join(root, STAMP))) return root;
  mkdirSync(base, { recursive: true });
  const work = join(base, `.${arch}-${key}.tmp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  try {
    const dl = spawnSync('apt-get', ['download', ...packages.map((p) => `${p}:${arch}`)], { cwd: join(work, 'debs'), encoding: 'utf8' });
    if (dl.status !== 0) throw new Error(`apt-get download for ${arch} failed (dpkg --add-architecture ${arch} && apt-get update?):\n${dl.stderr}`);
    const stamp: string[] = [];
    for (const deb of readdirSync(join(work, 'debs')).sort()) {
      const debPath = join(work, 'debs', deb);
      const x = spawnSync('dpkg', ['-x', debPath, join(work, 'root')], { encoding: 'utf8' });
      if (x.status !== 0) throw new Error(`dpkg -x ${deb}: ${x.stderr}`);
      const f = spawnSync('dpkg-deb', ['--show', '--showformat=${Package} ${Version} ${Architecture}\\n', debPath], { encoding: 'utf8' });
      if (f.status !== 0) throw new Error(`dpkg-deb --show ${deb}: ${f.stderr}`);
      stamp.push(f.stdout.trim());
    }
    writeFileSync(join(work, 'root', STAMP), stamp.join('\n') + '\n');
    try {
      renameSync(join(work, 'root'), root);
    } catch (e) {
      // Another process staged the same sysroot first: use that one.
      if (!existsSync(join(root, STAMP))) throw e;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return root;
}

/** `package version architecture` of every package unpacked into a staged sysroot. */
export function sysrootPackages(sysroot: string): Map<string, { version: string; arch: string }> {
  const out = new Map<string, { version: string; arch: string }>();
  for (const line of readFileSync(join(sysroot, STAMP), 'utf8').split('\n')) {
    const [name, version, arch] = line.split(' ');
    if (name && version && arch) out.set(name, { version, arch });
  }
  return out;
}

/** The target's lib/erlang inside a staged sysroot. */
export function targetErlangRoot(sysroot: string): string {
  return join(sysroot, 'usr', 'lib', 'erlang');
}
