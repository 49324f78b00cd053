import type { Scope, VersionSource } from '../model.js';

export type { VersionSource } from '../model.js';

/** One dependency as the project file declares it, with the scope it declares. */
export interface DeclaredDep {
  app: string;
  scope: Scope;
  /** False for a compile-time-only dependency (Mix `runtime: false`): built with, not in the release. */
  runtime: boolean;
  /** Where the scope comes from, in words: `only: [:dev, :test] in mix.exs`. */
  reason: string;
  /** The declaration could not be read statically (`only: @envs`); treated as prod. */
  unknown?: boolean;
}

/** A release the project builds (relx `{release, ...}`, mix.exs `releases:`), with its own applications. */
export interface ReleaseInfo {
  name: string;
  /** Static version, if the release states one. */
  version?: string;
  /** Why the version is not static (and how the build tool computes it). */
  versionSource?: VersionSource;
  /** The project's own applications the release includes (umbrella children, apps/*). */
  apps: string[];
}

/** What a root project file says about the project itself, before options override it. */
export interface RootInfo {
  /** The project file read (mix.exs, src/x.app.src, gleam.toml, ...). */
  projectFile: string;
  name?: string;
  version?: string;
  /** When `version` is not static: how the build tool computes it. */
  versionSource?: VersionSource;
  umbrellaApps?: string[];
  /** Apps the project names as its own dependencies, when the project file says (sorted). */
  deps: string[];
  /** The same dependencies with their declared scope (all of them, children of umbrellas included). */
  declared?: DeclaredDep[];
  /** Why the dependency list (or part of it) cannot be read statically: scopes of what it leaves out are unknown. */
  depsProblem?: string;
  /** Releases the project file defines. */
  releases?: ReleaseInfo[];
  /** Umbrella children's own declared dependencies (apps, siblings included), by child app. */
  appDeps?: Record<string, string[]>;
  /** Why name or version could not be read, in words for the user. */
  problems: string[];
}
