/**
 * SRC_URI entries per kind of source. Every field is validated here, once,
 * before it is assembled into BitBake text; callers get finished strings.
 */
import { BeambakeError } from '../util/errors.js';
import type { GitPackage, HexPackage } from '../model.js';
import { gitDestSuffix, gitSrcName, hexDownloadFilename, hexSrcName, hexTarballName, HEX_SUBDIR } from './names.js';
import { gitPurl, hexPurl } from './purl.js';
import * as v from './validate.js';
import type { GitUrl } from './validate.js';

const HEXPM_BASE = 'https://repo.hex.pm';

export interface HexEntry {
  app: string;
  name: string;
  version: string;
  repository: string;
  /** SRC_URI `name=`; also the flag prefix of its checksum. */
  srcName: string;
  uri: string;
  outer: string | null;
  inner: string | null;
  file: string;
  purl: string;
}

export interface GitEntry {
  app: string;
  srcName: string;
  uri: string;
  rev: string;
  dir: string;
  subdir?: string;
  sparse?: string;
  purl: string;
  /** The lock's URL, for the summary. */
  url: string;
}

const ctx = v.packageField;

/** Where a repository's tarballs are served; self-hosted repositories need `--hex-repo NAME=URL`. */
export function repositoryBase(pkg: HexPackage, repoUrls: ReadonlyMap<string, string>): string {
  const repo = pkg.repository;
  const mapped = repoUrls.get(repo);
  if (mapped !== undefined) return v.httpUrl(mapped.replace(/\/+$/, ''), { entry: repo, field: '--hex-repo' });
  if (repo === 'hexpm') return HEXPM_BASE;
  if (repo.startsWith('hexpm:')) return `${HEXPM_BASE}/repos/${repo.slice('hexpm:'.length)}`;
  throw new BeambakeError(
    'LOCK_UNSUPPORTED',
    `package ${pkg.name} ${pkg.version} comes from the self-hosted Hex repository "${repo}"; ` +
      `tell beambake where it serves tarballs with --hex-repo ${repo}=https://HOST/PATH`,
    { entry: pkg.app, ...(pkg.location ? { file: pkg.location.file, line: pkg.location.line, column: pkg.location.column } : {}) },
  );
}

export function hexEntry(pkg: HexPackage, repoUrls: ReadonlyMap<string, string>): HexEntry {
  const app = v.appName(pkg.app, ctx(pkg, 'app'));
  const name = v.hexName(pkg.name, ctx(pkg, 'name'));
  const version = v.version(pkg.version, ctx(pkg, 'version'));
  const repository = v.repositoryName(pkg.repository, ctx(pkg, 'repository'));
  const outer = pkg.outerChecksum === null ? null : v.sha256(pkg.outerChecksum, ctx(pkg, 'outer checksum'));
  const inner = pkg.innerChecksum === null ? null : v.sha256(pkg.innerChecksum, ctx(pkg, 'inner checksum'));
  const base = repositoryBase(pkg, repoUrls);
  const checked = { app, name, version, repository };
  const srcName = hexSrcName(checked);
  const file = hexDownloadFilename(checked);
  const uri = [`${base}/tarballs/${hexTarballName(checked)}`, `downloadfilename=${file}`, `name=${srcName}`, 'unpack=0', `subdir=${HEX_SUBDIR}`].join(';');
  const purl = v.purl(hexPurl(name, version, repository, repoUrls.has(repository) ? base : undefined), ctx(pkg, 'purl'));
  return { app, name, version, repository, srcName, uri, outer, inner, file, purl };
}

/**
 * Hosts that dropped the unauthenticated git:// protocol (and redirect http to
 * https); the pinned commit makes https fetch exactly the same tree.
 */
const HTTPS_ONLY_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org']);

/**
 * A BitBake git fetcher URL (`git://HOST/PATH;protocol=...`), with the
 * parameters in a fixed order. `branch` undefined means `nobranch=1`: the
 * SRCREV is pinned and need not be on any branch.
 */
export function bitbakeGitUri(url: GitUrl, params: { branch?: string; name?: string; destsuffix?: string; submodules?: boolean }): string {
  const upgrade = (url.protocol === 'git' || url.protocol === 'http') && HTTPS_ONLY_HOSTS.has(url.host.toLowerCase());
  const protocol = upgrade ? 'https' : url.protocol;
  const user = url.user ? `${url.user}@` : '';
  const port = url.port ? `:${url.port}` : '';
  const parts = [`${params.submodules ? 'gitsm' : 'git'}://${user}${url.host}${port}${url.path}`, `protocol=${protocol}`];
  parts.push(params.branch !== undefined ? `branch=${params.branch}` : 'nobranch=1');
  if (params.name !== undefined) parts.push(`name=${params.name}`);
  if (params.destsuffix !== undefined) parts.push(`destsuffix=${params.destsuffix}`);
  return parts.join(';');
}

export function gitEntry(pkg: GitPackage): GitEntry {
  const app = v.appName(pkg.app, ctx(pkg, 'app'));
  const url = v.gitUrl(pkg.url, ctx(pkg, 'url'));
  const rev = v.gitRev(pkg.rev, ctx(pkg, 'rev'));
  const branch = pkg.branch === undefined ? undefined : v.gitRefName(pkg.branch, ctx(pkg, 'branch'));
  if (pkg.ref !== undefined) v.gitRefName(pkg.ref, ctx(pkg, 'ref'));
  if (pkg.tag !== undefined) v.gitRefName(pkg.tag, ctx(pkg, 'tag'));
  const subdir = pkg.subdir === undefined ? undefined : v.relativePath(pkg.subdir, ctx(pkg, 'subdir'));
  const sparse = pkg.sparse === undefined ? undefined : v.relativePath(pkg.sparse, ctx(pkg, 'sparse'));
  const srcName = gitSrcName({ app });
  const dir = gitDestSuffix({ app });
  const uri = bitbakeGitUri(url, {
    ...(branch !== undefined ? { branch } : {}),
    name: srcName,
    destsuffix: dir,
    ...(pkg.submodules ? { submodules: true } : {}),
  });
  const purl = v.purl(gitPurl(app, url, rev), ctx(pkg, 'purl'));
  return {
    app,
    srcName,
    uri,
    rev,
    dir,
    ...(subdir !== undefined ? { subdir } : {}),
    ...(sparse !== undefined ? { sparse } : {}),
    purl,
    url: pkg.url,
  };
}
