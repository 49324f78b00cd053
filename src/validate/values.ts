/**
 * One validation function per kind of value a lockfile supplies. Every
 * command runs the lock through these at the gate (`validateLockedPackages`)
 * before any value is used as a file name, a path or BitBake text, and the
 * BitBake renderers run their values through them once more.
 *
 * Lockfiles are input from the outside world: a name such as
 * `${@os.system("...")}` would run Python at parse time, a quote or newline
 * would end a string and start a new assignment, and a `;` inside a URL would
 * smuggle extra fetcher parameters (`;sha256sum=...`). Each function accepts
 * only what the ecosystem itself allows for that kind of value, and returns
 * the value unchanged so renderers can only use what passed through here.
 * Everything rejected raises UNSAFE_VALUE naming the entry and the field.
 */
import { BeambakeError } from '../util/errors.js';
import type { SourceLocation } from '../model.js';

/** Which entry and field a value belongs to, for the error message. */
export interface ValueContext {
  /** Package app name, `project`, or a command-line option. */
  entry: string;
  field: string;
  location?: SourceLocation;
}

/** The context of a package's field, where the lock states it. */
export function packageField(pkg: { app: string; location?: SourceLocation }, field: string): ValueContext {
  // no spread of a conditional object: this runs for every field of every package (a few thousand times a run)
  return pkg.location ? { entry: pkg.app, field, location: pkg.location } : { entry: pkg.app, field };
}

function show(value: string): string {
  const s = value.length > 80 ? value.slice(0, 77) + '...' : value;
  return JSON.stringify(s);
}

/** Entry names themselves may be hostile; print them escaped when they are not plain. */
function entryLabel(entry: string): string {
  return /^[A-Za-z0-9_.:@/-]{1,80}$/.test(entry) ? entry : show(entry);
}

export function unsafe(value: string, ctx: ValueContext, why: string): BeambakeError {
  const loc = ctx.location;
  return new BeambakeError('UNSAFE_VALUE', `${ctx.field} ${show(value)} ${why}`, {
    entry: entryLabel(ctx.entry),
    ...(loc ? { file: loc.file, line: loc.line, column: loc.column } : {}),
  });
}

function check(value: unknown, ctx: ValueContext, re: RegExp, why: string): string {
  if (typeof value !== 'string') throw unsafe(String(value), ctx, 'is not a string');
  if (!re.test(value)) throw unsafe(value, ctx, why);
  return value;
}

/** Hex package names and OTP application names: `[a-z][a-z0-9_]*`. */
export function hexName(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^[a-z][a-z0-9_]{0,127}$/, 'is not a valid Hex/OTP name ([a-z][a-z0-9_]*)');
}

export const appName = hexName;

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** SemVer 2.0.0 (what Hex, Gleam and rebar3 packages use). */
export function version(value: string, ctx: ValueContext): string {
  if (typeof value === 'string' && value.length > 128) throw unsafe(value, ctx, 'is too long for a version');
  return check(value, ctx, SEMVER, 'is not a SemVer version');
}

/** SHA-256 as lowercase hex (Hex outer and inner checksums). */
export function sha256(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^[0-9a-f]{64}$/, 'is not a SHA-256 checksum (64 lowercase hex digits)');
}

/** A full git commit id. Abbreviated ids are refused: they are not pins. */
export function gitRev(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^[0-9a-f]{40}$/, 'is not a full git commit id (40 lowercase hex digits)');
}

/** The md5 BitBake wants in LIC_FILES_CHKSUM. */
export function md5(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^[0-9a-f]{32}$/, 'is not an MD5 digest');
}

/**
 * Branch, tag and ref names, following `git check-ref-format` (one-level names
 * allowed), narrowed to characters that mean nothing to BitBake: no `;`
 * (parameter separator), `$` (expansion), quotes, `,` or `=`.
 */
