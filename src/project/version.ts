/**
 * The version a build tool computes at build time, computed the same way:
 * rebar3's `{vsn, git}` and relx's `semver` take `git describe` of the
 * checkout (rebar_git_resource:make_vsn): the latest tag reachable from HEAD,
 * a leading `v` dropped, and when HEAD is past the tag
 * `+build.<commits>.ref<short sha>` appended; no tag at all gives `0.0.0+build...`.
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
  const tag = git(dir, ['describe', '--tags', '--abbrev=0']);
  const count = tag ? git(dir, ['rev-list', `${tag}..HEAD`, '--count']) : git(dir, ['rev-list', 'HEAD', '--count']);
  const base = tag ? tag.replace(/^v/, '') : '0.0.0';
  const n = Number(count ?? '0');
  const version = n === 0 && tag ? base : `${base}+build.${n}.ref${ref}`;
  return { version, how: tag ? `git tag ${tag}${n > 0 ? `, ${n} commits after` : ''}` : `no git tag, ${n} commits` };
}
