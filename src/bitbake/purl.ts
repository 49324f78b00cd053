/**
 * Package URLs for SPDX_PACKAGE_URLS, so Yocto's own SBOM names each BEAM
 * dependency the way vulnerability databases do.
 *
 * The few shapes needed here are encoded directly with the purl
 * specification's per-component rules (the same ones packageurl-js applies;
 * test/bitbake/purl.test.ts checks the two agree), which keeps the library
 * off the start-up path of `beambake recipe`. Inputs are validated first.
 */
import type { GitUrl } from './validate.js';

const enc = (s: string) => encodeURIComponent(s);
const encVersion = (s: string) => encodeURIComponent(s).replace(/%3A/g, ':').replace(/%2B/g, '+');

function qualifiers(q: Record<string, string> | undefined): string {
  if (!q || Object.keys(q).length === 0) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(q).sort()) params.set(key, q[key]!);
  return '?' + params.toString().replace(/\+/g, '%20');
}

/** `subpath` segments are encoded one by one; empty, `.` and `..` segments are dropped, as the spec says. */
export function purlString(type: string, namespace: string | undefined, name: string, version: string | undefined, q?: Record<string, string>, subpath?: string): string {
  const ns = namespace ? `${namespace.split('/').map(enc).join('/')}/` : '';
  const v = version === undefined || version === '' ? '' : `@${encVersion(version)}`;
  const segments = (subpath ?? '').split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  const sp = segments.length > 0 ? `#${segments.map(enc).join('/')}` : '';
  return `pkg:${type}/${ns}${enc(name)}${v}${qualifiers(q)}${sp}`;
}

/** `pkg:hex/NAME@VERSION`, `pkg:hex/ORG/NAME@VERSION` (hexpm:ORG), or `?repository_url=` for self-hosted repositories. */
export function hexPurl(name: string, version: string, repository: string, repositoryUrl?: string): string {
  if (repository === 'hexpm') return purlString('hex', undefined, name, version);
  if (repository.startsWith('hexpm:')) return purlString('hex', repository.slice('hexpm:'.length), name, version);
  return purlString('hex', undefined, name, version, repositoryUrl ? { repository_url: repositoryUrl } : undefined);
}

/** The URL as git itself would be given it, for `vcs_url`. */
export function plainGitUrl(url: GitUrl): string {
  const user = url.user ? `${url.user}@` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}://${user}${url.host}${port}${url.path}`;
}

/**
 * `pkg:github/OWNER/REPO@SHA` for GitHub repositories (lowercased, as the
 * github type requires), otherwise `pkg:generic/NAME@SHA?vcs_url=git+URL@SHA`.
 */
export function gitPurl(name: string, url: GitUrl, rev: string): string {
  const gh = url.host.toLowerCase() === 'github.com' ? /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.path) : null;
  if (gh) return purlString('github', gh[1]!.toLowerCase(), gh[2]!.toLowerCase(), rev);
  return purlString('generic', undefined, name, rev, { vcs_url: `git+${plainGitUrl(url)}@${rev}` });
}
