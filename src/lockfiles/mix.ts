/**
 * mix.lock: an Elixir map literal `%{"app": entry}` (a 2014 file is a keyword
 * list `["app": entry]`). Entry forms, all of which may be mixed in one file:
 *   {:hex, name, vsn, inner, managers, deps, repo, outer}   current (8)
 *   {:hex, name, vsn, inner, managers, deps, repo}          no outer checksum (7)
 *   {:hex, name, vsn, inner, managers, deps}                no repo (6)
 *   {:hex, name, vsn, inner} / {:hex, name, vsn}            early Hex (4, 3)
 *   {:package, vsn}                                          pre-Hex 0.5 (2014)
 *   {:git, url, sha, opts}
 * Inner deps are `{app, requirement, [hex: pkg, repo: r, optional: bool]}`.
 */
import { parseElixirTerm, describeTerm, isAtom, keywordGet, type Term, type TermOf } from '../terms/index.js';
import type { GitPackage, HexPackage, Package, UnlockedDependency } from '../model.js';
import { LockContext, type LockRead } from './common.js';

interface Edge {
  app: string;
  optional: boolean;
}

const GIT_STRING_OPTS = ['ref', 'tag', 'branch', 'sparse', 'subdir'] as const;

export function parseMixLock(text: string, file: string): LockRead {
  const cx = new LockContext(file);
  const seen = new Set<string>();
  const packages: Package[] = [];
  const edges = new Map<string, Edge[]>();
  const onEntry = (keyTerm: Term, value: Term): void => {
    const app = cx.name(keyTerm, 'lock key', '', keyTerm);
    if (seen.has(app)) throw cx.invalid(`duplicate entry for ${app}`, keyTerm.loc, app);
    seen.add(app);
    const { pkg, deps } = readEntry(cx, app, value);
    pkg.location = cx.where(keyTerm.loc);
    packages.push(pkg);
    edges.set(app, deps);
  };
  // Map entries are read as the parser meets them, so the lock's term tree is never held whole.
  const root = parseElixirTerm(text, file, onEntry);
  if (root.kind !== 'map') for (const [k, v] of topEntries(cx, root)) onEntry(k, v);

  // An app another locked package requires (not optionally) was pulled in
  // transitively; optional edges only count once something else needs the app.
  const required = new Set<string>();
  const unlocked: UnlockedDependency[] = [];
  for (const pkg of packages) {
    const deps = edges.get(pkg.app) ?? [];
    const present = deps.filter((d) => seen.has(d.app) && d.app !== pkg.app);
    for (const d of present) if (!d.optional) required.add(d.app);
    for (const d of deps) {
      if (!seen.has(d.app) && !d.optional) {
        unlocked.push({ app: d.app, requiredBy: pkg.app });
        cx.warn(`requires ${d.app}, which is not in the lock (a path or umbrella dependency of the project?)`, pkg.location, pkg.app);
      }
    }
    pkg.dependencies = [...new Set(present.map((d) => d.app))].sort();
  }
  for (const pkg of packages) pkg.direct = !required.has(pkg.app);
  unlocked.sort((a, b) => (a.requiredBy !== b.requiredBy ? (a.requiredBy < b.requiredBy ? -1 : 1) : a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return { packages, warnings: cx.warnings, unlocked };
}

function topEntries(cx: LockContext, root: Term): [Term, Term][] {
  if (root.kind === 'map') return root.entries;
  if (root.kind === 'list') {
    return root.items.map((item) => {
      if (item.kind !== 'tuple' || item.items.length !== 2) {
        throw cx.invalid(`expected an "app": entry pair in the lock list, found ${describeTerm(item)}`, item.loc);
      }
      return [item.items[0]!, item.items[1]!];
    });
  }
  throw cx.invalid(`a mix.lock must be a map of app => lock entry, found ${describeTerm(root)}`, root.loc);
}

function readEntry(cx: LockContext, app: string, value: Term): { pkg: Package; deps: Edge[] } {
  if (value.kind !== 'tuple' || value.items.length === 0 || value.items[0]!.kind !== 'atom') {
    throw cx.invalid(`lock entry must be a tuple starting with its source (:hex, :git), found ${describeTerm(value)}`, value.loc, app);
  }
  const source = (value.items[0] as TermOf<'atom'>).value;
  switch (source) {
    case 'hex':
      return readHex(cx, app, value);
    case 'git':
      return { pkg: readGit(cx, app, value), deps: [] };
    case 'package':
      return { pkg: readPackageTuple(cx, app, value), deps: [] };
    default:
      throw cx.invalid(`unknown lock source :${source} (expected :hex or :git)`, value.items[0]!.loc, app);
  }
}

function readHex(cx: LockContext, app: string, t: TermOf<'tuple'>): { pkg: HexPackage; deps: Edge[] } {
  const n = t.items.length;
  if (![3, 4, 6, 7, 8].includes(n)) {
    throw cx.invalid(`a :hex lock entry has 3, 4, 6, 7 or 8 elements, found ${n}`, t.loc, app);
  }
  const [, name, vsn, inner, managers, deps, repo, outer] = t.items;
  const pkg: HexPackage = {
    app,
    source: 'hex',
    name: cx.name(name, 'package name', app, t),
    version: cx.text(vsn, 'version', app, t),
    repository: repo ? cx.text(repo, 'repository', app, t) : 'hexpm',
    outerChecksum: outer ? cx.checksum(outer, 'outer checksum', app, t) : null,
    innerChecksum: inner ? cx.checksum(inner, 'inner checksum', app, t) : null,
    buildTools: managers ? cx.list(managers, 'build tools', app, t).map((m) => cx.name(m, 'build tool', app, t)) : [],
    direct: false,
    dependencies: [],
  };
  return { pkg, deps: readDeps(cx, app, deps) };
}

function readDeps(cx: LockContext, app: string, deps: Term | undefined): Edge[] {
  if (!deps) return [];
  if (deps.kind !== 'list') throw cx.invalid(`dependencies must be a list, found ${describeTerm(deps)}`, deps.loc, app);
  return deps.items.map((d) => {
    if (d.kind !== 'tuple' || d.items.length < 1 || d.items.length > 3) {
      throw cx.invalid(`dependency must be {app, requirement, options}, found ${describeTerm(d)}`, d.loc, app);
    }
    const depApp = cx.name(d.items[0], 'dependency app', app, d);
    return { app: depApp, optional: isAtom(keywordGet(d.items[2], 'optional'), 'true') };
  });
}

function readGit(cx: LockContext, app: string, t: TermOf<'tuple'>): GitPackage {
  if (t.items.length !== 4) throw cx.invalid(`a :git lock entry has 4 elements {:git, url, sha, opts}, found ${t.items.length}`, t.loc, app);
  const [, url, sha, opts] = t.items;
  const pkg: GitPackage = {
    app,
    source: 'git',
    url: cx.text(url, 'git url', app, t),
    rev: cx.text(sha, 'git revision', app, t),
    direct: false,
    dependencies: [],
  };
  for (const opt of cx.list(opts, 'git options', app, t)) {
    if (opt.kind !== 'tuple' || opt.items.length !== 2 || opt.items[0]!.kind !== 'atom') {
      throw cx.invalid(`git option must be key: value, found ${describeTerm(opt)}`, opt.loc, app);
    }
    const key = (opt.items[0] as TermOf<'atom'>).value;
    const v = opt.items[1]!;
    if ((GIT_STRING_OPTS as readonly string[]).includes(key)) {
      pkg[key as (typeof GIT_STRING_OPTS)[number]] = cx.text(v, `git option ${key}`, app, opt);
    } else if (key === 'depth') {
      if (v.kind !== 'integer' || Number(v.value) < 1) throw cx.invalid(`git option depth must be a positive integer, found ${describeTerm(v)}`, v.loc, app);
      // A depth beyond 2^53 would print rounded (1e+26) in --json and mean nothing to git: refuse it.
      if (typeof v.value !== 'number') throw cx.invalid(`git option depth ${v.value} is too large`, v.loc, app);
      pkg.depth = Number(v.value);
    } else if (key === 'submodules') {
      if (!isAtom(v, 'true') && !isAtom(v, 'false')) throw cx.invalid(`git option submodules must be true or false, found ${describeTerm(v)}`, v.loc, app);
      if (v.value === 'true') pkg.submodules = true;
    } else {
      cx.warn(`unknown git option ${key}: ignored`, opt.loc, app);
    }
  }
  return pkg;
}

/** `{:package, "1.0.0"}`: a Hex package of the app's own name, no checksums recorded. */
function readPackageTuple(cx: LockContext, app: string, t: TermOf<'tuple'>): HexPackage {
  if (t.items.length !== 2) throw cx.invalid(`a :package lock entry has 2 elements {:package, vsn}, found ${t.items.length}`, t.loc, app);
  return {
    app,
    source: 'hex',
    name: app,
    version: cx.text(t.items[1], 'version', app, t),
    repository: 'hexpm',
    outerChecksum: null,
    innerChecksum: null,
    buildTools: [],
    direct: false,
    dependencies: [],
  };
}
