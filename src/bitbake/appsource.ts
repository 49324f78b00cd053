/**
 * Where the application's own source comes from: the git checkout's remote
 * and HEAD (the normal case, reproducible anywhere), or a local directory
 * (`--source PATH`, or a project that is not a checkout with a remote), which
 * only builds on this machine and is therefore reported as a warning.
 */
import { createRequire } from 'node:module';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BeambakeError } from '../util/errors.js';
import { isDirectory } from '../util/files.js';
import * as v from './validate.js';
import type { GitUrl } from './validate.js';

// Required when a tool is run, not imported: `beambake recipe` usually runs none, and loading
// node:child_process costs its start-up several milliseconds.
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

export type AppSource =
  | {
      kind: 'git';
      url: GitUrl;
      /** The remote URL as configured, for messages and the summary. */
      remote: string;
      rev: string;
      /** BitBake `branch=`; undefined means `nobranch=1`. */
      branch?: string;
      /** The project directory inside the checkout, when it is not the top. */
      subdir?: string;
    }
  | { kind: 'local'; dir: string };

export interface AppSourceOptions {
  projectDir: string;
  /** `--source`: a git URL, or a local directory. */
  source?: string;
  /** `--branch`: the branch BitBake checks SRCREV against. */
  branch?: string;
}

export interface ResolvedAppSource {
  source: AppSource;
  warnings: string[];
}

function git(cwd: string, args: string[]): string | undefined {
  const r = childProcess().spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
}

function looksLikeUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//.test(s) || /^[^/@:]+@[^/:]+:/.test(s);
}

function localSource(dir: string): AppSource {
  const abs = resolve(dir);
  v.localDir(abs, { entry: 'project', field: 'source directory' });
  return { kind: 'local', dir: abs };
}

interface Checkout {
  top: string;
  rev: string;
  branch?: string;
  subdir?: string;
}

/** Cheap pre-check so projects outside any checkout cost no `git` process. */
function insideGitWorkTree(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined) return true;
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