export function gitRefName(value: string, ctx: ValueContext): string {
  check(value, ctx, /^[A-Za-z0-9._/+@#%-]{1,255}$/, 'is not a safe git ref name');
  const bad =
    value.startsWith('/') ||
    value.endsWith('/') ||
    value.endsWith('.') ||
    value.includes('//') ||
    value.includes('..') ||
    value.includes('@{') ||
    value === '@' ||
    value.startsWith('-') ||
    value.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (bad) throw unsafe(value, ctx, 'is not a valid git ref name (git check-ref-format)');
  return value;
}

/**
 * A path relative to a checkout or project (mix `subdir:`/`sparse:`, rebar3
 * `git_subdir`, Gleam `path`): no absolute paths, no `.`/`..` components, and
 * none of the separators of BEAM_GIT_DEPS records (whitespace, `,`, `=`).
 */
export function relativePath(value: string, ctx: ValueContext): string {
  check(value, ctx, /^[A-Za-z0-9._+@-]+(\/[A-Za-z0-9._+@-]+)*$/, 'is not a safe relative path');
  if (value.split('/').some((c) => c === '.' || c === '..')) throw unsafe(value, ctx, "must not contain '.' or '..' components");
  return value;
}

/**
 * An absolute local directory that is written into a recipe (`--source PATH`).
 * `:` is refused because FILESEXTRAPATHS is colon separated.
 */
export function localDir(value: string, ctx: ValueContext): string {
  check(value, ctx, /^\/([A-Za-z0-9._+@-]+\/?)*$/, 'contains characters that are not safe in a recipe path');
  if (value.split('/').some((c) => c === '.' || c === '..')) throw unsafe(value, ctx, "must not contain '.' or '..' components");
  return value;
}

/** Hex repository names: `hexpm`, `hexpm:ORG`, or a self-hosted repository name from the Hex config. */
export function repositoryName(value: string, ctx: ValueContext): string {
  // The build scripts re-check records with the same grammar (scripts/beambake_deps/records.py).
  return check(value, ctx, /^(hexpm:[a-z0-9_]{1,64}|[a-z0-9_]{1,64})$/, 'is not a valid Hex repository name');
}

export interface GitUrl {
  /** What BitBake's `protocol=` parameter takes. */
  protocol: 'https' | 'http' | 'git' | 'ssh';
  user?: string;
  host: string;
  port?: string;
  /** Path on the host, starting with `/`. */
  path: string;
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
const URL_PATH = /^\/[A-Za-z0-9._~+@%-]+(\/[A-Za-z0-9._~+@%-]+)*\/?$/;
const USER = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A git repository URL: `https://`, `http://`, `git://`, `ssh://` or the
 * scp-like `user@host:path`. No whitespace, quotes, `;`, `$`, backslash,
 * query or fragment can pass: they would become BitBake syntax or fetcher
 * parameters. Returns the parts so renderers build the SRC_URI themselves.
 */
export function gitUrl(value: string, ctx: ValueContext): GitUrl {
  if (typeof value !== 'string') throw unsafe(String(value), ctx, 'is not a string');
  if (value.length > 512) throw unsafe(value, ctx, 'is too long for a URL');
  if (/[\s"'`;$\\{}<>|^,?#*[\]]/.test(value) || /[^\x21-\x7e]/.test(value)) {
    throw unsafe(value, ctx, 'contains characters that are not allowed in a git URL');
  }
  let protocol: GitUrl['protocol'];
  let rest: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(value);
  if (scheme) {
    const s = scheme[1]!;
    if (s !== 'https' && s !== 'http' && s !== 'git' && s !== 'ssh') {
      throw unsafe(value, ctx, `uses the scheme "${s}"; only https, http, git and ssh are allowed`);
    }
    protocol = s;
    rest = value.slice(scheme[0].length);
  } else {
    // scp-like syntax: [user@]host:path (what `git clone git@github.com:o/r.git` takes)
    const m = /^(?:([^@/:]+)@)?([^@/:]+):(?!\/\/)(.+)$/.exec(value);
    if (!m) throw unsafe(value, ctx, 'is not a git URL (https://, http://, git://, ssh:// or user@host:path)');
    const user = m[1];
    const host = m[2]!;
    const path = '/' + m[3]!.replace(/^\/+/, '');
    return finishUrl(value, ctx, { protocol: 'ssh', ...(user ? { user } : {}), host, path });
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const userPart = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  if (userPart !== undefined && userPart.includes(':')) throw unsafe(value, ctx, 'must not carry a password');
  const hp = /^([^:]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp) throw unsafe(value, ctx, 'has an invalid host');
  return finishUrl(value, ctx, {
    protocol,
    ...(userPart ? { user: userPart } : {}),
    host: hp[1]!,
    ...(hp[2] ? { port: hp[2] } : {}),
    path,
  });
}

function finishUrl(value: string, ctx: ValueContext, url: GitUrl): GitUrl {
  if (url.user !== undefined && !USER.test(url.user)) throw unsafe(value, ctx, 'has an invalid user name');
  if (!HOST.test(url.host)) throw unsafe(value, ctx, 'has an invalid host name');
  if (!URL_PATH.test(url.path)) throw unsafe(value, ctx, 'has an invalid repository path');
  if (url.path.split('/').some((c) => c === '.' || c === '..')) throw unsafe(value, ctx, "must not contain '.' or '..' path components");
  return url;
}

/** An http(s) base URL for a self-hosted Hex repository or a HOMEPAGE. */
export function httpUrl(value: string, ctx: ValueContext): string {
  check(value, ctx, /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~+@%-]*)*$/, 'is not a plain http(s) URL');
  const host = /^https?:\/\/([^/:]+)/.exec(value)![1]!;
  if (!HOST.test(host)) throw unsafe(value, ctx, 'has an invalid host name');
  if (value.split('/').slice(3).some((c) => c === '.' || c === '..')) throw unsafe(value, ctx, "must not contain '.' or '..' path components");
  return value;
}

/** Package URLs as built by `purl.ts`: percent-encoded, no BitBake syntax. */
export function purl(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^pkg:[a-z][a-z0-9.+-]*\/[A-Za-z0-9._~%:/@?=&+-]+$/, 'is not a safe package URL');
}

/**
 * One line of human text for SUMMARY and comments. Values that come from
 * project metadata may hold anything, so only printable ASCII without
 * BitBake's special characters survives.
 */
export function plainText(value: string, ctx: ValueContext): string {
  return check(value, ctx, /^[A-Za-z0-9 .,:()/+_@&!?'-]{1,200}$/, 'is not plain single-line text');
}
