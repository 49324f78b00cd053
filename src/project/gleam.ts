/** The root of a Gleam project: `name`, `version` and `[dependencies]` of gleam.toml. */
import { join } from 'node:path';
import { parseTomlText } from '../util/toml.js';
import { readUtf8File } from '../lockfiles/common.js';
import type { RootInfo } from './types.js';

export function readGleamProject(dir: string): RootInfo {
  const file = join(dir, 'gleam.toml');
  const doc = parseTomlText(readUtf8File(file, 'cannot read the project file'), file);
  const info: RootInfo = { projectFile: file, deps: [], problems: [] };
  if (typeof doc.name === 'string') info.name = doc.name;
  else info.problems.push('no name = "..."');
  if (typeof doc.version === 'string') info.version = doc.version;
  else info.problems.push('no version = "..."');
  const deps = doc.dependencies;
  if (typeof deps === 'object' && deps !== null && !Array.isArray(deps)) info.deps = Object.keys(deps).sort();
  return info;
}