function checkoutOf(projectDir: string): Checkout | undefined {
  if (!insideGitWorkTree(projectDir)) return undefined;
  const top = git(projectDir, ['rev-parse', '--show-toplevel']);
  if (!top) return undefined;
  const rev = git(projectDir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  if (!rev) return undefined;
  const branch = git(projectDir, ['symbolic-ref', '--short', '-q', 'HEAD']) || undefined;
  let sub = relative(realpathSync(top), realpathSync(projectDir));
  if (sep !== '/') sub = sub.split(sep).join('/');
  return { top, rev, ...(branch ? { branch } : {}), ...(sub ? { subdir: sub } : {}) };
}

/** The remote the current branch tracks, else `origin`, else the only remote. */
function remoteOf(projectDir: string, branch: string | undefined): { name: string; url: string } | undefined {
  const remotes = (git(projectDir, ['remote']) ?? '').split('\n').filter((r) => r.length > 0);
  const tracked = branch ? git(projectDir, ['config', '--get', `branch.${branch}.remote`]) : undefined;
  const name = tracked && remotes.includes(tracked) ? tracked : remotes.includes('origin') ? 'origin' : remotes.length === 1 ? remotes[0] : undefined;
  if (!name) return undefined;
  const url = git(projectDir, ['remote', 'get-url', name]);
  return url ? { name, url } : undefined;
}

/** The branch name on the remote: the upstream of the current branch, else the branch itself. */
function remoteBranch(projectDir: string, branch: string | undefined): string | undefined {
  if (!branch) return undefined;
  const merge = git(projectDir, ['config', '--get', `branch.${branch}.merge`]);
  return merge?.startsWith('refs/heads/') ? merge.slice('refs/heads/'.length) : branch;
}

export function resolveAppSource(opts: AppSourceOptions): ResolvedAppSource {
  const warnings: string[] = [];
  const projectDir = resolve(opts.projectDir);
  const branchCtx = { entry: 'project', field: '--branch' };
  const branchOpt = opts.branch === undefined ? undefined : v.gitRefName(opts.branch, branchCtx);

  if (opts.source !== undefined && !looksLikeUrl(opts.source)) {
    // a mistyped path would otherwise become a recipe that fails only when BitBake fetches it
    if (!isDirectory(opts.source)) throw new BeambakeError('INVALID_ARGUMENT', `--source ${opts.source}: no such directory`, { entry: '--source' });
    warnings.push(`the recipe fetches the application from the local directory ${resolve(opts.source)}; it only builds on this machine`);
    return { source: localSource(opts.source), warnings };
  }

  const checkout = checkoutOf(projectDir);
  if (opts.source !== undefined) {
    if (!checkout) {
      throw new BeambakeError('INVALID_ARGUMENT', `--source ${opts.source} is a git URL, but ${projectDir} is not a git checkout with a commit to pin as SRCREV`, {
        entry: '--source',
      });
    }
    const url = v.gitUrl(opts.source, { entry: 'project', field: '--source' });
    const branch = branchOpt ?? remoteBranch(projectDir, checkout.branch);
    return { source: gitSource(url, opts.source, checkout, branch), warnings: warnings.concat(checkoutWarnings(projectDir)) };
  }

  const remote = checkout ? remoteOf(projectDir, checkout.branch) : undefined;
  if (!checkout || !remote) {
    warnings.push(
      `${projectDir} is not a git checkout with a remote, so the recipe fetches it as a local directory and only builds on this machine ` +
        '(pass --source URL to fetch it with git)',
    );
    return { source: localSource(projectDir), warnings };
  }
  // A remote BitBake cannot fetch (a local path, as in a `git clone /some/dir`, file://, or anything
  // the URL rules refuse) is not the user's choice of source: build from the directory instead.
  // Only an explicit `--source URL` that is invalid is an error (above).
  let url: GitUrl;
  try {
    url = v.gitUrl(remote.url, { entry: 'project', field: `git remote "${remote.name}"` });
  } catch (e) {
    if (!(e instanceof BeambakeError) || e.code !== 'UNSAFE_VALUE') throw e;
    warnings.push(
      `${projectDir} is a git checkout, but its remote "${remote.name}" (${showRemote(remote.url)}) is not a URL BitBake can fetch, ` +
        'so the recipe fetches it as a local directory and only builds on this machine (pass --source URL to fetch it with git)',
    );
    return { source: localSource(projectDir), warnings };
  }
  const branch = branchOpt ?? remoteBranch(projectDir, checkout.branch);
  return { source: gitSource(url, remote.url, checkout, branch), warnings: warnings.concat(checkoutWarnings(projectDir)) };
}

/** A remote URL for a message: it may hold anything, so escape it and keep it short. */
function showRemote(url: string): string {
  const s = url.length > 120 ? url.slice(0, 117) + '...' : url;
  return /^[A-Za-z0-9._~:/@+%-]+$/.test(s) ? s : JSON.stringify(s);
}

function gitSource(url: GitUrl, remote: string, checkout: Checkout, branch: string | undefined): AppSource {
  const rev = v.gitRev(checkout.rev, { entry: 'project', field: 'HEAD' });
  const subdir = checkout.subdir === undefined ? undefined : v.relativePath(checkout.subdir, { entry: 'project', field: 'directory in the checkout' });
  const safeBranch = branch === undefined ? undefined : v.gitRefName(branch, { entry: 'project', field: 'branch' });
  return { kind: 'git', url, remote, rev, ...(safeBranch !== undefined ? { branch: safeBranch } : {}), ...(subdir !== undefined ? { subdir } : {}) };
}

function checkoutWarnings(projectDir: string): string[] {
  const out: string[] = [];
  const status = git(projectDir, ['status', '--porcelain', '--untracked-files=no', '--', '.']);
  if (status) out.push(`${projectDir} has uncommitted changes; the recipe pins HEAD, which does not contain them`);
  const onRemote = git(projectDir, ['branch', '-r', '--contains', 'HEAD']);
  if (onRemote === '') out.push('HEAD is not on any remote-tracking branch; push it before building, or BitBake cannot fetch SRCREV');
  return out;
}
