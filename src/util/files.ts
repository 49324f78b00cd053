/**
 * Reading input files whole, and asking what a path is. A missing or
 * unreadable file becomes one `IO` error line naming it, not a Node stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { ioError } from './errors.js';

/** The file's bytes; `what` starts the message when it cannot be read ("cannot read the lockfile"). */
export function readBytes(path: string, what = 'cannot read'): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw ioError(e, path, what);
  }
}

/** The file as text; invalid UTF-8 becomes U+FFFD, as `readFileSync(path, 'utf8')` does. */
export function readText(path: string, what = 'cannot read'): string {
  return readBytes(path, what).toString('utf8');
}

/** True for an existing regular file (after links); false for anything else, including no access. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** True for an existing directory (after links); false for anything else, including no access. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
