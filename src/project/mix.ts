/**
 * Static reading of mix.exs: the keyword list `def project` returns, with
 * `@attribute` literals and zero-argument private functions returning a
 * literal followed, never evaluated. Anything computed (`File.read!`,
 * `<>`, `System.get_env`) is reported as not statically readable.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizeElixir, type ElixirToken } from '../terms/index.js';
import { readUtf8File } from '../lockfiles/common.js';
import { ioError } from '../util/errors.js';
import { dirname } from 'node:path';
import type { Scope } from '../model.js';
import type { DeclaredDep, ReleaseInfo, RootInfo } from './types.js';

type Value = { ok: true; value: string } | { ok: false; reason: string };

export function readMixProject(dir: string): RootInfo {
  const file = join(dir, 'mix.exs');
  const info = readMixExs(file);
  if (info.appsPath === undefined) return info;

  // Umbrella: the children are the applications; their deps are the root's direct deps.
  const appsDir = join(dir, info.appsPath);
  let children: string[] = [];
  try {
    children = readdirSync(appsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(appsDir, d.name, 'mix.exs')))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    info.problems.push(`umbrella apps_path ${info.appsPath} cannot be listed: ${ioError(e, appsDir).message}`);
  }
  const apps: string[] = [];
  const deps = new Set(info.deps);
  const declared = [...(info.declared ?? [])];
  const depsProblems = info.depsProblem ? [info.depsProblem] : [];
  const appDeps: Record<string, string[]> = {};
  for (const child of children) {
    const c = readMixExs(join(appsDir, child, 'mix.exs'));
    apps.push(c.name ?? child);
    if (!c.depsProblem) appDeps[c.name ?? child] = (c.declared ?? []).filter((d) => d.scope === 'prod' && d.runtime).map((d) => d.app);
    for (const d of c.deps) deps.add(d);
    declared.push(...(c.declared ?? []));
    if (c.depsProblem) depsProblems.push(`apps/${child}: ${c.depsProblem}`);
  }
  for (const a of apps) deps.delete(a);
  if (info.name === undefined) {
    info.problems.push(`an umbrella project has no app name of its own (apps: ${apps.join(', ') || 'none'})`);
  }
  const own = new Set(apps);
  return {
    ...info,
    umbrellaApps: apps.sort(),
    appDeps,
    deps: [...deps].sort(),
    declared: mergeDeclared(declared.filter((d) => !own.has(d.app))),
    ...(depsProblems.length > 0 ? { depsProblem: depsProblems.join('; ') } : {}),
    releases: (info.releases ?? []).map((r) => ({ ...r, apps: r.apps.length > 0 ? r.apps.filter((a) => own.has(a)) : [...own].sort() })),
  };
}

const RANK: Record<Scope, number> = { prod: 0, dev: 1, test: 2 };

/** One declaration per app: the one that ships most (prod before dev before test, runtime before compile-time only). */
function mergeDeclared(all: DeclaredDep[]): DeclaredDep[] {
  const best = new Map<string, DeclaredDep>();
  const key = (d: DeclaredDep) => RANK[d.scope] * 2 + (d.runtime ? 0 : 1);
  for (const d of all) {
    const cur = best.get(d.app);
    if (!cur || key(d) < key(cur)) best.set(d.app, d);
  }
  return [...best.values()].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

interface MixExs extends RootInfo {
  appsPath?: string;
}

function readMixExs(file: string): MixExs {
  const text = readUtf8File(file, 'cannot read the project file');
  const toks = [...tokenizeElixir(text, file)];
  const attrs = moduleAttributes(toks);
  const problems: string[] = [];
  const out: MixExs = { projectFile: file, deps: [], problems };

  const body = functionBody(toks, 'project');
  if (!body) {
    problems.push("no 'def project' returning a keyword list");
    return out;
  }
  const kw = topLevelKeywords(toks, body.start, body.end);
  const resolve = (key: string): Value | undefined => {
    const at = kw.get(key);
    return at === undefined ? undefined : literalAt(toks, at, attrs, key);
  };
  const app = resolve('app');
  if (app?.ok) out.name = app.value;
  else if (app) problems.push(`app: ${app.reason}`);
  const version = resolve('version');
  if (version?.ok) out.version = version.value;
  else if (version) {
    const read = versionFileRead(toks, kw.get('version')!, dirname(file));
    if (read?.version !== undefined) {
      // Mix reads that file when it runs; so do we.
      out.version = read.version;
      out.versionSource = { kind: 'file', file: read.path };
    } else {
      problems.push(`version: ${version.reason}${read ? ` (${read.path}: ${read.problem})` : ''}`);
    }
  } else problems.push('no version: in the project keyword list');
  const appsPath = resolve('apps_path');
  if (appsPath?.ok) out.appsPath = appsPath.value;
  if (!app && !appsPath) problems.push('no app: in the project keyword list');

  const depsAt = kw.get('deps');
  if (depsAt !== undefined) {
    const read = declaredDeps(toks, depsAt, file);
    out.deps = read.declared.map((d) => d.app);
    out.declared = read.declared;
    if (read.problem) out.depsProblem = read.problem;
  } else {
    out.declared = [];
  }
  const releasesAt = kw.get('releases');
  if (releasesAt !== undefined) {
    out.releases = releases(toks, releasesAt, attrs, out).map(({ listed: _, ...r }) => (out.appsPath === undefined ? { ...r, apps: out.name ? [out.name] : [] } : r));
  }
  return out;
}

/**
 * `version: version()` whose body reads a file (`File.read("VERSION")`,
 * `"VERSION" |> File.read!()`), or `@version` set that way: the file's path,
 * relative to the project directory, when it names exactly one literal file.
 */
function versionFileRead(toks: ElixirToken[], at: number, dir: string): { path: string; version?: string; problem?: string } | undefined {
  const t = toks[at];
  let range: [number, number] | undefined;
  if (t?.t === 'ident') {
    const def = toks.findIndex((d, i) => d.t === 'ident' && (d.v === 'def' || d.v === 'defp') && toks[i + 1]?.t === 'ident' && toks[i + 1]!.v === t.v);
    if (def >= 0) {
      let end = def + 2;
      while (end < toks.length && !(toks[end]!.t === 'ident' && (toks[end]!.v === 'def' || toks[end]!.v === 'defp'))) end++;
      range = [def + 2, end];
    }
  } else if (t?.t === 'op' && t.v === '@' && toks[at + 1]?.t === 'ident') {
    const name = toks[at + 1]!.v;
    const set = toks.findIndex((d, i) => d.t === 'op' && d.v === '@' && toks[i + 1]?.t === 'ident' && toks[i + 1]!.v === name && i !== at);
    if (set >= 0) {
      let end = set + 2;
      // the attribute's expression: up to the next attribute or definition
      while (end < toks.length && !(toks[end]!.t === 'op' && toks[end]!.v === '@') && !(toks[end]!.t === 'ident' && /^def/.test(String(toks[end]!.v)))) end++;
      range = [set + 2, end];
    }
  }
  if (!range) return undefined;
  const slice = toks.slice(range[0], range[1]);
  const reads = slice.some((x, i) => x.t === 'alias' && x.v === 'File' && slice[i + 1]?.t === 'op' && slice[i + 2]?.t === 'ident' && /^read!?$/.test(String(slice[i + 2]!.v)));
  if (!reads) return undefined;
  const paths = [
    ...new Set(
      slice
        .filter((x) => x.t === 'string' && !x.interpolated && /^[A-Za-z0-9._/-]{1,200}$/.test(x.v) && !x.v.split('/').includes('..'))
        .map((x) => x.v as string)
        .filter((p) => existsSync(join(dir, p))),
    ),
  ];
  if (paths.length !== 1) return undefined;
  const path = paths[0]!;
  let text: string;
  try {
    text = readUtf8File(join(dir, path), 'cannot read the version file');
  } catch (e) {
    return { path, problem: e instanceof Error ? e.message : String(e) };
  }
  const version = text.trim();
  // What String.trim leaves must be one version, not a document.
  if (!/^[0-9A-Za-z.+_-]{1,100}$/.test(version)) return { path, problem: 'does not hold a single version' };
  return { path, version };
}

/** `@name literal` definitions at any depth (module attributes are only set at module level). */
function moduleAttributes(toks: ElixirToken[]): Map<string, string> {
  const attrs = new Map<string, string>();
  for (let i = 0; i + 2 < toks.length; i++) {
    const [at, name, value, after] = [toks[i]!, toks[i + 1]!, toks[i + 2]!, toks[i + 3]];
    if (at.t !== 'op' || at.v !== '@' || name.t !== 'ident') continue;
    if (name.loc.line !== at.loc.line || value.loc.line !== name.loc.line) continue;
    if (after && after.loc.line === value.loc.line && !(after.t === 'punct' && after.v === ')')) continue;
    // `@version "VERSION"` continued on the next line by `|> File.read!()` is a pipeline, not a literal.
    if (after && after.t === 'op' && (after.v === '|' || after.v === '<')) continue;
    if ((value.t === 'string' && !value.interpolated) || value.t === 'atom') {
      if (!attrs.has(name.v)) attrs.set(name.v, value.v);
    }
  }
  return attrs;
}

/**
 * The token range of a zero-arity function's result: the first bracketed
 * literal after `def name do` / `def name, do:`, or, for `defp name do "x" end`,
 * the single token. Returns [start, end) indices.
 */
function functionBody(toks: ElixirToken[], name: string): { start: number; end: number } | undefined {
  for (let i = 0; i + 1 < toks.length; i++) {
    const d = toks[i]!;
    if (d.t !== 'ident' || (d.v !== 'def' && d.v !== 'defp')) continue;
    const n = toks[i + 1]!;
    if (n.t !== 'ident' || n.v !== name) continue;
    let j = i + 2;
    if (isPunct(toks[j], '(') && isPunct(toks[j + 1], ')')) j += 2;
    if (isPunct(toks[j], ',') && toks[j + 1]?.t === 'kw' && toks[j + 1]!.v === 'do') j += 2;
    else if (toks[j]?.t === 'ident' && toks[j]!.v === 'do') j += 1;
    else continue;
    const first = toks[j];
    if (!first) return undefined;
    if (isPunct(first, '[') || isPunct(first, '{') || isPunct(first, '%{')) return { start: j, end: matching(toks, j) + 1 };
    return { start: j, end: j + 1 };
  }
  return undefined;
}

function isPunct(t: ElixirToken | undefined, v: string): boolean {
  return t !== undefined && t.t === 'punct' && t.v === v;
}

const OPEN = new Set(['[', '{', '%{', '(', '<<']);
const CLOSE = new Set([']', '}', ')', '>>']);

/** Index of the bracket closing the one at `i` (or the last token). */
function matching(toks: ElixirToken[], i: number): number {
  let depth = 0;
  for (let j = i; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.t !== 'punct') continue;
    if (OPEN.has(t.v)) depth++;
    else if (CLOSE.has(t.v) && --depth === 0) return j;
  }
  return toks.length - 1;
}

