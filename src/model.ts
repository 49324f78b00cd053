/**
 * The one dependency model every lockfile reader produces and every renderer
 * consumes. Its JSON form (see `projectToJson`) is the contract printed by
 * `beambake deps --json`.
 */

export type BuildTool = 'mix' | 'rebar3' | 'gleam';

/** Where in the input a package came from, for error messages downstream. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

interface PackageBase {
  /** OTP application name (mix.lock key, rebar.lock app, Gleam otp_app or name). */
  app: string;
  /** Listed in the root project's own requirements (not only pulled in transitively). */
  direct: boolean;
  /** Apps this package depends on, sorted; empty when the lock does not say. */
  dependencies: string[];
  /** Where the entry was read; not part of the JSON contract. */
  location?: SourceLocation;
}

export interface HexPackage extends PackageBase {
  source: 'hex';
  /** Hex package name (may differ from `app`). */
  name: string;
  version: string;
  /** `hexpm`, `hexpm:ORG` or a self-hosted repository name. */
  repository: string;
  /** SHA-256 of the whole tarball, lowercase hex; null for old lock forms. */
  outerChecksum: string | null;
  /** The tarball's CHECKSUM (legacy inner checksum), lowercase hex, or null. */
  innerChecksum: string | null;
  /** Build tools the package declares (`mix`, `rebar3`, `make`, ...), in lock order. */
  buildTools: string[];
}

export interface GitPackage extends PackageBase {
  source: 'git';
  url: string;
  /** Full 40-hex commit. */
  rev: string;
  ref?: string;
  tag?: string;
  branch?: string;
  /** Directory inside the repository holding the app (mix `subdir:`, rebar3 `git_subdir`, Gleam `path`). */
  subdir?: string;
  /** mix `sparse:` checkout path. */
  sparse?: string;
  /** mix `submodules: true`. */
  submodules?: boolean;
  depth?: number;
}

export interface PathPackage extends PackageBase {
  source: 'path';
  path: string;
  version?: string;
}

export type Package = HexPackage | GitPackage | PathPackage;

export interface ProjectInfo {
  name: string;
  version: string;
  buildTool: BuildTool;
  /** Path of the lockfile as given (relative to the cwd or absolute). */
  lockfile: string;
  /** Project directory, when the project file was found. */
  directory?: string;
  /** Umbrella child apps (mix `apps_path`). */
  umbrellaApps?: string[];
}

/** A dependency a locked package requires that the lock does not hold (left out of `dependencies`). */
export interface UnlockedDependency {
  app: string;
  requiredBy: string;
}

export interface Project extends ProjectInfo {
  /** Sorted by `app`, then version. */
  packages: Package[];
  /** Facts the readers noticed but could not act on (printed as warnings). */
  warnings: string[];
  /** Required but not locked (path or umbrella deps, or a broken lock); sorted by requiredBy, then app. Not part of the JSON contract. */
  unlocked?: UnlockedDependency[];
}

export function comparePackages(a: Package, b: Package): number {
  if (a.app !== b.app) return a.app < b.app ? -1 : 1;
  const va = a.source === 'hex' ? a.version : a.source === 'git' ? a.rev : a.path;
  const vb = b.source === 'hex' ? b.version : b.source === 'git' ? b.rev : b.path;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** The `beambake deps --json` document. Key order is fixed for byte-stable output. */
export function projectToJson(p: Project): Record<string, unknown> {
  return {
    project: {
      name: p.name,
      version: p.version,
      buildTool: p.buildTool,
      lockfile: p.lockfile,
      ...(p.umbrellaApps && p.umbrellaApps.length > 0 ? { umbrellaApps: p.umbrellaApps } : {}),
    },
    packages: p.packages.map(packageToJson),
  };
}

export function packageToJson(pkg: Package): Record<string, unknown> {
  switch (pkg.source) {
    case 'hex':
      return {
        app: pkg.app,
        name: pkg.name,
        version: pkg.version,
        source: 'hex',
        repository: pkg.repository,
        outerChecksum: pkg.outerChecksum,
        innerChecksum: pkg.innerChecksum,
        buildTools: pkg.buildTools,
        dependencies: pkg.dependencies,
        direct: pkg.direct,
      };
    case 'git': {
      const out: Record<string, unknown> = { app: pkg.app, source: 'git', url: pkg.url, rev: pkg.rev };
      for (const k of ['ref', 'tag', 'branch', 'subdir', 'sparse', 'submodules', 'depth'] as const) {
        if (pkg[k] !== undefined) out[k] = pkg[k];
      }
      out.dependencies = pkg.dependencies;
      out.direct = pkg.direct;
      return out;
    }
    case 'path':
      return {
        app: pkg.app,
        source: 'path',
        path: pkg.path,
        ...(pkg.version !== undefined ? { version: pkg.version } : {}),
        dependencies: pkg.dependencies,
        direct: pkg.direct,
      };
  }
}
