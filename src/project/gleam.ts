/** The root of a Gleam project: `name`, `version` and `[dependencies]` of gleam.toml. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { BeambakeError, ioError } from '../util/errors.js';
import { decodeUtf8 } from '../lockfiles/common.js';
import type { RootInfo } from './types.js';

export function readGleamProject(dir: string): RootInfo {
  const file = join(dir, 'gleam.toml');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw ioError(e, file, 'cannot read the project file');
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(decodeUtf8(bytes, file)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const what = e.message.replace(/^Invalid TOML document: /, '').split('\n')[0]!;
      throw new BeambakeError('TOML_PARSE', what, { file, line: e.line, column: e.column }, { cause: e });
    }
    throw e;
  }
  const info: RootInfo = { projectFile: file, deps: [], problems: [] };
  if (typeof doc.name === 'string') info.name = doc.name;
  else info.problems.push('no name = "..."');
  if (typeof doc.version === 'string') info.version = doc.version;
  else info.problems.push('no version = "..."');
  const deps = doc.dependencies;
  if (typeof deps === 'object' && deps !== null && !Array.isArray(deps)) info.deps = Object.keys(deps).sort();
  return info;
}
