/**
 * The one dependency model every lockfile reader produces and every renderer
 * consumes. Its JSON form (see `projectToJson`) is the contract printed by
 * `beambake deps --json`.
 */

export type BuildTool = 'mix' | 'rebar3' | 'gleam';

/**
 * Where a dependency is used: `prod` ships in the release, `dev` and `test`
 * only build or check the project (Mix `only:`, rebar3 profiles, Gleam
 * `[dev-dependencies]`), followed through the lock's graph.
 */
export type Scope = 'prod' | 'dev' | 'test';
export const SCOPES: readonly Scope[] = ['prod', 'dev', 'test'];

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
  /** Declared scope, followed through the lock's graph (readProject fills it; `prod` when unknown). */
  scope?: Scope;
  /** Why this scope, in words ("only: [:dev, :test] in mix.exs", "required by plug (prod)"). */
  scopeReason?: string;
  /** False for a compile-time-only dependency (Mix `runtime: false`): the build needs it, the release does not hold it. */
  runtime?: boolean;
  /** Dependencies the lock marks optional (Mix `optional: true`): they do not carry the scope. Not part of the JSON contract. */
  optionalDependencies?: string[];
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

/** A release the project builds, with the project's own applications it includes. */
export interface Release {
  name: string;
  /** Undefined when only the build computes it (`{vsn, git}`, `semver`). */
  version?: string;
  /** How the build computes the version when it is not static. Not part of the JSON contract. */
  versionSource?: VersionSource;
  apps: string[];
  /**
   * The locked packages the release holds (its apps' declared dependencies followed through the
   * lock's graph), when that is known: Mix umbrellas whose children declare their deps statically.
   * Not part of the JSON contract.
   */
  packages?: string[];
}

export interface ProjectInfo {
  /** Undefined when no project file says it (a bare lockfile); see `identityProblems`. */
  name?: string;
  /** Undefined when the version is computed at build time and not derived; see `identityProblems`. */
  version?: string;
  buildTool: BuildTool;
  /** Path of the lockfile as given (relative to the cwd or absolute). */
  lockfile: string;
  /** Project directory, when the project file was found. */
  directory?: string;
  /** Umbrella child apps (mix `apps_path`, rebar3 `apps/*`). */
  umbrellaApps?: string[];
  /** Releases the project file defines (relx, mix.exs `releases:`), when it defines any. */
  releases?: Release[];
  /** Why name or version is unknown and which flag supplies it (one line). Not part of the JSON contract. */
  identityProblem?: string;
  /** The project file read (mix.exs, x.app.src, rebar.config, gleam.toml). Not part of the JSON contract. */
  projectFile?: string;
  /** How the build computes the version when it is not static. Not part of the JSON contract. */
  versionSource?: VersionSource;
}

/** How a build tool computes the version when the project file does not state it. */
export type VersionSource =
  /** rebar3 `{vsn, git}` / relx `{Name, git}`: `git describe` of the checkout. */
  | { kind: 'git' }
  /** relx `{Name, semver}`: the same, as SemVer. */
  | { kind: 'semver' }
  /** mix.exs `version: version()` reading a file (`File.read("VERSION")`). */
  | { kind: 'file'; file: string };

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
  /** Packages whose scope could not be read statically (treated as prod). Not part of the JSON contract. */
  scopeUnknown?: string[];
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
      name: p.name ?? null,
      version: p.version ?? null,
      buildTool: p.buildTool,
      lockfile: p.lockfile,
      ...(p.umbrellaApps && p.umbrellaApps.length > 0 ? { umbrellaApps: p.umbrellaApps } : {}),
      ...(p.releases && p.releases.length > 0
        ? { releases: p.releases.map((r) => ({ name: r.name, version: r.version ?? null, apps: r.apps })) }
        : {}),
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
        ...scopeJson(pkg),
      };
    case 'git': {
      const out: Record<string, unknown> = { app: pkg.app, source: 'git', url: pkg.url, rev: pkg.rev };
      for (const k of ['ref', 'tag', 'branch', 'subdir', 'sparse', 'submodules', 'depth'] as const) {
        if (pkg[k] !== undefined) out[k] = pkg[k];
      }
      out.dependencies = pkg.dependencies;
      out.direct = pkg.direct;
      return { ...out, ...scopeJson(pkg) };
    }
    case 'path':
      return {
        app: pkg.app,
        source: 'path',
        path: pkg.path,
        ...(pkg.version !== undefined ? { version: pkg.version } : {}),
        dependencies: pkg.dependencies,
        direct: pkg.direct,
        ...scopeJson(pkg),
      };
  }
}

function scopeJson(pkg: Package): Record<string, unknown> {
  return {
    scope: pkg.scope ?? 'prod',
    ...(pkg.scopeReason !== undefined ? { scopeReason: pkg.scopeReason } : {}),
    ...(pkg.runtime === false ? { runtime: false } : {}),
  };
}

/** Whether a package goes where `scopes` are wanted: the recipe (`build`: compile-time-only deps too) or the device SBOM. */
export function inScopes(pkg: Package, scopes: ReadonlySet<Scope>, opts: { build: boolean }): boolean {
  const scope = pkg.scope ?? 'prod';
  if (scope !== 'prod') return scopes.has(scope);
  return pkg.runtime !== false || opts.build || scopes.has('dev');
}
