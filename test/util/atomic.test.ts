import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileAtomic } from '../../src/util/atomic.js';

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
