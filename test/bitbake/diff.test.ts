import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unifiedDiff } from '../../src/bitbake/diff.js';
import { needTools } from '../helpers/toolchain.js';
import { tempDir } from './fixtures.js';

const lines = (n: number, f = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';

test('equal texts give no diff; created and deleted files diff against /dev/null', () => {
  assert.equal(unifiedDiff('x', 'a\n', 'a\n'), '');
  assert.equal(unifiedDiff('x', undefined, 'a\nb\n'), '--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  assert.equal(unifiedDiff('x', 'a\n', undefined), '--- a/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n');
});

test('separate changes become separate hunks with three lines of context', () => {
  const before = lines(30);
  const after = lines(30, (i) => (i === 5 ? 'five' : i === 25 ? 'twenty-five' : `line ${i}`));
  const d = unifiedDiff('f', before, after);
  assert.equal(
    d,
    [
      '--- a/f',
      '+++ b/f',
      '@@ -2,7 +2,7 @@',
      ' line 2', ' line 3', ' line 4', '-line 5', '+five', ' line 6', ' line 7', ' line 8',
      '@@ -22,7 +22,7 @@',
      ' line 22', ' line 23', ' line 24', '-line 25', '+twenty-five', ' line 26', ' line 27', ' line 28',
      '',
    ].join('\n'),
  );
});

test('git apply accepts the diff and reproduces the new text', (t) => {
  if (!needTools(t, 'git')) return;
  const before = lines(40);
  const after = lines(42, (i) => (i === 1 ? 'first' : i % 7 === 0 ? `changed ${i}` : `line ${i}`));
  const dir = tempDir();
  writeFileSync(join(dir, 'f'), before);
  writeFileSync(join(dir, 'p.diff'), unifiedDiff('f', before, after));
  const r = spawnSync('git', ['apply', '--unsafe-paths', 'p.diff'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(join(dir, 'f'), 'utf8'), after);
});
