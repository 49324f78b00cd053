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
import type { RootInfo } from './types.js';

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
  for (const child of children) {
    const c = readMixExs(join(appsDir, child, 'mix.exs'));
    apps.push(c.name ?? child);
    for (const d of c.deps) deps.add(d);
  }
  for (const a of apps) deps.delete(a);
  if (info.name === undefined) {
    info.problems.push(`an umbrella project has no app name of its own (apps: ${apps.join(', ') || 'none'})`);
  }
  return { ...info, umbrellaApps: apps.sort(), deps: [...deps].sort() };
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
  else if (version) problems.push(`version: ${version.reason}`);
  else problems.push('no version: in the project keyword list');
  const appsPath = resolve('apps_path');
  if (appsPath?.ok) out.appsPath = appsPath.value;
  if (!app && !appsPath) problems.push('no app: in the project keyword list');

  const depsAt = kw.get('deps');
  if (depsAt !== undefined) out.deps = depApps(toks, depsAt);
  return out;
}

/** `@name literal` definitions at any depth (module attributes are only set at module level). */
function moduleAttributes(toks: ElixirToken[]): Map<string, string> {
  const attrs = new Map<string, string>();
  for (let i = 0; i + 2 < toks.length; i++) {
    const [at, name, value, after] = [toks[i]!, toks[i + 1]!, toks[i + 2]!, toks[i + 3]];
    if (at.t !== 'op' || at.v !== '@' || name.t !== 'ident') continue;
    if (name.loc.line !== at.loc.line || value.loc.line !== name.loc.line) continue;
    if (after && after.loc.line === value.loc.line && !(after.t === 'punct' && after.v === ')')) continue;
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

/** App names of the `{:app, ...}` tuples in the deps list (inline or from `deps()`). */
function depApps(toks: ElixirToken[], at: number): string[] {
  let start = at;
  const t = toks[at];
  if (t?.t === 'ident') {
    const body = functionBody(toks, t.v);
    if (!body) return [];
    start = body.start;
  }
  if (!isPunct(toks[start], '[')) return [];
  const end = matching(toks, start);
  const apps = new Set<string>();
  let depth = 0;
  for (let j = start; j <= end; j++) {
    const tok = toks[j]!;
    if (tok.t === 'punct' && OPEN.has(tok.v)) {
      depth++;
      if (tok.v === '{' && depth === 2 && toks[j + 1]?.t === 'atom') apps.add(toks[j + 1]!.v as string);
    } else if (tok.t === 'punct' && CLOSE.has(tok.v)) depth--;
  }
  return [...apps].sort();
}
