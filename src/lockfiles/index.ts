/**
 * `readProject`: a project directory or lockfile in, the one dependency model
 * out. Format readers know their file; this module wires detection, the root
 * project reader and the direct/transitive decision together.
 */
import { comparePackages, type BuildTool, type Package, type Project, type Release } from '../model.js';
import { readRootProject, type RootOptions } from '../project/index.js';
import { assignScopes } from '../project/scope.js';
import { readUtf8File, type LockRead } from './common.js';
import { detect } from './detect.js';
import { parseMixLock } from './mix.js';
import { parseRebarLock } from './rebar.js';
import { parseGleamManifest } from './gleam.js';
import { validateLockedPackages } from '../validate/lock.js';

export { parseMixLock } from './mix.js';
export { parseRebarLock } from './rebar.js';
export { parseGleamManifest } from './gleam.js';
export { detect, toolForLockfile, lockfileName } from './detect.js';
export type { LockRead } from './common.js';

export type ReadProjectOptions = Omit<RootOptions, 'require'>;

const PARSERS: Record<BuildTool, (text: string, file: string) => LockRead> = {
  mix: parseMixLock,
  rebar3: parseRebarLock,
  gleam: parseGleamManifest,
};

/** Read one lockfile by its build tool. */
export function readLockfile(file: string, tool: BuildTool): LockRead {
  return PARSERS[tool](readUtf8File(file, 'cannot read the lockfile'), file);
}

/**
 * The packages a release holds: what its own apps declare (and the umbrella
 * root's own deps), followed through the lock's graph. Only when every app of
 * the release declares its deps statically; otherwise the release is taken to
 * hold every package.
 */
function withReleasePackages(r: Release, appDeps: Record<string, string[]> | undefined, rootDeps: string[], packages: Package[]): Release {
  if (!appDeps || r.apps.length === 0 || r.apps.some((a) => appDeps[a] === undefined)) return { ...r };
  const byApp = new Map(packages.map((p) => [p.app, p]));
  const ownSeen = new Set<string>();
  const held = new Set<string>();
  const queue: string[] = [];
  const visitOwn = (app: string) => {
    if (ownSeen.has(app)) return;
    ownSeen.add(app);
    for (const d of appDeps[app] ?? []) {
      if (appDeps[d] !== undefined) visitOwn(d);
      else queue.push(d);
    }
  };
  for (const a of r.apps) visitOwn(a);
  queue.push(...rootDeps.filter((d) => appDeps[d] === undefined && !r.apps.includes(d) && byApp.has(d) && !Object.values(appDeps).flat().includes(d)));
  while (queue.length > 0) {
    const app = queue.shift()!;
    const p = byApp.get(app);
    if (!p || held.has(app)) continue;
    held.add(app);
    const optional = new Set(p.optionalDependencies ?? []);
    for (const d of p.dependencies) if (!optional.has(d)) queue.push(d);
  }
  return { ...r, packages: [...held].sort() };
}

export async function readProject(path: string, opts: ReadProjectOptions = {}): Promise<Project> {
  const found = detect(path);
  const lock: LockRead = found.lockfile ? readLockfile(found.lockfile, found.buildTool) : { packages: [], warnings: [] };
  // The gate: nothing from the lock is used (as a path, a file name, output) before this.
  validateLockedPackages(lock.packages);
  // Name and version may be unknown (a bare lockfile, `{vsn, git}`): what needs them asks (recipe).
  const root = readRootProject(found.projectDir, found.buildTool, { ...opts, require: false });

  // mix.lock says which apps others require; the root's own deps list (when
  // mix.exs names them statically) marks the rest as direct too.
  if (found.buildTool === 'mix') {
    const own = new Set(root.deps);
    for (const p of lock.packages) if (own.has(p.app)) p.direct = true;
  }
  const scopes = assignScopes(lock.packages, {
    ...(root.declared ? { declared: root.declared } : {}),
    ...(root.depsProblem ? { depsProblem: root.depsProblem } : {}),
    graphKnown: found.buildTool !== 'rebar3',
  });
  const warnings = [...found.warnings, ...lock.warnings];
  // An umbrella that defines releases ships those, each with its own name and version: no warning about the root.
  if (root.identityProblem && !(root.umbrellaApps && root.releases?.length)) warnings.push(`${root.projectFile ?? found.projectDir}: ${root.identityProblem} (shown as unknown)`);
  if (scopes.unknown.length > 0 && lock.packages.length > 0) {
    const unknown = new Set(scopes.unknown);
    const reasons = [...new Set(lock.packages.filter((p) => unknown.has(p.app)).map((p) => (p.scopeReason ?? '').replace(/^unknown: /, '').replace(/ \(treated as prod\)$/, '')))].sort();
    warnings.push(`${root.projectFile ?? found.projectDir}: scope unknown for ${scopes.unknown.join(', ')} (${reasons.join('; ')}); treated as prod`);
  }
  return {
    ...(root.name !== undefined ? { name: root.name } : {}),
    ...(root.version !== undefined ? { version: root.version } : {}),
    buildTool: found.buildTool,
    lockfile: found.lockfile ?? '',
    directory: found.projectDir,
    ...(root.umbrellaApps ? { umbrellaApps: root.umbrellaApps } : {}),
    ...(root.releases ? { releases: root.releases.map((r) => withReleasePackages(r, root.appDeps, root.deps, lock.packages)) } : {}),
    ...(root.identityProblem ? { identityProblem: root.identityProblem } : {}),
    ...(root.projectFile ? { projectFile: root.projectFile } : {}),
    ...(root.versionSource ? { versionSource: root.versionSource } : {}),
    packages: [...lock.packages].sort(comparePackages),
    warnings,
    ...(lock.unlocked && lock.unlocked.length > 0 ? { unlocked: lock.unlocked } : {}),
    ...(scopes.unknown.length > 0 ? { scopeUnknown: scopes.unknown } : {}),
  };
}
