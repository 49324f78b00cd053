/**
 * `readProject`: a project directory or lockfile in, the one dependency model
 * out. Format readers know their file; this module wires detection, the root
 * project reader and the direct/transitive decision together.
 */
import { comparePackages, type BuildTool, type Project } from '../model.js';
import { readRootProject, type RootOptions } from '../project/index.js';
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

export type ReadProjectOptions = RootOptions;

const PARSERS: Record<BuildTool, (text: string, file: string) => LockRead> = {
  mix: parseMixLock,
  rebar3: parseRebarLock,
  gleam: parseGleamManifest,
};

/** Read one lockfile by its build tool. */
export function readLockfile(file: string, tool: BuildTool): LockRead {
  return PARSERS[tool](readUtf8File(file, 'cannot read the lockfile'), file);
}

export async function readProject(path: string, opts: ReadProjectOptions = {}): Promise<Project> {
  const found = detect(path);
  const lock: LockRead = found.lockfile ? readLockfile(found.lockfile, found.buildTool) : { packages: [], warnings: [] };
  // The gate: nothing from the lock is used (as a path, a file name, output) before this.
  validateLockedPackages(lock.packages);
  const root = readRootProject(found.projectDir, found.buildTool, opts);

  // mix.lock says which apps others require; the root's own deps list (when
  // mix.exs names them statically) marks the rest as direct too.
  if (found.buildTool === 'mix') {
    const own = new Set(root.deps);
    for (const p of lock.packages) if (own.has(p.app)) p.direct = true;
  }
  return {
    name: root.name,
    version: root.version,
    buildTool: found.buildTool,
    lockfile: found.lockfile ?? '',
    directory: found.projectDir,
    ...(root.umbrellaApps ? { umbrellaApps: root.umbrellaApps } : {}),
    packages: [...lock.packages].sort(comparePackages),
    warnings: [...found.warnings, ...lock.warnings],
    ...(lock.unlocked && lock.unlocked.length > 0 ? { unlocked: lock.unlocked } : {}),
  };
}
