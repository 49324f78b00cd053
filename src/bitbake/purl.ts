/**
 * Package URLs for SPDX_PACKAGE_URLS, so Yocto's own SBOM names each BEAM
 * dependency the way vulnerability databases do. Built with packageurl-js
 * (which does the percent-encoding) from values that were validated first.
 */
import { PackageURL } from 'packageurl-js';
import type { GitUrl } from './validate.js';

/** `pkg:hex/NAME@VERSION`, `pkg:hex/ORG/NAME@VERSION` (hexpm:ORG), or `?repository_url=` for self-hosted repositories. */
export function hexPurl(name: string, version: string, repository: string, repositoryUrl?: string): string {
  if (repository === 'hexpm') return new PackageURL('hex', undefined, name, version, undefined, undefined).toString();
  if (repository.startsWith('hexpm:')) {
    return new PackageURL('hex', repository.slice('hexpm:'.length), name, version, undefined, undefined).toString();
  }
  return new PackageURL('hex', undefined, name, version, repositoryUrl ? { repository_url: repositoryUrl } : undefined, undefined).toString();
}

/** The URL as git itself would be given it, for `vcs_url`. */
export function plainGitUrl(url: GitUrl): string {
  const user = url.user ? `${url.user}@` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}://${user}${url.host}${port}${url.path}`;
}

/**
 * `pkg:github/OWNER/REPO@SHA` for GitHub repositories, otherwise
 * `pkg:generic/NAME@SHA?vcs_url=git+URL@SHA`.
 */
export function gitPurl(name: string, url: GitUrl, rev: string): string {
  const gh = url.host.toLowerCase() === 'github.com' ? /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.path) : null;
  if (gh) return new PackageURL('github', gh[1]!.toLowerCase(), gh[2]!.toLowerCase(), rev, undefined, undefined).toString();
  return new PackageURL('generic', undefined, name, rev, { vcs_url: `git+${plainGitUrl(url)}@${rev}` }, undefined).toString();
}
