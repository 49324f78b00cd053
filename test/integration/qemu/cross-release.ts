/**
 * The fixture Elixir release cross-built for one hardware profile: the target sysroot staged
 * from Debian packages, then the layer's own scripts (beambake_deps unpack, beambake-build-mix)
 * with the compiler Yocto would export for the board — CC is the cross gcc followed by the
 * profile's tune flags, as bitbake.conf puts TUNE_CCARGS into CC — and the target's lib/erlang
 * as the ERTS and NIF headers.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HardwareProfile } from '../../../src/profiles/index.js';
import { build, hexRecords, prepare, unpack, type Work } from '../mix-fixture.js';
import { readElf, type ElfInfo } from './elf.js';
import { stageSysroot, sysrootPackages, targetErlangRoot } from './sysroot.js';

export interface CrossRelease {
  profile: HardwareProfile;
  sysroot: string;
  targetRoot: string;
  /** OTP_VERSION of the build host's Erlang and of the target package, which must be equal. */
  hostOtp: string;
  targetOtp: string;
  /** Debian version of erlang-base in the sysroot. */
  targetErlangPackage: string;
  w: Work;
  unpack: SpawnSyncReturns<string>;
  build?: SpawnSyncReturns<string>;
  /** The CC given to the build. */
  cc: string;
  buildSeconds: number;
}

export function hostErlangRoot(): string {
  return spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [code:root_dir()]), halt().'], { encoding: 'utf8' }).stdout;
}

/** Full OTP version (releases/<major>/OTP_VERSION) of an Erlang root. */
export function otpVersion(erlangRoot: string): string {
  const rel = readdirSync(join(erlangRoot, 'releases')).filter((n) => /^\d+$/.test(n));
  if (rel.length !== 1) throw new Error(`${erlangRoot}/releases: expected one OTP release directory, found ${rel.join(', ') || 'none'}`);
  return readFileSync(join(erlangRoot, 'releases', rel[0]!, 'OTP_VERSION'), 'utf8').trim();
}

export function buildCrossRelease(profile: HardwareProfile): CrossRelease {
  const sysroot = stageSysroot(profile.debianArch);
  const targetRoot = targetErlangRoot(sysroot);
  const w = prepare({ prefix: `bb-cross-${profile.name}-` });
  const cc = [profile.crossCompiler, ...profile.nifCflags].join(' ');
  const out: CrossRelease = {
    profile,
    sysroot,
    targetRoot,
    hostOtp: otpVersion(hostErlangRoot()),
    targetOtp: otpVersion(targetRoot),
    targetErlangPackage: sysrootPackages(sysroot).get('erlang-base')?.version ?? '(none)',
    w,
    unpack: unpack(w, hexRecords(w.built)),
    cc,
    buildSeconds: 0,
  };
  if (out.unpack.status === 0) {
    const t0 = Date.now();
    out.build = build(w, targetRoot, { CC: cc, CFLAGS: '-O2' });
    out.buildSeconds = (Date.now() - t0) / 1000;
  }
  return out;
}

/** Every ELF file under `dir` (by magic number, not by name), release-relative and sorted. */
export function elfFiles(dir: string): { path: string; elf: ElfInfo }[] {
  const out: { path: string; elf: ElfInfo }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const elf = readElf(p);
        if (elf) out.push({ path: relative(dir, p), elf });
      }
    }
  };
  walk(dir);
  return out;
}
