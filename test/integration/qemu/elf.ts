/** Just enough of the ELF header to check a cross-compiled file: class, machine, ARM EABI flags, RISC-V float ABI. */
import { readFileSync } from 'node:fs';

export interface ElfInfo {
  class: 32 | 64;
  machine: number;
  flags: number;
  /** eabi5-hard-float, eabi5-soft-float, lp64, lp64d, ... */
  abi: string;
}

export const EM = { ARM: 40, AARCH64: 183, RISCV: 243, X86_64: 62 } as const;

export function readElf(file: string): ElfInfo | null {
  const b = readFileSync(file);
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) return null;
  const cls = b[4] === 2 ? 64 : 32;
  const le = b[5] === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const machine = u16(18);
  const flags = u32(cls === 64 ? 48 : 36);
  let abi = 'unknown';
  if (machine === EM.ARM) abi = `eabi${flags >>> 24}-${flags & 0x400 ? 'hard-float' : flags & 0x200 ? 'soft-float' : 'float-unspecified'}`;
  else if (machine === EM.AARCH64) abi = 'lp64';
  else if (machine === EM.RISCV) abi = `lp64${['', 'f', 'd', 'q'][(flags >> 1) & 3]}`;
  else if (machine === EM.X86_64) abi = 'lp64';
  return { class: cls, machine, flags, abi };
}
