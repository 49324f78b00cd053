/**
 * The root project's name, version and own dependencies, read statically from
 * its project file; `--app-name` / `--app-version` override what is read and
 * stand in for what cannot be.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BeambakeError } from '../util/errors.js';
import { oneLine } from '../terms/index.js';
import type { BuildTool } from '../model.js';
import { readMixProject } from './mix.js';
import { readRebarProject } from './rebar.js';
import { readGleamProject } from './gleam.js';
import type { DeclaredDep, ReleaseInfo, RootInfo, VersionSource } from './types.js';

export type { DeclaredDep, ReleaseInfo, RootInfo, VersionSource } from './types.js';

export interface RootOptions {
  appName?: string;
  appVersion?: string;
  /** Fail (PROJECT_UNREADABLE) when name or version stay unknown; otherwise report them in `problems`. Default true. */
  require?: boolean;
}

export interface RootProject {
  name?: string;
  version?: string;
  /** How the build computes the version when it is not static. */
  versionSource?: VersionSource;
  /** The project file read, when there was one. */
  projectFile?: string;
  umbrellaApps?: string[];
  deps: string[];
  /** Declared scopes; undefined when there is no project file. */
  declared?: DeclaredDep[];
  depsProblem?: string;
  releases?: ReleaseInfo[];
  /** Umbrella children's own declared dependencies, by child app. */
  appDeps?: Record<string, string[]>;
  /** When name or version is unknown: the one-line message saying why and which flag supplies it. */
  identityProblem?: string;
}

const PROJECT_FILE: Record<BuildTool, string> = { mix: 'mix.exs', rebar3: 'rebar.config', gleam: 'gleam.toml' };

export function readRootInfo(dir: string, tool: BuildTool): RootInfo | undefined {
  switch (tool) {
    case 'mix':
      return existsSync(join(dir, 'mix.exs')) ? readMixProject(dir) : undefined;
    case 'gleam':
      return existsSync(join(dir, 'gleam.toml')) ? readGleamProject(dir) : undefined;
    case 'rebar3':
      return existsSync(join(dir, 'rebar.config')) || existsSync(join(dir, 'src')) || existsSync(join(dir, 'apps'))
        ? readRebarProject(dir)
        : undefined;
  }
}

/** Name and version for the project in `dir`, or one error saying what is missing and how to supply it. */
export function readRootProject(dir: string, tool: BuildTool, opts: RootOptions = {}): RootProject {
  // Both given: the project file is not needed, and a broken one must not get in the way.
  const info = opts.appName && opts.appVersion ? safeRead(dir, tool) : readRootInfo(dir, tool);
  const name = opts.appName ?? info?.name;
  const version = opts.appVersion ?? info?.version;
  let identityProblem: string | undefined;
  if (name === undefined || version === undefined) {
    const missing = [name === undefined ? 'name' : '', version === undefined ? 'version' : ''].filter(Boolean).join(' and ');
    const flags = [name === undefined ? '--app-name' : '', version === undefined ? '--app-version' : ''].filter(Boolean).join(' and ');
    const why = info ? info.problems.join('; ') : `no ${PROJECT_FILE[tool]} here`;
    identityProblem = oneLine(`cannot read the project ${missing} statically: ${why}; pass ${flags}`);
    if (opts.require !== false) throw new BeambakeError('PROJECT_UNREADABLE', identityProblem, { file: info?.projectFile ?? dir });
  }
  return {
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(info?.versionSource && opts.appVersion === undefined ? { versionSource: info.versionSource } : {}),
    ...(info ? { projectFile: info.projectFile } : {}),
    ...(info?.umbrellaApps ? { umbrellaApps: info.umbrellaApps } : {}),
    deps: info?.deps ?? [],
    ...(info?.declared ? { declared: info.declared } : {}),
    ...(info?.depsProblem ? { depsProblem: info.depsProblem } : {}),
    ...(info?.releases && info.releases.length > 0 ? { releases: info.releases } : {}),
    ...(info?.appDeps ? { appDeps: info.appDeps } : {}),
    ...(identityProblem ? { identityProblem } : {}),
  };
}

function safeRead(dir: string, tool: BuildTool): RootInfo | undefined {
  try {
    return readRootInfo(dir, tool);
  } catch {
    return undefined;
  }
}
