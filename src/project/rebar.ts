/**
 * The root of a rebar3 project: the application resource `src/<app>.app.src`
 * ({application, Name, [{vsn, Vsn}, ...]}), else the relx release named in
 * rebar.config, else the single app under `apps/`. `{vsn, git}`, `{cmd, ...}`
 * and `.app.src.script` files compute the version at build time, so they are
 * reported as not statically readable.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseErlangTerms, describeTerm, keywordGet, textOf, type Term } from '../terms/index.js';
import { readUtf8File } from '../lockfiles/common.js';
import type { Scope } from '../model.js';
import type { DeclaredDep, ReleaseInfo, RootInfo } from './types.js';

function readTerms(file: string): Term[] {
  return parseErlangTerms(readUtf8File(file, 'cannot read the project file'), file);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function readRebarProject(dir: string): RootInfo {
  return withReleases(dir, readRebarRoot(dir));
}

/**
 * The project's own applications (`src/` and `apps/*`, read from their
 * `.app.src`) and every relx release with the own applications it includes;
 * `apps/*` of an umbrella also declare dependencies (and scopes) in their own rebar.config.
 */
function withReleases(dir: string, info: RootInfo): RootInfo {
  const children = listDir(join(dir, 'apps')).filter((a) => existsSync(join(dir, 'apps', a, 'src')));
  const own = new Map<string, string | undefined>(); // app -> static version
  const top = readAppSrcDir(join(dir, 'src'));
  if (top?.name) own.set(top.name, top.version);
  for (const child of children) {
    const c = readAppSrcDir(join(dir, 'apps', child, 'src'));
    own.set(c?.name ?? child, c?.version);
  }
  const out: RootInfo = { ...info };
  if (children.length > 0) {
    out.umbrellaApps = children.map((c) => readAppSrcDir(join(dir, 'apps', c, 'src'))?.name ?? c).sort();
    const declared = [...(info.declared ?? [])];
    for (const child of children) {
      const sub = withConfigDeps(join(dir, 'apps', child), { projectFile: join(dir, 'apps', child), deps: [], problems: [] });
      for (const d of sub.declared ?? []) if (!own.has(d.app)) declared.push({ ...d, reason: `${d.reason.replace(/rebar\.config$/, `apps/${child}/rebar.config`)}` });
    }
    out.declared = mergeDeclared(declared);
    out.deps = [...new Set([...info.deps, ...declared.map((d) => d.app)])].filter((a) => !own.has(a)).sort();
  }
  const releases = relxReleases(join(dir, 'rebar.config'));
  if (releases.length > 0) {
    out.releases = releases.map((r) => ({ ...r, apps: r.apps.filter((a) => own.has(a)).sort() }));
  }
  return out;
}

const RANK: Record<Scope, number> = { prod: 0, dev: 1, test: 2 };

