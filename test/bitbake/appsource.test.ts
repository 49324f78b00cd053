import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolveAppSource } from '../../src/bitbake/appsource.js';
import { BeambakeError } from '../../src/util/errors.js';
import { needTools } from '../helpers/toolchain.js';
import { gitCheckout, tempDir } from './fixtures.js';

test('an ssh remote and a detached HEAD give an ssh git source with nobranch', (t) => {
  if (!needTools(t, 'git')) return;
  const { dir, rev } = gitCheckout('git@github.com:acme/app.git', { 'mix.exs': 'x' });
  spawnSync('git', ['checkout', '-q', '--detach'], { cwd: dir });
  const { source, warnings } = resolveAppSource({ projectDir: dir });
  assert.deepEqual(source, { kind: 'git', url: { protocol: 'ssh', user: 'git', host: 'github.com', path: '/acme/app.git' }, remote: 'git@github.com:acme/app.git', rev });
  assert.ok(warnings.some((w) => /not on any remote-tracking branch/.test(w)));
});

test('the tracked branch of the upstream is used, else the local branch name', (t) => {
  if (!needTools(t, 'git')) return;
  const { dir } = gitCheckout('https://example.com/app.git', { 'a.txt': 'x' }, 'develop');
  const plain = resolveAppSource({ projectDir: dir }).source;
  assert.equal(plain.kind === 'git' && plain.branch, 'develop');
  spawnSync('git', ['config', 'branch.develop.remote', 'origin'], { cwd: dir });
  spawnSync('git', ['config', 'branch.develop.merge', 'refs/heads/next'], { cwd: dir });
  const tracked = resolveAppSource({ projectDir: dir }).source;
  assert.equal(tracked.kind === 'git' && tracked.branch, 'next');
  const forced = resolveAppSource({ projectDir: dir, branch: 'stable' }).source;
  assert.equal(forced.kind === 'git' && forced.branch, 'stable');
});

test('no checkout means a local source with a warning; --source URL then has nothing to pin', () => {
  const dir = tempDir();
  const r = resolveAppSource({ projectDir: dir });
  assert.deepEqual(r.source, { kind: 'local', dir });
  assert.match(r.warnings.join('\n'), /not a git checkout with a remote/);
  assert.throws(() => resolveAppSource({ projectDir: dir, source: 'https://github.com/a/b.git' }), /not a git checkout with a commit to pin/);
});

test('a remote URL that is not safe in a recipe is refused, naming the remote', (t) => {
  if (!needTools(t, 'git')) return;
  const { dir } = gitCheckout('https://example.com/a b;branch=x', { 'a.txt': 'x' });
  assert.throws(
    () => resolveAppSource({ projectDir: dir }),
    (e: unknown) => e instanceof BeambakeError && e.code === 'UNSAFE_VALUE' && /git remote "origin"/.test(e.message),
  );
  assert.throws(() => resolveAppSource({ projectDir: dir, branch: 'a..b' }), /check-ref-format|not a valid git ref/);
});
