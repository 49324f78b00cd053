/**
 * The root of a Gleam project: `name`, `version`, `[dependencies]` (prod) and
 * `[dev-dependencies]` (dev; `dev_dependencies` in newer Gleam) of gleam.toml.
 */
import { join } from 'node:path';
import { parseTomlText } from '../util/toml.js';
import { readUtf8File } from '../lockfiles/common.js';
import type { DeclaredDep, RootInfo } from './types.js';

export function readGleamProject(dir: string): RootInfo {
  const file = join(dir, 'gleam.toml');
  const doc = parseTomlText(readUtf8File(file, 'cannot read the project file'), file);
  const info: RootInfo = { projectFile: file, deps: [], problems: [] };
  if (typeof doc.name === 'string') info.name = doc.name;
  else info.problems.push('no name = "..."');
  if (typeof doc.version === 'string') info.version = doc.version;
  else info.problems.push('no version = "..."');
  const table = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v).sort() : []);
  info.deps = table(doc.dependencies);
  const declared: DeclaredDep[] = info.deps.map((app) => ({ app, scope: 'prod', runtime: true, reason: '[dependencies] in gleam.toml' }));
  for (const key of ['dev-dependencies', 'dev_dependencies']) {
    for (const app of table(doc[key])) {
      if (!info.deps.includes(app)) declared.push({ app, scope: 'dev', runtime: true, reason: `[${key}] in gleam.toml` });
    }
  }
  info.declared = declared;
  return info;
}