/** One declaration per app: the one that ships most. */
function mergeDeclared(all: DeclaredDep[]): DeclaredDep[] {
  const best = new Map<string, DeclaredDep>();
  for (const d of all) {
    const cur = best.get(d.app);
    if (!cur || RANK[d.scope] < RANK[cur.scope]) best.set(d.app, d);
  }
  return [...best.values()].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

/** Every `{release, {Name, Vsn}, Apps}` of the relx section, apps as names (`{app, load}` forms too). */
function relxReleases(config: string): ReleaseInfo[] {
  if (!existsSync(config)) return [];
  const relx = keywordGet({ kind: 'list', items: readTerms(config), loc: { line: 1, column: 1 } }, 'relx');
  if (relx?.kind !== 'list') return [];
  const out: ReleaseInfo[] = [];
  for (const item of relx.items) {
    if (item.kind !== 'tuple' || item.items[0]?.kind !== 'atom' || item.items[0].value !== 'release') continue;
    const id = item.items[1];
    if (id?.kind !== 'tuple' || id.items.length !== 2 || id.items[0]!.kind !== 'atom') continue;
    const rel: ReleaseInfo = { name: id.items[0]!.value, apps: [] };
    const version = staticVersion(id.items[1]);
    if (version !== undefined) rel.version = version;
    else {
      const from = gitVersionSource(id.items[1]);
      if (from) rel.versionSource = from;
    }
    const apps = item.items[2];
    if (apps?.kind === 'list') {
      for (const a of apps.items) {
        const name = a.kind === 'atom' ? a.value : a.kind === 'tuple' && a.items[0]?.kind === 'atom' ? a.items[0].value : undefined;
        if (name) rel.apps.push(name);
      }
    }
    if (!out.some((r) => r.name === rel.name)) out.push(rel);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readRebarRoot(dir: string): RootInfo {
  const fromSrc = readAppSrcDir(join(dir, 'src'));
  if (fromSrc) return withConfigDeps(dir, fromSrc);

  const relx = readRelxRelease(join(dir, 'rebar.config'));
  if (relx) return withConfigDeps(dir, relx);

  // A rebar3 umbrella with exactly one app is that app.
  const apps = listDir(join(dir, 'apps')).filter((a) => existsSync(join(dir, 'apps', a, 'src')));
  if (apps.length === 1) {
    const one = readAppSrcDir(join(dir, 'apps', apps[0]!, 'src'));
    if (one) return withConfigDeps(dir, one);
  }
  const configFile = join(dir, 'rebar.config');
  return withConfigDeps(dir, {
    projectFile: existsSync(configFile) ? configFile : dir,
    deps: [],
    problems: [
      apps.length > 1
        ? `a rebar3 umbrella of ${apps.length} apps (${apps.join(', ')}) whose rebar.config names no relx release`
        : 'no src/*.app.src, and rebar.config names no relx release',
    ],
  });
}

/** `{deps, [name | {name, Vsn} | {name, Vsn, Source} | {name, Source}]}`: the app names. */
function depNames(deps: Term | undefined): string[] {
  const apps = new Set<string>();
  if (deps?.kind === 'list') {
    for (const d of deps.items) {
      const name = d.kind === 'atom' ? d.value : d.kind === 'tuple' && d.items[0]?.kind === 'atom' ? d.items[0].value : undefined;
      if (name) apps.add(name);
    }
  }
  return [...apps].sort();
}

/** rebar3's `test` profile is for tests, `prod` ships; any other profile (dev, docs, lint, ...) is development. */
function profileScope(profile: string): Scope {
  return profile === 'prod' ? 'prod' : profile === 'test' ? 'test' : 'dev';
}

/**
 * Declared scopes from rebar.config: `{deps, ...}` ship, `{profiles, [{P, [{deps, ...}]}]}`
 * take the profile's scope. (rebar3 locks only the default profile's deps, so
 * profile deps reach rebar.lock only when a default dep also requires them.)
 */
function withConfigDeps(dir: string, info: RootInfo): RootInfo {
  const config = join(dir, 'rebar.config');
  if (!existsSync(config)) return info;
  const top: Term = { kind: 'list', items: readTerms(config), loc: { line: 1, column: 1 } };
  const deps = depNames(keywordGet(top, 'deps'));
  const declared: DeclaredDep[] = deps.map((app) => ({ app, scope: 'prod', runtime: true, reason: '{deps, ...} in rebar.config' }));
  const profiles = keywordGet(top, 'profiles');
  if (profiles?.kind === 'list') {
    for (const p of profiles.items) {
      if (p.kind !== 'tuple' || p.items.length !== 2 || p.items[0]!.kind !== 'atom') continue;
      const profile = p.items[0]!.value;
      for (const app of depNames(keywordGet(p.items[1], 'deps'))) {
        if (declared.some((d) => d.app === app && d.scope === 'prod')) continue;
        declared.push({ app, scope: profileScope(profile), runtime: true, reason: `${profile} profile deps in rebar.config` });
      }
    }
  }
  const problem = existsSync(`${config}.script`) ? 'rebar.config.script may change the deps when rebar3 runs' : undefined;
  return { ...info, deps, declared, ...(problem ? { depsProblem: problem } : {}) };
}

function readAppSrcDir(srcDir: string): RootInfo | undefined {
  const files = listDir(srcDir);
  const appSrc = files.filter((f) => f.endsWith('.app.src'));
  const scripts = files.filter((f) => f.endsWith('.app.src.script'));
  if (appSrc.length === 0 && scripts.length === 0) return undefined;
  const problems: string[] = [];
  if (appSrc.length === 0) {
    const script = join(srcDir, scripts[0]!);
    return {
      projectFile: script,
      name: scripts[0]!.slice(0, -'.app.src.script'.length),
      deps: [],
      problems: ['an .app.src.script computes the application resource when rebar3 runs, so its version cannot be read statically'],
    };
  }
  const file = join(srcDir, appSrc[0]!);
  if (appSrc.length > 1) problems.push(`src/ holds several .app.src files; read ${appSrc[0]}`);
  const info = readAppSrc(file, problems);
  const script = `${file}.script`;
  if (existsSync(script)) {
    delete info.version;
    problems.push(`${basename(script)} may rewrite the application resource when rebar3 runs, so the version cannot be read statically`);
  }
  return info;
}

function readAppSrc(file: string, problems: string[]): RootInfo {
  const terms = readTerms(file);
  const app = terms[0];
  const info: RootInfo = { projectFile: file, deps: [], problems };
  if (!app || app.kind !== 'tuple' || app.items.length !== 3 || app.items[0]!.kind !== 'atom' || app.items[0]!.value !== 'application') {
    problems.push(`expected {application, Name, Properties}, found ${app ? describeTerm(app) : 'nothing'}`);
    return info;
  }
  const name = app.items[1]!;
  if (name.kind === 'atom') info.name = name.value;
  else problems.push(`application name must be an atom, found ${describeTerm(name)}`);
  const vsn = keywordGet(app.items[2], 'vsn');
  const version = staticVersion(vsn);
  if (version !== undefined) info.version = version;
  else {
    problems.push(vsnProblem(vsn));
    const from = gitVersionSource(vsn);
    if (from) info.versionSource = from;
  }
  return info;
}

/** `git` / `"git"` / `semver`: computed from `git describe` (src/project/version.ts does it the same way). */
function gitVersionSource(vsn: Term | undefined): RootInfo['versionSource'] {
  const v = vsn ? textOf(vsn) : undefined;
  return v === 'git' ? { kind: 'git' } : v === 'semver' ? { kind: 'semver' } : undefined;
}

/** rebar3 resolves `git`, `"git"`, `semver` and `{cmd, ...}` at build time. */
function staticVersion(vsn: Term | undefined): string | undefined {
  if (!vsn || (vsn.kind !== 'binary' && vsn.kind !== 'charlist')) return undefined;
  return vsn.value === 'git' || vsn.value === 'semver' ? undefined : vsn.value;
}

function vsnProblem(vsn: Term | undefined): string {
  if (!vsn) return 'no {vsn, ...} property';
  const v = textOf(vsn) ?? (vsn.kind === 'tuple' ? textOf(vsn.items[0]) : undefined);
  if (v === 'git' || v === 'semver' || v === 'cmd') return `{vsn, ${v}} takes the version from ${v === 'cmd' ? 'a command' : 'git'} when rebar3 runs`;
  return `vsn must be a string, found ${describeTerm(vsn)}`;
}

/** `{relx, [{release, {Name, Vsn}, Apps}, ...]}` in rebar.config: the release this project builds. */
function readRelxRelease(config: string): RootInfo | undefined {
  if (!existsSync(config)) return undefined;
  const relx = keywordGet({ kind: 'list', items: readTerms(config), loc: { line: 1, column: 1 } }, 'relx');
  if (relx?.kind !== 'list') return undefined;
  for (const item of relx.items) {
    if (item.kind !== 'tuple' || item.items[0]?.kind !== 'atom' || item.items[0].value !== 'release') continue;
    const id = item.items[1];
    if (id?.kind !== 'tuple' || id.items.length !== 2 || id.items[0]!.kind !== 'atom') continue;
    const info: RootInfo = { projectFile: config, name: id.items[0]!.value, deps: [], problems: [] };
    const version = staticVersion(id.items[1]);
    if (version !== undefined) info.version = version;
    else {
      info.problems.push(`relx release ${info.name}: ${vsnProblem(id.items[1])}`);
      const from = gitVersionSource(id.items[1]);
      if (from) info.versionSource = from;
    }
    return info;
  }
  return undefined;
}
