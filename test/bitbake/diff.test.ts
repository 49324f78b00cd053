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

test('one changed checksum in a 16,000-line file: about ten lines of diff, computed quickly', () => {
  const sum = (i: number) => `SRC_URI[hex-p${i}.sha256sum] = "${i.toString(16).padStart(64, '0')}"`;
  const before = lines(16_000, sum);
  const after = lines(16_000, (i) => (i === 8_123 ? sum(i).replace(/"0+/, '"f') : sum(i)));
  const d = unifiedDiff('big.inc', before, after).trimEnd().split('\n');
  assert.equal(d.length, 11, d.join('\n'));
  assert.equal(d[2], '@@ -8120,7 +8120,7 @@');
  assert.equal(d.filter((l) => /^[-+][^-+]/.test(l)).length, 2);
});

test('random edits: the diff applies back (git apply) and keeps only changed lines and context', (t) => {
  if (!needTools(t, 'git')) return;
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 20; round++) {
    const base = Array.from({ length: 300 + rand(300) }, (_, i) => `l${i % 37} ${rand(5)}`);
    const next = [...base];
    for (let e = 0; e < 1 + rand(8); e++) {
      const at = rand(next.length);
      const kind = rand(3);
      if (kind === 0) next.splice(at, 1);
      else if (kind === 1) next.splice(at, 0, `new ${rand(1000)}`);
      else next[at] = `changed ${rand(1000)}`;
    }
    const before = base.join('\n') + '\n';
    const after = next.join('\n') + '\n';
    const dir = tempDir();
    writeFileSync(join(dir, 'f'), before);
    writeFileSync(join(dir, 'p.diff'), unifiedDiff('f', before, after));
    const r = spawnSync('git', ['apply', '--unsafe-paths', 'p.diff'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), after, `round ${round}`);
  }
});
