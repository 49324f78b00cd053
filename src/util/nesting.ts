/**
 * Deeply nested input. beambake's own parsers count nesting and stop at
 * `MAX_NESTING` with a located error; third-party parsers (TOML, XML) and the
 * recursive walkers over parsed trees may still run out of stack on
 * pathological input (`[[[[...` 100,000 deep). `guardNesting` turns that
 * RangeError, and only that one, into the input error of the file being read,
 * so the user sees one line and exit 3 instead of an internal error.
 */
import { BeambakeError } from './errors.js';

/** Deeper than any real lockfile, project file, metadata.config or SBOM (they stay below 20). */
export const MAX_NESTING = 1000;

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

export function tooDeep(file: string, code: string): BeambakeError {
  return new BeambakeError(code, `nested too deeply (more than ${MAX_NESTING} levels of lists, tuples, maps or tables)`, { file });
}

/** Run a synchronous read; a stack overflow inside it becomes `code` naming `file`. */
export function guardNesting<T>(file: string, code: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (isStackOverflow(e)) throw tooDeep(file, code);
    throw e;
  }
}

/** `guardNesting` for asynchronous readers. */
export async function guardNestingAsync<T>(file: string, code: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isStackOverflow(e)) throw tooDeep(file, code);
    throw e;
  }
}
