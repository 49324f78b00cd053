/**
 * From a path the user gave (a project directory or a lockfile) to the build
 * tool, the lockfile and the project directory.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BeambakeError, ioError } from '../util/errors.js';
import type { BuildTool } from '../model.js';

export interface Detected {
  buildTool: BuildTool;
  /** The lockfile path, relative to what the user gave; undefined when the project locks nothing. */
  lockfile?: string;
  /** Where the project file (mix.exs, rebar.config, gleam.toml) is expected. */
  projectDir: string;
  warnings: string[];
}

const LOCKFILE: Record<BuildTool, string> = { mix: 'mix.lock', rebar3: 'rebar.lock', gleam: 'manifest.toml' };
const PROJECT_FILE: Record<BuildTool, string> = { mix: 'mix.exs', rebar3: 'rebar.config', gleam: 'gleam.toml' };
/** When a directory holds several kinds, mix wins (dual mix/rebar3 libraries build with mix), then Gleam. */
const PREFERENCE: BuildTool[] = ['mix', 'gleam', 'rebar3'];

export function lockfileName(tool: BuildTool): string {
  return LOCKFILE[tool];
}

export function toolForLockfile(file: string): BuildTool | undefined {
  const name = basename(file);
  if (name === 'mix.lock') return 'mix';
  if (name === 'rebar.lock' || name.endsWith('.rebar.lock')) return 'rebar3';
  if (name === 'manifest.toml') return 'gleam';
  return undefined;
}

export function detect(path: string): Detected {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw ioError(e, path, 'cannot read the project');
  }
  if (!isDir) {
    const tool = toolForLockfile(path);
    if (!tool) {
      throw new BeambakeError('LOCK_UNSUPPORTED', 'not a lockfile this tool reads (expected mix.lock, rebar.lock or manifest.toml)', {
        file: path,
      });
    }
    return { buildTool: tool, lockfile: path, projectDir: dirname(path), warnings: [] };
  }

  const locked = PREFERENCE.filter((t) => existsSync(join(path, LOCKFILE[t])));
  const withProject = PREFERENCE.filter((t) => existsSync(join(path, PROJECT_FILE[t])));
  const warnings: string[] = [];
  if (locked.length > 0) {
    const tool = locked.find((t) => withProject.includes(t)) ?? locked[0]!;
    if (locked.length > 1) {
      const others = locked.filter((t) => t !== tool).map((t) => LOCKFILE[t]);
      warnings.push(`${path} holds ${LOCKFILE[tool]} and ${others.join(', ')}; reading ${LOCKFILE[tool]} (name the lockfile to choose another)`);
    }
    return { buildTool: tool, lockfile: join(path, LOCKFILE[tool]), projectDir: path, warnings };
  }
  if (withProject.length > 0) {
    const tool = withProject[0]!;
    warnings.push(`${path} has ${PROJECT_FILE[tool]} but no ${LOCKFILE[tool]}: no dependencies are locked`);
    return { buildTool: tool, projectDir: path, warnings };
  }
  throw new BeambakeError('PROJECT_NOT_FOUND', 'no mix.lock, rebar.lock or manifest.toml (nor mix.exs, rebar.config, gleam.toml) here', {
    file: path,
  });
}
