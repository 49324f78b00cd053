import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirAtomic, writeChunksAtomic, writeFileAtomic, writeFilesAtomic } from '../../src/util/atomic.js';
import { BeambakeError } from '../../src/util/errors.js';
import { makeTempDir } from '../helpers/temp.js';

test('writeFileAtomic leaves no temporary files behind', async () => {
  const dir = makeTempDir('bb-atomic-');
  await writeFileAtomic(join(dir, 'a', 'out.txt'), 'hello');
  assert.equal(await readFile(join(dir, 'a', 'out.txt'), 'utf8'), 'hello');
  assert.deepEqual(await readdir(join(dir, 'a')), ['out.txt']);
});

test('writeChunksAtomic: a document of many MiB arrives whole; a producer that fails leaves no file and its own error', async () => {
  const dir = makeTempDir('bb-atomic-');
  const piece = (k: number) => `${String(k).padStart(8, '0')}${'y'.repeat(99_992)}\n`;
  function* pieces(n: number, failAt?: number): Generator<string> {
    for (let k = 0; k < n; k++) {
      if (k === failAt) throw new BeambakeError('SBOM_PARSE', 'bad input', { file: 'in.json' });
      yield piece(k);
    }
  }
  await writeChunksAtomic(join(dir, 'out.txt'), pieces(60));
  const text = await readFile(join(dir, 'out.txt'), 'utf8');
  assert.equal(text.length, 60 * 100_001);
  assert.equal(text, Array.from({ length: 60 }, (_, k) => piece(k)).join(''));
  // the failure comes while a write of the first megabytes is still in flight
  await assert.rejects(writeChunksAtomic(join(dir, 'failed.txt'), pieces(60, 25)), (e) => e instanceof BeambakeError && e.code === 'SBOM_PARSE');
  assert.deepEqual(await readdir(dir), ['out.txt']);
});

test('replaceDirAtomic keeps the old tree when filling fails', async () => {
  const dir = makeTempDir('bb-atomic-');
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
  const dir = makeTempDir('bb-atomic-');
  await mkdir(join(dir, 'taken'));
  await writeFile(join(dir, 'file'), 'f');
  await assert.rejects(writeFileAtomic(join(dir, 'taken'), 'x'), ioAt(join(dir, 'taken'), /cannot write: is a directory/));
  await assert.rejects(writeFileAtomic(join(dir, 'file', 'out.txt'), 'x'), ioAt(join(dir, 'file'), /not a directory/));
  assert.deepEqual((await readdir(dir)).sort(), ['file', 'taken']);
  assert.deepEqual(await readdir(join(dir, 'taken')), []);
});

test('writeFilesAtomic: when one output cannot be written, none is (no SBOM without its VEX)', async () => {
  const dir = makeTempDir('bb-atomic-');
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

/**
 * Issue 13: an interrupted `vendor` left `.MIRROR.tmp-XXXX` staging trees
 * (up to 45 MB each) that no later run removed.
 */
test('a SIGINT or SIGTERM while a tree is staged removes the staging and keeps the old tree', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { repoRoot, runningCompiled } = await import('../helpers/paths.js');
  const atomic = runningCompiled ? join(repoRoot, 'dist', 'src', 'util', 'atomic.js') : join(repoRoot, 'src', 'util', 'atomic.ts');
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const dir = makeTempDir('bb-atomic-signal-');
    const target = join(dir, 'mirror');
    await mkdir(target);
    await writeFile(join(target, 'old.txt'), 'old');
    // The child stages a tree, says so, then waits to be interrupted.
    const script =
      `const { replaceDirAtomic } = await import(${JSON.stringify(atomic)});\n` +
      `const { writeFile } = await import('node:fs/promises');\n` +
      `await replaceDirAtomic(${JSON.stringify(target)}, async (tmp) => {\n` +
      `  await writeFile(tmp + '/big.bin', Buffer.alloc(4 << 20));\n` +
      `  process.stdout.write('staged\\n');\n` +
      `  await new Promise((r) => setTimeout(r, 60000));\n` +
      `});\n`;
    const child = spawn(process.execPath, [...(runningCompiled ? [] : ['--import', 'tsx']), '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => child.stdout.on('data', (b: Buffer) => b.toString().includes('staged') && res()));
    assert.equal((await readdir(dir)).length, 2, 'staging exists while filling');
    child.kill(signal);
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    assert.equal(code, status, `${signal}: conventional exit status`);
    assert.deepEqual(await readdir(dir), ['mirror'], `${signal}: staging removed`);
    assert.deepEqual(await readdir(target), ['old.txt']);
    assert.ok(!existsSync(join(dir, '.mirror.tmp-')));
  }
});

test('the next run removes staging left by a killed process (and by old versions), not that of a live one', async () => {
  const { spawnSync } = await import('node:child_process');
  const dir = makeTempDir('bb-atomic-stale-');
  const target = join(dir, 'mirror');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const stale = [`.mirror.tmp-${dead}-abc123`, '.mirror.tmp-Xy12ab', `.mirror.tmp-${dead}-abc123.old`];
  const live = `.mirror.tmp-${process.ppid}-keep01`;
  for (const s of [...stale, live]) {
    await mkdir(join(dir, s));
    await writeFile(join(dir, s, 'payload'), 'x');
  }
  await mkdir(target);
  await replaceDirAtomic(target, async (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
  assert.deepEqual((await readdir(dir)).sort(), [live, 'mirror'].sort());
  assert.deepEqual(await readdir(target), ['new.txt']);
});