/** Keyword keys directly inside the list at `start`, mapped to the index of their value's first token. */
function topLevelKeywords(toks: ElixirToken[], start: number, end: number): Map<string, number> {
  const out = new Map<string, number>();
  let depth = 0;
  for (let j = start; j < end; j++) {
    const t = toks[j]!;
    if (t.t === 'punct' && OPEN.has(t.v)) depth++;
    else if (t.t === 'punct' && CLOSE.has(t.v)) depth--;
    else if (t.t === 'kw' && depth === 1 && !out.has(t.v)) out.set(t.v, j + 1);
  }
  return out;
}

/** The value of a keyword entry, if it is a literal, an attribute or a call of a function returning one. */
function literalAt(toks: ElixirToken[], i: number, attrs: Map<string, string>, key: string, depth = 0): Value {
  const t = toks[i];
  if (!t) return { ok: false, reason: 'missing value' };
  let value: Value;
  let next = i + 1;
  if ((t.t === 'string' && !t.interpolated) || t.t === 'atom') {
    value = { ok: true, value: t.v };
  } else if (t.t === 'op' && t.v === '@' && toks[i + 1]?.t === 'ident') {
    const name = toks[i + 1]!.v as string;
    const v = attrs.get(name);
    value = v !== undefined ? { ok: true, value: v } : { ok: false, reason: `@${name} is not set to a literal` };
    next = i + 2;
  } else if (t.t === 'ident' && depth === 0) {
    if (isPunct(toks[i + 1], '(') && isPunct(toks[i + 2], ')')) next = i + 3;
    const body = functionBody(toks, t.v);
    value = body && body.end - body.start === 1 ? literalAt(toks, body.start, attrs, key, depth + 1) : { ok: false, reason: '' };
    if (!value.ok) value = { ok: false, reason: `comes from ${t.v}(), which is computed when Mix runs` };
  } else {
    return { ok: false, reason: 'is not a literal value' };
  }
  // `version: @version <> "-dev"` is an expression, not a literal.
  const after = toks[next];
  if (depth === 0 && after && !isPunct(after, ',') && !isPunct(after, ']')) {
    return { ok: false, reason: 'is an expression, not a literal value' };
  }
  if (depth > 0 && after && !(after.t === 'ident' && after.v === 'end') && !(after.t === 'ident' && (after.v === 'def' || after.v === 'defp'))) {
    return after.t === 'eof' ? value : { ok: false, reason: 'is an expression, not a literal value' };
  }
  return value;
}

