/** TOML input files (gleam.toml, manifest.toml): syntax errors as one `TOML_PARSE` line with line:column. */
import { createRequire } from 'node:module';
import { BeambakeError } from './errors.js';
import { guardNesting } from './nesting.js';

// Required on first use (its one-file CommonJS build): Mix and rebar3 projects never read TOML,
// and importing the ESM build costs them ~10 modules at start-up.
let smolToml: typeof import('smol-toml') | undefined;
function toml(): typeof import('smol-toml') {
  return (smolToml ??= createRequire(import.meta.url)('smol-toml') as typeof import('smol-toml'));
}

export function parseTomlText(text: string, file: string): Record<string, unknown> {
  const { parse, TomlError } = toml();
  try {
    return guardNesting(file, 'TOML_PARSE', () => parse(text) as Record<string, unknown>);
  } catch (e) {
    if (e instanceof TomlError) {
      // smol-toml appends a multi-line excerpt of the document; the first line says what is wrong.
      const what = e.message.replace(/^Invalid TOML document: /, '').split('\n')[0]!;
      throw new BeambakeError('TOML_PARSE', what, { file, line: e.line, column: e.column }, { cause: e });
    }
    throw e;
  }
}
