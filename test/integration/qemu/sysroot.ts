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
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostToolchain, runIn, type Toolchain } from '../../helpers/toolchain-roots.js';

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
export function aptHasArch(arch: string, tc: Toolchain = hostToolchain): boolean {
  const r = runIn(tc, 'apt-cache', ['policy', `erlang-base:${arch}`]);
  return r.status === 0 && /Candidate: (?!\(none\))/.test(r.stdout);
}

/** The packages come from the toolchain's apt (a Debian root's own suite), unpacked with its dpkg. */
export function stageSysroot(arch: string, packages = SYSROOT_PACKAGES, tc: Toolchain = hostToolchain): string {
  const base = join(tmpdir(), 'beambake-sysroots');
  const key = createHash('sha256').update(`merged-usr\n${tc.name}\n${arch}\n${[...packages].sort().join('\n')}`).digest('hex').slice(0, 12);
  const root = join(base, `${arch}-${key}`);
  if (existsSync(join(root, STAMP))) return root;
  mkdirSync(base, { recursive: true });
  const work = join(base, `.${arch}-${key}.tmp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  try {
    const dl = runIn(tc, 'apt-get', ['download', ...packages.map((p) => `${p}:${arch}`)], { cwd: join(work, 'debs') });
    if (dl.status !== 0) throw new Error(`apt-get download for ${arch} failed (dpkg --add-architecture ${arch} && apt-get update?):\n${dl.stderr}`);
    const stamp: string[] = [];
    for (const deb of readdirSync(join(work, 'debs')).sort()) {
      const debPath = join(work, 'debs', deb);
      const x = runIn(tc, 'dpkg', ['-x', debPath, join(work, 'root')]);
      if (x.status !== 0) throw new Error(`dpkg -x ${deb}: ${x.stderr}`);
      const f = runIn(tc, 'dpkg-deb', ['--show', '--showformat=${Package} ${Version} ${Architecture}\\n', debPath]);
      if (f.status !== 0) throw new Error(`dpkg-deb --show ${deb}: ${f.stderr}`);
      stamp.push(f.stdout.trim());
    }
    // Debian from trixie on ships libc6 under /usr only (the /lib -> usr/lib link of a merged-/usr
    // system comes from base-files, not unpacked here); the program interpreter is /lib/ld-linux-*.
    for (const dir of ['lib', 'bin', 'sbin']) {
      if (!existsSync(join(work, 'root', dir)) && existsSync(join(work, 'root', 'usr', dir))) symlinkSync(join('usr', dir), join(work, 'root', dir));
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
