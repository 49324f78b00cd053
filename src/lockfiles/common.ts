/**
 * What every lockfile reader shares: the result shape, located
 * `LOCK_INVALID` errors and checksum checks.
 */
import { BeambakeError } from '../util/errors.js';
import { readBytes } from '../util/files.js';
import { describeTerm, oneLine, type Term, type TermLoc } from '../terms/index.js';
import type { Package, SourceLocation, UnlockedDependency } from '../model.js';

export interface LockRead {
  /** Unsorted; `direct` filled as far as the lock itself can tell. */
  packages: Package[];
  warnings: string[];
  /** Dependencies a package requires that the lock does not hold. */
  unlocked?: UnlockedDependency[];
}

/** Reading context: the file as the user named it, for every message. */
export class LockContext {
  readonly warnings: string[] = [];
  constructor(readonly file: string) {}

  where(loc: TermLoc | undefined): SourceLocation {
    return { file: this.file, line: loc?.line ?? 0, column: loc?.column ?? 0 };
  }

  invalid(message: string, loc: TermLoc | undefined, entry?: string): BeambakeError {
    return new BeambakeError('LOCK_INVALID', oneLine(message), {
      file: this.file,
      ...(loc && loc.line > 0 ? { line: loc.line, column: loc.column } : {}),
      ...(entry ? { entry: oneLine(entry) } : {}),
    });
  }

  warn(message: string, loc?: TermLoc, entry?: string): void {
    const where = loc && loc.line > 0 ? `${this.file}:${loc.line}:${loc.column}` : this.file;
    this.warnings.push(oneLine(`${where}: ${entry ? `${entry}: ` : ''}${message}`));
  }

  /** A string field (binary or charlist); anything else is a located error. */
  text(t: Term | undefined, what: string, entry: string, parent: Term): string {
    if (t && (t.kind === 'binary' || t.kind === 'charlist')) return t.value;
    throw this.invalid(`${what} must be a string, found ${t ? describeTerm(t) : 'nothing'}`, t?.loc ?? parent.loc, entry);
  }

  /** An atom or string naming something (apps, packages). */
  name(t: Term | undefined, what: string, entry: string, parent: Term): string {
    if (t && (t.kind === 'atom' || t.kind === 'binary' || t.kind === 'charlist')) return t.value;
    throw this.invalid(`${what} must be an atom or a string, found ${t ? describeTerm(t) : 'nothing'}`, t?.loc ?? parent.loc, entry);
  }

  list(t: Term | undefined, what: string, entry: string, parent: Term): Term[] {
    if (t && t.kind === 'list') return t.items;
    throw this.invalid(`${what} must be a list, found ${t ? describeTerm(t) : 'nothing'}`, t?.loc ?? parent.loc, entry);
  }

  /** A SHA-256 checksum as lowercase hex; the lock may spell it in either case. */
  checksum(t: Term | undefined, what: string, entry: string, parent: Term): string {
    const value = this.text(t, what, entry, parent);
    return checkSha256(value, () => this.invalid(`${what} must be 64 hexadecimal digits (SHA-256), found ${JSON.stringify(value)}`, t!.loc, entry));
  }
}

export function checkSha256(value: string, fail: () => Error): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw fail();
  return value.toLowerCase();
}

/** A lockfile or project file as text; `what` starts the message when it cannot be read. */
export function readUtf8File(file: string, what: string): string {
  return decodeUtf8(readBytes(file, what), file);
}

/**
 * Decode lockfile bytes as UTF-8, failing with the position of the first
 * invalid byte rather than silently substituting U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const idx = loose.indexOf('\uFFFD');
    const before = Array.from(loose.slice(0, Math.max(idx, 0)));
    let line = 1;
    let column = 1;
    for (const c of before) {
      if (c === '\n') {
        line++;
        column = 1;
      } else column++;
    }
    throw new BeambakeError('LOCK_PARSE', 'invalid UTF-8 byte sequence', { file, line, column });
  }
}