/**
 * The `{:app, ...}` tuples of the deps list (inline or from `deps()`) with the
 * scope their options declare. A list that goes on past its literal part
 * (`[...] ++ cond_deps()`) or holds computed entries is reported: the scope of
 * what it adds is unknown.
 */
function declaredDeps(toks: ElixirToken[], at: number, file: string): { declared: DeclaredDep[]; problem?: string } {
  let start = at;
  const t = toks[at];
  let fromFunction: string | undefined;
  if (t?.t === 'ident') {
    fromFunction = t.v;
    const body = functionBody(toks, t.v);
    if (!body) return { declared: [], problem: `deps come from ${t.v}(), which is not a literal list` };
    start = body.start;
  }
  const where = fromFunction ? `${fromFunction}()` : 'deps:';
  if (!isPunct(toks[start], '[')) return { declared: [], problem: `${where} is not a literal list` };
  const end = matching(toks, start);
  const after = toks[end + 1];
  let problem: string | undefined;
  if (fromFunction) {
    const closes = after && ((after.t === 'ident' && (after.v === 'end' || after.v === 'def' || after.v === 'defp')) || after.t === 'eof');
    if (!closes) problem = `${where} adds dependencies computed when Mix runs (after its literal list)`;
  } else if (after && !isPunct(after, ',') && !isPunct(after, ']')) {
    problem = `${where} adds dependencies computed when Mix runs`;
  }
  const base = file.slice(file.lastIndexOf('/') + 1);
  const out: DeclaredDep[] = [];
  for (let j = start + 1; j < end; j++) {
    const tok = toks[j]!;
    if (isPunct(tok, ',')) continue;
    if (!isPunct(tok, '{') || toks[j + 1]?.t !== 'atom') {
      problem ??= `${where} holds entries computed when Mix runs`;
      j = OPEN.has(String(tok.v)) && tok.t === 'punct' ? matching(toks, j) : j;
      continue;
    }
    const close = matching(toks, j);
    out.push(declaration(toks, j, close, base));
    j = close;
  }
  return { declared: out, ...(problem ? { problem } : {}) };
}

