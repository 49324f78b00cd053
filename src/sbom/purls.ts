/**
 * Package URLs and download locations for the packages of a BEAM project,
 * following the purl-spec type definitions: `hex` (org as namespace, a
 * self-hosted repository as `repository_url`), `github` for GitHub git
 * dependencies, `generic` with `vcs_url` for other git hosts, OTP/Elixir
 * applications and the project's own application (`pkg:otp` is not a
 * registered type; hex packages keep `hex`, as its definition asks).
 */
// The purl-spec encoding of src/bitbake/purl.ts, which test/bitbake/purl.test.ts checks against
// packageurl-js for every shape used here: loading that library costs `beambake recipe` (which
// writes the layer SBOM on every run) tens of milliseconds.
import { purlString } from '../bitbake/purl.js';

export const HEX_REPO_URL = 'https://repo.hex.pm';

export function hexPurl(name: string, version: string, repository: string, repositoryUrl?: string): string {
  const n = name.toLowerCase();
  if (repository === 'hexpm') return purlString('hex', undefined, n, version);
  if (repository.startsWith('hexpm:')) return purlString('hex', repository.slice('hexpm:'.length).toLowerCase(), n, version);
  return purlString('hex', undefined, n, version, repositoryUrl ? { repository_url: repositoryUrl } : undefined);
}

/** Where the tarball is served: repo.hex.pm, its per-organisation path, or a self-hosted repository's `tarballs/`. */
export function hexTarballUrl(name: string, version: string, repository: string, repositoryUrl?: string): string | undefined {
  const file = `${name}-${version}.tar`;
  if (repository === 'hexpm') return `${HEX_REPO_URL}/tarballs/${file}`;
  if (repository.startsWith('hexpm:')) return `${HEX_REPO_URL}/repos/${repository.slice('hexpm:'.length)}/tarballs/${file}`;
  return repositoryUrl ? `${repositoryUrl.replace(/\/+$/, '')}/tarballs/${file}` : undefined;
}

export interface GitLocation {
  /** https URL of the repository without `.git`, when it can be written as one. */
  web?: string;
  githubOwner?: string;
  githubRepo?: string;
}

/** Parse the git URL forms locks use (https, http, git://, ssh, scp-like `git@host:path`). */
export function gitLocation(url: string): GitLocation {
  let host: string | undefined;
  let path: string | undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  try {
    const u = new URL(url);
    host = u.hostname;
    path = u.pathname;
  } catch {
    if (scp) {
      host = scp[1];
      path = `/${scp[2]}`;
    }
  }
  if (!host || !path) return {};
  const clean = path.replace(/\.git\/?$/, '').replace(/\/+$/, '');
  const out: GitLocation = { web: `https://${host.toLowerCase()}${clean}` };
  const gh = host.toLowerCase() === 'github.com' ? /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(clean) : null;
  if (gh) {
    out.githubOwner = gh[1]!;
    out.githubRepo = gh[2]!;
  }
  return out;
}

/** `subpath`: the directory of the app in the repository (rebar3 git_subdir, mix subdir:/sparse:). */
export function gitPurl(name: string, url: string, rev: string, subpath?: string): string {
  const loc = gitLocation(url);
  if (loc.githubOwner && loc.githubRepo) {
    return purlString('github', loc.githubOwner.toLowerCase(), loc.githubRepo.toLowerCase(), rev, undefined, subpath);
  }
  return purlString('generic', undefined, name, rev, { vcs_url: `git+${url}@${rev}` }, subpath);
}

/** Where OTP and Elixir keep their applications (`vcs_url` + subpath, as mix_sbom writes them). */
const OTP_SOURCES = {
  otp: 'git+https://github.com/erlang/otp.git',
  elixir: 'git+https://github.com/elixir-lang/elixir.git',
} as const;

/**
 * An OTP/Elixir application or a project's own application. `pkg:otp` is not
 * a registered purl type, so these are `pkg:generic` with the application's
 * own version; OTP and Elixir applications name their repository (`vcs_url`)
 * and directory in it (subpath `lib/<app>`, `erts`), the scheme mix_sbom (the
 * EEF's SBOM tool) uses, so the two tools' purls agree. See docs/sbom-mapping.md.
 */
export function otpPurl(app: string, version: string | undefined, source?: keyof typeof OTP_SOURCES): string {
  const name = app.toLowerCase();
  if (!source) return purlString('generic', undefined, name, version);
  return purlString('generic', undefined, name, version, { vcs_url: OTP_SOURCES[source] }, name === 'erts' ? 'erts' : `lib/${name}`);
}
