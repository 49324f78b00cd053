/**
 * Scratch directories of the tests. Every one is made here, so none outlives its test
 * file: importing this module registers one root `after` hook for the file that imports it (each
 * test file runs in its own process), which removes them all once that file's tests are done.
 * BEAMBAKE_KEEP_TMP=1 keeps them for a post-mortem. The target sysroot cache under
 * os.tmpdir()/beambake-sysroots (qemu/sysroot.ts) is deliberately not made here.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

after(() => {
  if (process.env.BEAMBAKE_KEEP_TMP === '1') return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir() named `<prefix>XXXXXX`, removed after this test file. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