const ENV_SCOPE = (envs: string[]): Scope => (envs.includes('prod') ? 'prod' : envs.includes('dev') ? 'dev' : envs.includes('test') ? 'test' : 'dev');

/** One `{:app, requirement?, opts}` tuple between `open` and `close`. */
function declaration(toks: ElixirToken[], open: number, close: number, base: string): DeclaredDep {
  const app = toks[open + 1]!.v as string;
  let only: string[] | 'unknown' | undefined;
  let runtime: boolean | 'unknown' = true;
  let depth = 0;
  for (let j = open; j <= close; j++) {
    const t = toks[j]!;
    if (t.t === 'punct' && OPEN.has(t.v)) depth++;
    else if (t.t === 'punct' && CLOSE.has(t.v)) depth--;
    else if (t.t === 'kw' && depth <= 2 && t.v === 'only') only = envList(toks, j + 1);
    else if (t.t === 'kw' && depth <= 2 && t.v === 'runtime') {
      const v = toks[j + 1];
      runtime = v && (v.t === 'ident' || v.t === 'atom') && (v.v === 'false' || v.v === 'true') ? v.v === 'true' : 'unknown';
    }
  }
  if (only === 'unknown' || runtime === 'unknown') {
    const what = only === 'unknown' ? 'only:' : 'runtime:';
    return { app, scope: 'prod', runtime: true, unknown: true, reason: `unknown: ${what} of ${app} in ${base} is computed when Mix runs (treated as prod)` };
  }
  const scope = only ? ENV_SCOPE(only) : 'prod';
  const onlyText = only ? `only: ${only.length === 1 ? `:${only[0]}` : `[${only.map((e) => `:${e}`).join(', ')}]`}` : '';
  if (!runtime) {
    const text = [onlyText, 'runtime: false'].filter(Boolean).join(', ');
    return { app, scope, runtime: false, reason: `${text} in ${base} (compile-time only, not in the release)` };
  }
  return { app, scope, runtime: true, reason: only ? `${onlyText} in ${base}` : `declared in ${base}` };
}

