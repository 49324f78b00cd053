/** TOML input files (gleam.toml, manifest.toml): syntax errors as one `TOML_PARSE` line with line:column. */
import { parse, TomlError } from 'smol-toml';
import { BeambakeError } from './errors.js';

export function parseTomlText(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      // smol-toml appends a multi-line excerpt of the document; the first line says what is wrong.
      const what = e.message.replace(/^Invalid TOML document: /, '').split('\n')[0]!;
      throw new BeambakeError('TOML_PARSE', what, { file, line: e.line, column: e.column }, { cause: e });
    }
    throw e;
  }
}
