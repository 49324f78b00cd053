/**
 * The fixture's C NIF cross-compiled for every profile with the profile's
 * toolchain and NIF flags, against the target's ERTS headers (Debian target
 * packages staged like a Yocto sysroot); the ELF class, machine and ABI of the
 * result must be the profile's. Debian bookworm publishes no riscv64 packages:
 * riscv64 NIFs compile against the build host's erts headers, which is only
 * sound because both are LP64 — the compile asserts the header's sizes match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listProfiles } from '../../src/profiles/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { ertsDirOf, hostErlangRoot } from './erlang-root.js';
import { readElf } from './qemu/elf.js';
import { aptHasArch, stageSysroot, targetErlangRoot } from './qemu/sysroot.js';
import { makeTempDir } from '../helpers/temp.js';

const NIF = join(fixturesDir, 'build', 'mix', 'packages', 'fast_sum-0.1.0', 'c_src', 'fast_sum_nif.c');
const out = makeTempDir('bb-cross-nif-');
// Force-included into every compile: the erts headers must describe the target's C ABI.
const sizeCheck = join(out, 'beambake-size-check.h');
writeFileSync(
  sizeCheck,
  '#include <erl_int_sizes_config.h>\n' +
    '_Static_assert(sizeof(void *) == SIZEOF_VOID_P && sizeof(long) == SIZEOF_LONG && sizeof(int) == SIZEOF_INT, "erts headers do not match the target ABI");\n',
);
const SIZE_CHECK = ['-include', sizeCheck];

describe('cross-compiled NIF per hardware profile', { timeout: 20 * 60_000 }, () => {
  for (const p of listProfiles()) {
    it(`${p.name}: ${p.crossCompiler} ${p.nifCflags.join(' ')} -> ${p.elf.abi}`, (t) => {
      if (!needTools(t, p.crossCompiler, 'apt-get', 'dpkg')) return;
      let include: string;
      if (aptHasArch(p.debianArch)) {
        const root = targetErlangRoot(stageSysroot(p.debianArch));
        include = join(root, ertsDirOf(root), 'include');
      } else {
        t.diagnostic(`no Debian ${p.debianArch} packages from the configured mirror: compiling against the build host's erts headers (LP64 sizes checked)`);
        include = join(hostErlangRoot(), 'usr', 'include');
      }
      const so = join(out, `${p.name}.so`);
      const cc = spawnSync(p.crossCompiler, [...p.nifCflags, '-O2', '-fPIC', '-shared', `-I${include}`, ...SIZE_CHECK, '-o', so, NIF], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const elf = readElf(so);
      assert.ok(elf, 'an ELF file');
      assert.deepEqual({ class: elf.class, machine: elf.machine, abi: elf.abi }, p.elf);
    });
  }
});
