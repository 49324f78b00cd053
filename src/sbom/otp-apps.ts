/**
 * Which OTP (and Elixir) applications a release of the project includes, and
 * their versions. The set is read statically: kernel and stdlib always,
 * `elixir` for Mix projects, plus `extra_applications` (mix.exs, gleam.toml)
 * or the non-dependency entries of `applications` (.app.src). Versions come
 * from options, or from the host `erl` / `elixir` only when asked, because the
 * host's OTP is usually not the target's.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTomlText } from '../util/toml.js';
import type { Project } from '../model.js';
import { BeambakeError } from '../util/errors.js';

// Required when a tool is run, not imported: `beambake recipe` usually runs none, and loading
// node:child_process costs its start-up several milliseconds.
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

export const ELIXIR_APPS: ReadonlySet<string> = new Set(['elixir', 'logger', 'eex', 'mix', 'ex_unit', 'iex']);

export interface OtpAppSet {
  /** Sorted application names (OTP and Elixir), without the project's own deps. */
  apps: string[];
  /** False when the project file lists applications in a form this reader could not follow. */
  statedCompletely: boolean;
}

const ATOM_LIST = (body: string): string[] => [...body.matchAll(/:([a-z][a-z0-9_]*)/g)].map((m) => m[1]!);

function mixApps(dir: string): { apps: string[]; complete: boolean } {
  const file = join(dir, 'mix.exs');
  if (!existsSync(file)) return { apps: [], complete: false };
  const text = readFileSync(file, 'utf8');
  const apps: string[] = [];
  let complete = true;
  for (const key of ['extra_applications', 'applications', 'included_applications']) {
    for (const m of text.matchAll(new RegExp(`\\b${key}:\\s*(\\[[^\\]]*\\]|[^,\\n]+)`, 'g'))) {
      const value = m[1]!.trim();
      // Only a literal list of atoms is statically readable; a function call or variable is not.
      if (!/^\[[\s:a-z0-9_,]*\]$/.test(value)) complete = false;
      else apps.push(...ATOM_LIST(value));
    }
  }
  return { apps, complete };
}

function appSrcApps(dir: string): { apps: string[]; complete: boolean } {
  const src = join(dir, 'src');
  const file = existsSync(src) ? readdirSync(src).find((f) => f.endsWith('.app.src')) : undefined;
  if (!file) return { apps: [], complete: false };
  const text = readFileSync(join(src, file), 'utf8').replace(/%.*$/gm, '');
  const apps: string[] = [];
  let complete = true;
  for (const m of text.matchAll(/\{\s*(applications|included_applications)\s*,\s*(\[[^\]]*\])/g)) {
    const items = m[2]!.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
    for (const it of items) {
      if (/^[a-z][a-z0-9_]*$/.test(it)) apps.push(it);
      else if (/^'[^']+'$/.test(it)) apps.push(it.slice(1, -1));
      else complete = false;
    }
  }
  return { apps, complete };
}

function gleamApps(dir: string): { apps: string[]; complete: boolean } {
  const file = join(dir, 'gleam.toml');
  if (!existsSync(file)) return { apps: [], complete: false };
  try {
    const toml = parseTomlText(readFileSync(file, 'utf8'), file) as { erlang?: { extra_applications?: unknown } };
    const extra = toml.erlang?.extra_applications;
    if (extra === undefined) return { apps: [], complete: true };
    if (!Array.isArray(extra) || !extra.every((x) => typeof x === 'string')) return { apps: [], complete: false };
    return { apps: extra as string[], complete: true };
  } catch {
    return { apps: [], complete: false };
  }
}

export function otpApplications(project: Project, extra: string[] = []): OtpAppSet {
  const dir = project.directory;
  const read = !dir
    ? { apps: [], complete: false }
    : project.buildTool === 'mix'
      ? mixApps(dir)
      : project.buildTool === 'gleam'
        ? gleamApps(dir)
        : appSrcApps(dir);
  const own = new Set([...(project.name !== undefined ? [project.name] : []), ...(project.umbrellaApps ?? []), ...project.packages.map((p) => p.app)]);
  const apps = new Set(['kernel', 'stdlib', ...(project.buildTool === 'mix' ? ['elixir'] : []), ...read.apps, ...extra]);
  for (const a of own) apps.delete(a);
  return { apps: [...apps].sort(), statedCompletely: read.complete };
}

export interface HostVersions {
  otpRelease?: string;
  erts?: string;
  elixir?: string;
  apps: Record<string, string>;
}

/** Ask the host's `erl` (and `elixir`, for Elixir apps) for versions. Only on request: the host is not the target. */
export function hostVersions(apps: string[]): HostVersions {
  const erlApps = apps.filter((a) => !ELIXIR_APPS.has(a));
  const expr =
    `io:format("otp ~s~nerts ~s~n", [erlang:system_info(otp_release), erlang:system_info(version)]),` +
    `lists:foreach(fun(A) -> case application:load(A) of R when R =:= ok; element(1, element(2, R)) =:= already_loaded -> ` +
    `{ok, V} = application:get_key(A, vsn), io:format("app ~s ~s~n", [A, V]); _ -> ok end end, [${erlApps.join(',')}]), halt().`;
  const r = childProcess().spawnSync('erl', ['-noshell', '-eval', expr], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new BeambakeError('TOOL_FAILED', `erl failed (${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)}); give --otp-version/--erts-version instead`);
  }
  const out: HostVersions = { apps: {} };
  for (const line of r.stdout.split('\n')) {
    const [kind, a, b] = line.trim().split(/\s+/);
    if (kind === 'otp') out.otpRelease = a;
    else if (kind === 'erts') out.erts = a;
    else if (kind === 'app' && a && b) out.apps[a] = b;
  }
  if (apps.some((a) => ELIXIR_APPS.has(a))) {
    const e = childProcess().spawnSync('elixir', ['-e', 'IO.puts(System.version())'], { encoding: 'utf8', timeout: 60_000 });
    if (e.status === 0) {
      out.elixir = e.stdout.trim().split('\n').pop();
      for (const a of apps) if (ELIXIR_APPS.has(a) && out.elixir) out.apps[a] = out.elixir;
    }
  }
  return out;
}