/** `:env` or `[:env, ...]`; anything else (an attribute, `Mix.env()`) is not static. */
function envList(toks: ElixirToken[], i: number): string[] | 'unknown' {
  const t = toks[i];
  if (t?.t === 'atom') return [t.v];
  if (!isPunct(t, '[')) return 'unknown';
  const end = matching(toks, i);
  const envs: string[] = [];
  for (let j = i + 1; j < end; j++) {
    const x = toks[j]!;
    if (x.t === 'atom') envs.push(x.v);
    else if (!isPunct(x, ',')) return 'unknown';
  }
  return envs;
}

/**
 * `releases: [name: [applications: [app: :permanent, ...], version: "..."]]`
 * (inline or from `releases()`): each release with its own applications. A
 * release without `applications:` holds the project's app (Mix's default).
 */
function releases(toks: ElixirToken[], at: number, attrs: Map<string, string>, project: RootInfo): (ReleaseInfo & { listed?: boolean })[] {
  let start = at;
  const t = toks[at];
  if (t?.t === 'ident') {
    const body = functionBody(toks, t.v);
    if (!body) return [];
    start = body.start;
  }
  if (!isPunct(toks[start], '[')) return [];
  const end = matching(toks, start);
  const out: (ReleaseInfo & { listed?: boolean })[] = [];
  for (const [name, valueAt] of topLevelKeywords(toks, start, end + 1)) {
    // Mix: a release holds the project's app; in an umbrella, the children `applications:` names (all when it names none).
    const rel: ReleaseInfo & { listed?: boolean } = { name, apps: [] };
    if (isPunct(toks[valueAt], '[')) {
      const kw = topLevelKeywords(toks, valueAt, matching(toks, valueAt) + 1);
      const appsAt = kw.get('applications');
      if (appsAt !== undefined && isPunct(toks[appsAt], '[')) {
        rel.apps = [...topLevelKeywords(toks, appsAt, matching(toks, appsAt) + 1).keys()].sort();
        rel.listed = true;
      }
      const v = kw.get('version');
      if (v !== undefined) {
        const lit = literalAt(toks, v, attrs, 'version');
        if (lit.ok) rel.version = lit.value;
      }
    }
    if (rel.version === undefined && project.version !== undefined) rel.version = project.version;
    if (rel.version === undefined && project.versionSource) rel.versionSource = project.versionSource;
    out.push(rel);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
