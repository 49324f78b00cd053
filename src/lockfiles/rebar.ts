/**
 * rebar.lock, as `rebar_config:consult_lock_file/1` reads it:
 *   {"1.2.0", [Lock]}.  [{pkg_hash, [{App, Inner}]}, {pkg_hash_ext, [{App, Outer}]}].
 *   {"1.1.0", [Lock]}.  [{pkg_hash, [{App, Inner}]}].
 *   [Lock].             (before rebar3 3.5: no header, no hashes; `[].` is a valid empty lock)
 * Lock = {App, Source, Level}; Source = {pkg, Name, Vsn} | {git, Url, {ref, Sha}}
 * | {git_subdir, Url, {ref, Sha}, Dir}. Level 0 = a dependency the project names itself.
 */
import { parseErlangTerms, describeTerm, type Term, type TermOf } from '../terms/index.js';
import type { GitPackage, HexPackage, Package } from '../model.js';
import { LockContext, type LockRead } from './common.js';

const KNOWN_VERSIONS = ['1.1.0', '1.2.0'];

export function parseRebarLock(text: string, file: string): LockRead {
  const cx = new LockContext(file);
  const terms = parseErlangTerms(text, file);
  if (terms.length === 0) return { packages: [], warnings: cx.warnings };

  const first = terms[0]!;
  let locks: Term[];
  let attrs: Term | undefined;
  if (first.kind === 'list') {
    locks = first.items;
    if (terms.length > 1) throw cx.invalid('an unversioned rebar.lock holds a single list', terms[1]!.loc);
  } else if (first.kind === 'tuple' && first.items.length === 2) {
    const vsn = cx.text(first.items[0], 'lock format version', '', first);
    if (!KNOWN_VERSIONS.includes(vsn)) {
      cx.warn(`lock format version ${vsn} is newer than this reader knows (${KNOWN_VERSIONS.join(', ')}); reading it as ${KNOWN_VERSIONS.at(-1)}`, first.items[0]!.loc);
    }
    locks = cx.list(first.items[1], 'lock list', '', first);
    attrs = terms[1];
    if (terms.length > 2) throw cx.invalid('unexpected extra term after the lock and its hashes', terms[2]!.loc);
  } else {
    throw cx.invalid(`a rebar.lock starts with {"1.2.0", [...]} or a list of locks, found ${describeTerm(first)}`, first.loc);
  }

  const packages = new Map<string, Package>();
  for (const lock of locks) {
    const pkg = readLock(cx, lock);
    if (packages.has(pkg.app)) throw cx.invalid(`duplicate entry for ${pkg.app}`, lock.loc, pkg.app);
    packages.set(pkg.app, pkg);
  }
  if (attrs) applyHashes(cx, attrs, packages);
  return { packages: [...packages.values()], warnings: cx.warnings };
}

function readLock(cx: LockContext, lock: Term): Package {
  if (lock.kind !== 'tuple' || lock.items.length !== 3) {
    throw cx.invalid(`lock entry must be {App, Source, Level}, found ${describeTerm(lock)}`, lock.loc);
  }
  const [appTerm, source, levelTerm] = lock.items as [Term, Term, Term];
  const app = cx.name(appTerm, 'app name', '', lock);
  if (levelTerm.kind !== 'integer' || Number(levelTerm.value) < 0) {
    throw cx.invalid(`lock level must be a non-negative integer, found ${describeTerm(levelTerm)}`, levelTerm.loc, app);
  }
  const base = { app, direct: Number(levelTerm.value) === 0, dependencies: [], location: cx.where(appTerm.loc) };
  if (source.kind !== 'tuple' || source.items.length === 0 || source.items[0]!.kind !== 'atom') {
    throw cx.invalid(`lock source must be a tuple like {pkg, Name, Vsn}, found ${describeTerm(source)}`, source.loc, app);
  }
  const kind = (source.items[0] as TermOf<'atom'>).value;
  switch (kind) {
    case 'pkg': {
      if (source.items.length !== 3) throw cx.invalid(`a pkg source is {pkg, Name, Vsn}, found a tuple of ${source.items.length}`, source.loc, app);
      const pkg: HexPackage = {
        ...base,
        source: 'hex',
        name: cx.name(source.items[1], 'package name', app, source),
        version: cx.text(source.items[2], 'version', app, source),
        repository: 'hexpm',
        outerChecksum: null,
        innerChecksum: null,
        buildTools: [],
      };
      return pkg;
    }
    case 'git':
    case 'git_subdir': {
      const arity = kind === 'git' ? 3 : 4;
      if (source.items.length !== arity) {
        throw cx.invalid(`a ${kind} source has ${arity} elements, found ${source.items.length}`, source.loc, app);
      }
      const pkg: GitPackage = {
        ...base,
        source: 'git',
        url: cx.text(source.items[1], 'git url', app, source),
        rev: gitRef(cx, source.items[2]!, app),
      };
      if (kind === 'git_subdir') pkg.subdir = cx.text(source.items[3], 'git_subdir path', app, source);
      return pkg;
    }
    default:
      throw cx.invalid(`unknown lock source ${kind} (expected pkg, git or git_subdir)`, source.items[0]!.loc, app);
  }
}

function gitRef(cx: LockContext, t: Term, app: string): string {
  if (t.kind === 'tuple' && t.items.length === 2 && t.items[0]!.kind === 'atom' && t.items[0]!.value === 'ref') {
    return cx.text(t.items[1], 'git ref', app, t);
  }
  throw cx.invalid(`a locked git source pins {ref, Sha}, found ${describeTerm(t)}`, t.loc, app);
}

function applyHashes(cx: LockContext, attrs: Term, packages: Map<string, Package>): void {
  for (const attr of cx.list(attrs, 'lock attributes', '', attrs)) {
    if (attr.kind !== 'tuple' || attr.items.length !== 2 || attr.items[0]!.kind !== 'atom') {
      throw cx.invalid(`lock attribute must be {Key, Value}, found ${describeTerm(attr)}`, attr.loc);
    }
    const key = (attr.items[0] as TermOf<'atom'>).value;
    if (key !== 'pkg_hash' && key !== 'pkg_hash_ext') {
      cx.warn(`unknown lock attribute ${key}: ignored`, attr.loc);
      continue;
    }
    for (const pair of cx.list(attr.items[1], key, '', attr)) {
      if (pair.kind !== 'tuple' || pair.items.length !== 2) throw cx.invalid(`${key} entry must be {App, Hash}, found ${describeTerm(pair)}`, pair.loc);
      const app = cx.name(pair.items[0], 'app name', '', pair);
      const hash = cx.checksum(pair.items[1], key === 'pkg_hash' ? 'inner checksum (pkg_hash)' : 'outer checksum (pkg_hash_ext)', app, pair);
      const pkg = packages.get(app);
      if (!pkg || pkg.source !== 'hex') {
        cx.warn(`${key} names ${app}, which is not a locked package: ignored`, pair.loc, app);
        continue;
      }
      if (key === 'pkg_hash') pkg.innerChecksum = hash;
      else pkg.outerChecksum = hash;
    }
  }
}
