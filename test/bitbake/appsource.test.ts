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

test('a remote that is a local path or not safe in a recipe falls back to the local directory, naming the remote', (t) => {
  if (!needTools(t, 'git')) return;
  for (const remote of ['/srv/git/app', 'file:///srv/git/app.git', 'https://example.com/a b;branch=x', 'https://example.com/${@os.system("id")}.git']) {
    const { dir } = gitCheckout(remote, { 'a.txt': 'x' });
    const r = resolveAppSource({ projectDir: dir });
    assert.deepEqual(r.source, { kind: 'local', dir }, remote);
    const text = r.warnings.join('\n');
    assert.match(text, /its remote "origin" \(.+\) is not a URL BitBake can fetch, so the recipe fetches it as a local directory/, remote);
    assert.ok(text.includes(remote.slice(0, 20)) || text.includes(JSON.stringify(remote).slice(0, 20)), text);
    assert.throws(() => resolveAppSource({ projectDir: dir, branch: 'a..b' }), /check-ref-format|not a valid git ref/);
  }
});

test('an explicit --source URL that is not a valid git URL stays an error, naming --source', (t) => {
  if (!needTools(t, 'git')) return;
  const { dir } = gitCheckout('/srv/git/app', { 'a.txt': 'x' });
  for (const bad of ['file:///srv/git/app.git', 'https://example.com/a;sha256sum=0', 'ftp://example.com/app.git']) {
    assert.throws(
      () => resolveAppSource({ projectDir: dir, source: bad }),
      (e: unknown) => e instanceof BeambakeError && e.code === 'UNSAFE_VALUE' && /--source/.test(e.message),
      bad,
    );
  }
});
