/**
 * Reference readings of the corpus lockfiles by the ecosystems' own tools:
 * Elixir evaluates mix.lock, Erlang `file:consult/1`s rebar.lock, Python's
 * tomllib reads manifest.toml. Each prints tab-separated lines the tests
 * compare with beambake's model. One process per tool for all files.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { corpusDir } from '../helpers/paths.js';

export interface CorpusLock {
  /** Path relative to the corpus. */
  rel: string;
  file: string;
  tool: 'mix' | 'rebar3' | 'gleam';
  negative: boolean;
  note: string;
}

/** MANIFEST.tsv rows that are lockfiles. */
export function corpusLockfiles(): CorpusLock[] {
  const rows = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
  const out: CorpusLock[] = [];
  for (const row of rows) {
    const [rel, , , , , note = ''] = row.split('\t');
    const name = basename(rel!);
    const tool = name === 'mix.lock' ? 'mix' : name.endsWith('rebar.lock') ? 'rebar3' : name === 'manifest.toml' ? 'gleam' : undefined;
    if (!tool) continue;
    out.push({ rel: rel!, file: join(corpusDir, rel!), tool, negative: /NEGATIVE|broken|_fail/.test(rel! + ' ' + note), note });
  }
  return out;
}

/** Lines grouped per file: `F\t<file>\t...` starts a group; the rest are its lines split on tabs. */
export type Reference = Map<string, { header: string[]; lines: string[][] }>;

function group(stdout: string): Reference {
  const out: Reference = new Map();
  let current: { header: string[]; lines: string[][] } | undefined;
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    if (cols[0] === 'F' || cols[0] === 'X') {
      current = { header: cols, lines: [] };
      out.set(cols[1]!, current);
    } else if (current) {
      current.lines.push(cols);
    }
  }
  return out;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const ELIXIR_READER = `
str = fn
  nil -> "-"
  x when is_atom(x) -> Atom.to_string(x)
  x when is_binary(x) -> x
  x when is_integer(x) -> Integer.to_string(x)
end
for file <- System.argv() do
  try do
    {lock, _} = Code.eval_file(file)
    entries = Enum.to_list(lock)
    IO.puts("F\\t#{file}\\t#{length(entries)}")
    for {app, e} <- entries do
      fields =
        case Tuple.to_list(e) do
          [:hex, name, vsn | more] ->
            deps = Enum.at(more, 2, [])
            dep_apps = Enum.map_join(deps, ",", fn d -> d |> elem(0) |> Atom.to_string() end)
            optional = deps |> Enum.filter(fn d -> Keyword.get(elem(d, 2), :optional, false) end) |> Enum.map_join(",", fn d -> d |> elem(0) |> Atom.to_string() end)
            managers = Enum.map_join(Enum.at(more, 1, []), ",", &Atom.to_string/1)
            ["hex", str.(name), vsn, str.(Enum.at(more, 0)), str.(Enum.at(more, 4)), str.(Enum.at(more, 3)), managers, dep_apps, optional]
          [:git, url, sha, opts] ->
            ["git", url, sha, Enum.map_join(opts, ";", fn {k, v} -> "#{k}=#{v}" end)]
          [:package, vsn] ->
            ["package", vsn]
        end
      IO.puts(Enum.join(["E", Atom.to_string(app) | fields], "\\t"))
    end
  rescue
    e -> IO.puts("X\\t#{file}\\t#{e |> Exception.message() |> String.replace("\\n", " ")}")
  end
end
`;

/** mix.lock files evaluated by Elixir (`Code.eval_file`). */
export function elixirReadMixLocks(files: string[]): Reference {
  return group(run('elixir', ['-e', ELIXIR_READER, ...files]));
}

const ERLANG_READER = `
lists:foreach(fun(F) ->
  {ok, Terms} = file:consult(F),
  {Locks, Attrs} = case Terms of
    [] -> {[], []};
    [L] when is_list(L) -> {L, []};
    [{_, L}] -> {L, []};
    [{_, L}, A] -> {L, A}
  end,
  io:format("F\\t~ts\\t~p~n", [F, length(Locks)]),
  lists:foreach(fun({App, Src, Lvl}) ->
    case Src of
      {pkg, N, V} -> io:format("E\\t~ts\\tpkg\\t~ts\\t~ts\\t~p~n", [App, N, V, Lvl]);
      {git, U, {ref, R}} -> io:format("E\\t~ts\\tgit\\t~ts\\t~ts\\t~p\\t-~n", [App, U, R, Lvl]);
      {git_subdir, U, {ref, R}, D} -> io:format("E\\t~ts\\tgit\\t~ts\\t~ts\\t~p\\t~ts~n", [App, U, R, Lvl, D])
    end end, Locks),
  lists:foreach(fun({K, Hs}) ->
    lists:foreach(fun({A, H}) -> io:format("H\\t~p\\t~ts\\t~ts~n", [K, A, H]) end, Hs) end, Attrs)
end, init:get_plain_arguments()),
halt().
`;

/** rebar.lock files read by Erlang's `file:consult/1`. */
export function erlangReadRebarLocks(files: string[]): Reference {
  return group(run('erl', ['-noshell', '-eval', ERLANG_READER, '-extra', ...files]));
}

const PYTHON_READER = `
import sys, tomllib
for f in sys.argv[1:]:
    with open(f, 'rb') as fh:
        d = tomllib.load(fh)
    pk = d.get('packages', [])
    print(f"F\\t{f}\\t{len(pk)}")
    for p in pk:
        print("\\t".join(["E", p['name'], p['version'], p['source'], p.get('otp_app', '-'), p.get('outer_checksum', '-'),
              p.get('repo', '-'), p.get('commit', '-'), p.get('path', '-'), ",".join(p.get('build_tools', [])),
              ",".join(p.get('requirements', []))]))
    for r in d.get('requirements', {}):
        print(f"R\\t{r}")
`;

/** manifest.toml files read by Python's tomllib. */
export function pythonReadManifests(files: string[]): Reference {
  return group(run('python3', ['-c', PYTHON_READER, ...files]));
}
