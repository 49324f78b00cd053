/**
 * `{vsn, git}` versions: beambake's computation against rebar3's own, on a
 * real git checkout at each state (past a tag, on a tag, no tag).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitDescribeVersion } from '../../src/project/version.js';
import { recipe } from '../../src/bitbake/index.js';
import { needTools } from '../helpers/toolchain.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function run(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The vsn rebar3 writes into the compiled .app (offline: the app has no dependencies). */
function rebar3Vsn(dir: string): string {
  rmSync(join(dir, '_build'), { recursive: true, force: true });
  run(dir, 'rebar3', ['compile'], { HOME: dir, REBAR_CACHE_DIR: join(dir, '.cache') });
  const app = readFileSync(join(dir, '_build/default/lib/shop/ebin/shop.app'), 'utf8');
  return /\{vsn,\s*"([^"]+)"\}/.exec(app)![1]!;
}

test('{vsn, git}: the version rebar3 computes, past a tag, on a tag and without one; recipe uses it', async (t) => {
  if (!needTools(t, 'git', 'rebar3', 'erl')) return;
  const dir = mkdtempSync(join(tmpdir(), 'beambake-vsn-'));
  made.push(dir);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/shop.app.src'), '{application, shop, [{vsn, git}, {description, "x"}, {applications, [kernel, stdlib]}]}.\n');
  writeFileSync(join(dir, 'src/shop.erl'), '-module(shop).\n');
  writeFileSync(join(dir, 'rebar.config'), '{deps, []}.\n');
  writeFileSync(join(dir, '.gitignore'), '_build/\n.cache/\n');
  const git = (...a: string[]) => run(dir, 'git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...a]);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'one');
  git('tag', 'v1.2.0');
  appendFileSync(join(dir, 'src/shop.erl'), '%% two\n');
  git('commit', '-qam', 'two');

  const seen: string[] = [];
  for (const step of ['past the tag', 'on a tag', 'no tag']) {
    if (step === 'on a tag') git('tag', 'v1.3.0');
    if (step === 'no tag') git('tag', '-d', 'v1.2.0', 'v1.3.0');
    const ours = gitDescribeVersion(dir)?.version;
    assert.equal(ours, rebar3Vsn(dir), step);
    seen.push(ours!);
  }
  assert.match(seen[0]!, /^1\.2\.0\+build\.2\.ref[0-9a-f]{7,}$/);
  assert.equal(seen[1], '1.3.0');
  assert.match(seen[2]!, /^0\.0\.0\+build\.2\.ref/);

  // recipe computes it too (deps leaves it unknown), with a warning saying so
  git('tag', 'v2.0.0');
  const res = await recipe({ path: dir, outDir: join(dir, '.cache', 'meta-shop') });
  assert.match(res.recipe.recipePath, /2\.0\.0\.bb$/);
  assert.ok(res.warnings.some((w) => /version 2\.0\.0 computed as rebar3 does for \{vsn, git\}/.test(w)), res.warnings.join('\n'));
});
