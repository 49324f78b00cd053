/**
 * The version a build tool computes at build time, computed the same way:
 * rebar3's `{vsn, git}` and relx's `semver` (rebar_git_resource:make_vsn).
 * A tag on HEAD is the version (a leading `v` dropped); otherwise the latest
 * tag reachable from HEAD (or `0.0.0`) followed by
 * `+build.<commits reachable from HEAD>.ref<short sha>`. (rebar3 counts every
 * commit of HEAD there, not those since the tag; test/project/version.test.ts
 * checks this against rebar3 itself.)
 */
import { createRequire } from 'node:module';
import type { SpawnSyncReturns } from 'node:child_process';

const require = createRequire(import.meta.url);

function git(cwd: string, args: string[]): string | undefined {
  // child_process is loaded on first use: most commands never compute a version.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r: SpawnSyncReturns<string> = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
}

export interface GitVersion {
  version: string;
  /** How it was found, for the message: "tag v1.2.0, 3 commits after" */
  how: string;
}

/** The `{vsn, git}` version of the checkout holding `dir`, or undefined outside a git checkout. */
export function gitDescribeVersion(dir: string): GitVersion | undefined {
  if (git(dir, ['rev-parse', '--is-inside-work-tree']) !== 'true') return undefined;
  const ref = git(dir, ['log', '-n', '1', '--pretty=format:%h']);
  if (ref === undefined || ref === '') return undefined; // no commit yet
  const onHead = git(dir, ['describe', '--tags', '--exact-match', 'HEAD']);
  if (onHead) return { version: onHead.replace(/^v/, ''), how: `git tag ${onHead} on HEAD` };
  const latest = git(dir, ['describe', '--tags', '--abbrev=0']);
  const n = Number(git(dir, ['rev-list', 'HEAD', '--count']) ?? '0');
  const base = latest ? latest.replace(/^v/, '') : '0.0.0';
  return { version: `${base}+build.${n}.ref${ref}`, how: `${latest ? `latest git tag ${latest}` : 'no git tag'}, ${n} commits on HEAD` };
}
