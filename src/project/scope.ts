/**
 * Dependency scope: which locked packages ship in the release. The project
 * file declares the scope of the project's own dependencies (Mix `only:` /
 * `runtime: false`, rebar3 profiles, Gleam `[dev-dependencies]`); the lock's
 * graph carries it to transitive packages. A package required (not
 * optionally) by a production package is production, whatever the project
 * file says about it, because the release cannot start without it.
 *
 * Nothing is ever dropped for lack of information: a package whose scope
 * cannot be read is production, with the reason saying so.
 */
import type { Package, Scope } from '../model.js';
import type { DeclaredDep } from './types.js';

export interface ScopeInput {
  /** The project file's declarations; undefined when there is no project file to read. */
  declared?: DeclaredDep[];
  /** Why part of the dependency list is not statically readable (`deps() ++ cond_deps()`). */
  depsProblem?: string;
  /** The project file, for reasons ("in mix.exs"). */
  projectFile?: string;
  /** The lock lists each package's dependencies (mix.lock Hex entries, Gleam); rebar.lock does not. */
  graphKnown: boolean;
}

export interface ScopeResult {
  /** Packages whose scope is unknown, sorted (treated as prod). */
  unknown: string[];
}

/** Fill `scope`, `scopeReason` and `runtime` of every package in place. */
export function assignScopes(packages: Package[], input: ScopeInput): ScopeResult {
  const byApp = new Map(packages.map((p) => [p.app, p]));
  const declared = new Map((input.declared ?? []).map((d) => [d.app, d]));
  const unknown = new Set<string>();
  const set = (p: Package, scope: Scope, reason: string, runtime = true) => {
    p.scope = scope;
    p.scopeReason = reason;
    if (!runtime) p.runtime = false;
    else delete p.runtime;
  };

  if (input.declared === undefined) {
    for (const p of packages) {
      set(p, 'prod', 'unknown: no project file declares scopes (treated as prod)');
      unknown.add(p.app);
    }
    return { unknown: [...unknown].sort() };
  }

  // Roots: what the project declares, then what the lock says is direct but the project file does not show.
  const roots: { p: Package; scope: Scope; runtime: boolean; reason: string }[] = [];
  for (const p of packages) {
    // Gleam and rebar3 name Hex packages; the model keys them by OTP app (hpack_erl -> hpack).
    const d = declared.get(p.app) ?? (p.source === 'hex' ? declared.get(p.name) : undefined);
    if (d) {
      if (d.unknown) unknown.add(p.app);
      roots.push({ p, scope: d.scope, runtime: d.runtime, reason: d.reason });
    } else if (p.direct && input.depsProblem) {
      unknown.add(p.app);
      roots.push({ p, scope: 'prod', runtime: true, reason: `unknown: ${input.depsProblem} (treated as prod)` });
    }
  }

  // Breadth-first from prod runtime roots, then prod compile-time-only, dev, test: the first to reach a package decides.
  const order: [Scope, boolean][] = [
    ['prod', true],
    ['prod', false],
    ['dev', true],
    ['dev', false],
    ['test', true],
    ['test', false],
  ];
  const done = new Set<string>();
  for (const [scope, runtime] of order) {
    const queue: Package[] = [];
    for (const r of roots) {
      if (r.scope !== scope || r.runtime !== runtime || done.has(r.p.app)) continue;
      set(r.p, scope, r.reason, runtime);
      done.add(r.p.app);
      queue.push(r.p);
    }
    // an index, not queue.shift(): shifting a 100,000-element array is linear each time
    for (let head = 0; head < queue.length; head++) {
      const from = queue[head]!;
      const optional = new Set(from.optionalDependencies ?? []);
      for (const dep of from.dependencies) {
        const to = byApp.get(dep);
        if (!to || done.has(dep) || optional.has(dep)) continue;
        const label = runtime ? scope : `${scope}, compile-time only`;
        set(to, scope, `required by ${from.app} (${label})`, runtime);
        done.add(dep);
        queue.push(to);
      }
    }
  }

  // What no declared dependency reaches. The first reached package (in lock order) that names it optional, by app.
  const optionalOf = new Map<string, Package>();
  for (const q of packages) {
    if (!done.has(q.app)) continue;
    for (const o of q.optionalDependencies ?? []) if (!optionalOf.has(o)) optionalOf.set(o, q);
  }
  for (const p of packages) {
    if (done.has(p.app)) continue;
    if (!input.graphKnown) {
      set(p, 'prod', 'transitive: the lock does not say which dependency requires it (treated as prod)');
    } else if (input.depsProblem) {
      unknown.add(p.app);
      set(p, 'prod', `unknown: ${input.depsProblem} (treated as prod)`);
    } else {
      const viaOptional = optionalOf.get(p.app);
      set(
        p,
        'prod',
        viaOptional
          ? `optional dependency of ${viaOptional.app}, not declared by the project (treated as prod)`
          : p.direct
            ? 'locked, but the project file does not declare it (treated as prod)'
            : 'not reached from the declared dependencies (treated as prod)',
      );
    }
  }
  return { unknown: [...unknown].sort() };
}
