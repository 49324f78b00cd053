/**
 * One error type for everything the user can cause. The CLI layer is the only
 * place that turns these into text and exit codes; library code throws them
 * with a stable `code` so tests and `--json` consumers can match on it.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  OK: 0,
  /** A check ran and found a problem: verification failure, stale layer, SBOM gaps. */
  CHECK_FAILED: 1,
  /** Bad command line (yargs reports these itself). */
  USAGE: 2,
  /** Bad input file: parse error, unsafe value, unsupported form. */
  INPUT: 3,
  /** Filesystem or external tool failure. */
  IO: 4,
  /** A bug in beambake. */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable error codes, grouped by the exit code family they map to. */
const CODE_FAMILY: Record<string, ExitCode> = {
  // input
  LOCK_PARSE: ExitCode.INPUT,
  TERM_PARSE: ExitCode.INPUT,
  TOML_PARSE: ExitCode.INPUT,
  LOCK_UNSUPPORTED: ExitCode.INPUT,
  LOCK_INVALID: ExitCode.INPUT,
  PROJECT_UNREADABLE: ExitCode.INPUT,
  PROJECT_NOT_FOUND: ExitCode.INPUT,
  UNSAFE_VALUE: ExitCode.INPUT,
  UNPINNED: ExitCode.INPUT,
  PROFILE_INVALID: ExitCode.INPUT,
  PROFILE_NOT_FOUND: ExitCode.INPUT,
  POLICY_INVALID: ExitCode.INPUT,
  TRUST_ROOT_INVALID: ExitCode.INPUT,
  KEY_INVALID: ExitCode.INPUT,
  SBOM_PARSE: ExitCode.INPUT,
  SBOM_UNSUPPORTED: ExitCode.INPUT,
  SBOM_GRAPH_INVALID: ExitCode.INPUT,
  SBOM_DUPLICATE_ID: ExitCode.INPUT,
  SBOM_DUPLICATE_INPUT: ExitCode.INPUT,
  MIRROR_INVALID: ExitCode.INPUT,
  OSV_INVALID: ExitCode.INPUT,
  TRIAGE_INVALID: ExitCode.INPUT,
  CVE_CHECK_INVALID: ExitCode.INPUT,
  REPORT_INPUT: ExitCode.INPUT,
  LAYER_INCOMPATIBLE: ExitCode.INPUT,
  INVALID_ARGUMENT: ExitCode.USAGE,
  // checks
  CHECKSUM_MISMATCH: ExitCode.CHECK_FAILED,
  SIGNATURE_INVALID: ExitCode.CHECK_FAILED,
  TARBALL_INVALID: ExitCode.CHECK_FAILED,
  UNSAFE_ARCHIVE: ExitCode.CHECK_FAILED,
  REGISTRY_MISMATCH: ExitCode.CHECK_FAILED,
  SIGSTORE_FAILED: ExitCode.CHECK_FAILED,
  VERIFY_FAILED: ExitCode.CHECK_FAILED,
  LAYER_STALE: ExitCode.CHECK_FAILED,
  SBOM_CHECK_FAILED: ExitCode.CHECK_FAILED,
  MERGE_LOSS: ExitCode.CHECK_FAILED,
  MERGE_UNREACHABLE: ExitCode.CHECK_FAILED,
  VULNERABLE: ExitCode.CHECK_FAILED,
  // io
  IO: ExitCode.IO,
  TOOL_FAILED: ExitCode.IO,
};

export interface ErrorLocation {
  /** File the problem is in, as the user named it. */
  file?: string;
  /** 1-based line and column. */
  line?: number;
  column?: number;
  /** The entry (package, component, field path) the problem is about. */
  entry?: string;
}

export class BeambakeError extends Error {
  readonly code: string;
  readonly location: ErrorLocation;

  constructor(code: string, message: string, location: ErrorLocation = {}, options?: { cause?: unknown }) {
    // One line, always: a message quoting input (or a library's multi-line excerpt of it) is escaped here.
    // eslint-disable-next-line no-control-regex
    super(message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')), options);
    this.name = 'BeambakeError';
    this.code = code;
    this.location = location;
  }

  get exitCode(): ExitCode {
    return CODE_FAMILY[this.code] ?? ExitCode.INPUT;
  }

  /** `file:line:column: entry: message`, leaving out what is unknown. */
  format(): string {
    const { file, line, column, entry } = this.location;
    let where = file ?? '';
    if (file && line !== undefined) where += `:${line}` + (column !== undefined ? `:${column}` : '');
    const parts = [where, entry ? `${entry}` : ''].filter((p) => p.length > 0);
    return parts.length > 0 ? `${parts.join(': ')}: ${this.message}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.location };
  }
}

export function isBeambakeError(e: unknown): e is BeambakeError {
  return e instanceof BeambakeError;
}

/** Node's own messages repeat the path and the syscall ("EISDIR: illegal operation on a directory, read"). */
const ERRNO_REASON: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory (or a parent of it is a file)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
};

/** Wrap a Node filesystem error so the CLI prints one line instead of a stack. */
export function ioError(e: unknown, file: string, what = 'cannot access'): BeambakeError {
  const err = e as NodeJS.ErrnoException;
  const reason = (err?.code !== undefined ? ERRNO_REASON[err.code] : undefined) ?? err?.message ?? String(e);
  return new BeambakeError('IO', `${what}: ${reason}`, { file }, { cause: e });
}
