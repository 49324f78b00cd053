/**
 * `bitbake -e` output read back: the final value of every variable and shell function of one
 * recipe, and its task graph (BitBake's own `_task_deps`).
 *
 * BitBake prints a variable as `[export ]NAME="VALUE"` with `"` and `$` backslash-escaped and each
 * newline as ` \` + newline (bb/data.py emit_var), a shell function as `NAME() {` ... `}`.
 */
import { buildUser, runBitbake, runText, type BitbakeRun, type BuildDir } from './harness.js';

export interface BitbakeEnv {
  run: BitbakeRun;
  vars: Map<string, string>;
  /** Shell functions (tasks included): body text. */
  funcs: Map<string, string>;
  /** A variable's value; throws naming the recipe when it is not set. */
  get(name: string): string;
  /** Whitespace-separated words of a variable ('' when unset). */
  words(name: string): string[];
  /** Task -> the tasks it runs after, within the recipe (`addtask ... after ...`). */
  taskParents(): Record<string, string[]>;
  /** Inter-recipe dependencies of each task (`do_X[depends]`), as BitBake resolved them. */
  taskDepends(): Record<string, string>;
  /** True when `task` runs after `before`, directly or through other tasks of the recipe. */
  runsAfter(task: string, before: string): boolean;
}

function unescape(value: string): string {
  return value.replace(/ \\\n/g, '\n').replace(/\\([$"])/g, '$1');
}

export function parseBitbakeEnv(text: string, what = 'recipe', run?: BitbakeRun): BitbakeEnv {
  const vars = new Map<string, string>();
  const funcs = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#') || line === '') continue;
    const fn = /^([A-Za-z0-9_.:+-]+)\(\) \{$/.exec(line);
    if (fn) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '}'; i++) body.push(lines[i]!);
      funcs.set(fn[1]!, body.join('\n'));
      continue;
    }
    const v = /^(?:export )?([A-Za-z0-9_.:+~/{}$[\]-]+)="(.*)$/.exec(line);
    if (!v) continue;
    let raw = v[2]!;
    // a value ends at an unescaped closing quote at the end of a line
    while (!/(^|[^\\])(\\\\)*"$/.test(raw) && i + 1 < lines.length) raw += '\n' + lines[++i]!;
    vars.set(v[1]!, unescape(raw.slice(0, -1)));
  }
  const get = (name: string): string => {
    const value = vars.get(name);
    if (value === undefined) throw new Error(`${what}: ${name} is not set in the \`bitbake -e\` output`);
    return value;
  };
  const taskDeps = (): Record<string, unknown> => {
    // a Python dict literal of strings, lists and dicts: JSON once its quotes are
    const py = get('_task_deps');
    return JSON.parse(py.replace(/'/g, '"')) as Record<string, unknown>;
  };
  const taskParents = () => taskDeps().parents as Record<string, string[]>;
  return {
    run: run ?? { status: 0, signal: null, stdout: text, stderr: '', output: text },
    vars,
    funcs,
    get,
    words: (name) => (vars.get(name) ?? '').split(/\s+/).filter(Boolean),
    taskParents,
    taskDepends: () => taskDeps().depends as Record<string, string>,
    runsAfter(task, before) {
      const parents = taskParents();
      const seen = new Set<string>();
      const todo = [...(parents[task] ?? [])];
      while (todo.length > 0) {
        const t = todo.pop()!;
        if (t === before) return true;
        if (seen.has(t)) continue;
        seen.add(t);
        todo.push(...(parents[t] ?? []));
      }
      return false;
    },
  };
}

/** `bitbake -e -b FILE`: one recipe file's environment without resolving the stack's providers (~5 s). */
export function bitbakeEnv(build: BuildDir, recipeFile: string): BitbakeEnv {
  if ('skip' in buildUser()) throw new Error('no build user');
  const run = runBitbake(build, ['-e', '-b', recipeFile], { timeoutMs: 10 * 60_000 });
  if (run.status !== 0) throw new Error(`bitbake -e -b ${recipeFile} failed: ${runText(run)}`);
  return parseBitbakeEnv(run.stdout, recipeFile, run);
}
