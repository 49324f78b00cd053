import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileAtomic, writeFilesAtomic } from '../../src/util/atomic.js';
import { BeambakeError } from '../../src/util/errors.js';

test('writeFileAtomic leaves no temporary files behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-atomic-'));
  await writeFileAtomic(join(dir, 'a', 'out.txt'), 'hello');
  assert.equal(await readFile(join(dir, 'a', 'out.txt'), 'utf8'), 'hello');
  assert.deepEqual(await readdir(join(dir, 'a')), ['out.txt']);
});

test('replaceDirAtomic keeps the old tree when filling fails', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-atomic-'));
  const target = join(dir, 'layer');
  await mkdir(target);
  await writeFile(join(target, 'old.txt'), 'old');
  await assert.rejects(
    replaceDirAtomic(target, async (tmp) => {
      await writeFile(join(tmp, 'half.txt'), 'half');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(await readdir(dir), ['layer']);
  assert.deepEqual(await readdir(target), ['old.txt']);
  await replaceDirAtomic(target, async (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
  assert.deepEqual(await readdir(target), ['new.txt']);
  assert.deepEqual(await readdir(dir), ['layer']);
});

/** The error is a one-line `IO` error naming `file`, not a raw Node error (the CLI would call that a bug). */
const ioAt = (file: string, reason: RegExp) => (e: unknown) =>
  e instanceof BeambakeError && e.code === 'IO' && e.location.file === file && reason.test(e.message) && !e.format().includes('\n');

test('outputs under /proc fail as IO errors instead of hanging (Node 20 mkdir -p retries ENOENT there forever)', async () => {
  await assert.rejects(writeFileAtomic('/proc/beambake-no-such/x/out.txt', 'x'), ioAt('/proc/beambake-no-such/x', /cannot create directory: no such file/));
  await assert.rejects(writeFileAtomic('/proc/beambake-out', 'x'), ioAt('/proc/beambake-out', /cannot write/));
  await assert.rejects(replaceDirAtomic('/proc/beambake-layer', async () => undefined), ioAt('/proc/beambake-layer', /cannot write/));
});

test('an output path that is a directory, or below a file, is one IO line and leaves nothing behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-atomic-'));
  await mkdir(join(dir, 'taken'));
  await writeFile(join(dir, 'file'), 'f');
  await assert.rejects(writeFileAtomic(join(dir, 'taken'), 'x'), ioAt(join(dir, 'taken'), /cannot write: is a directory/));
  await assert.rejects(writeFileAtomic(join(dir, 'file', 'out.txt'), 'x'), ioAt(join(dir, 'file'), /not a directory/));
  assert.deepEqual((await readdir(dir)).sort(), ['file', 'taken']);
  assert.deepEqual(await readdir(join(dir, 'taken')), []);
});

test('writeFilesAtomic: when one output cannot be written, none is (no SBOM without its VEX)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-atomic-'));
  await mkdir(join(dir, 'taken'));
  await assert.rejects(writeFilesAtomic([[join(dir, 'sbom.json'), 'a'], [join(dir, 'taken'), 'b']]), ioAt(join(dir, 'taken'), /is a directory/));
  await assert.rejects(writeFilesAtomic([[join(dir, 'sbom.json'), 'a'], ['/proc/beambake-vex.json', 'b']]), ioAt('/proc/beambake-vex.json', /cannot write/));
  assert.deepEqual(await readdir(dir), ['taken']);
  await assert.rejects(writeFilesAtomic([[join(dir, 'same.json'), 'a'], [join(dir, '.', 'same.json'), 'b']]), /the same file is named as two outputs/);
  await writeFilesAtomic([[join(dir, 'sbom.json'), 'a'], [join(dir, 'vex', 'vex.json'), 'b']]);
  assert.equal(await readFile(join(dir, 'sbom.json'), 'utf8'), 'a');
  assert.equal(await readFile(join(dir, 'vex', 'vex.json'), 'utf8'), 'b');
  assert.deepEqual((await readdir(dir)).sort(), ['sbom.json', 'taken', 'vex']);
});
