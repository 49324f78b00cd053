/**
 * The seeded comparison with real `file:consult/1`: a canonical printed form of
 * a Term, the same form printed by an escript from what file:consult read, and
 * a seeded PRNG for generated term files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Term } from '../../src/terms/index.js';
import { makeTempDir } from '../helpers/temp.js';


const hexOf = (s: string) => Array.from(s, (c) => c.codePointAt(0)!.toString(16)).join('.');
const hexOfCodes = (cps: number[]) => cps.map((c) => c.toString(16)).join('.');

/** The canonical form; the Erlang side below prints the same for the same value. */
export function canon(t: Term): string {
  switch (t.kind) {
    case 'atom':
      return `a(${hexOf(t.value)})`;
    case 'integer':
      return `i(${t.value})`;
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(t.value);
      return `f(${b.toString('hex')})`;
    }
    case 'binary':
      return `b(${hexOf(t.value)})`;
    case 'bitstring':
      return `bs(${t.bits}:${Array.from(t.value, (b) => b.toString(16)).join('.')})`;
    case 'charlist':
      return `l(${Array.from(t.value, (c) => `i(${c.codePointAt(0)})`).join(',')}|)`;
    case 'list': {
      // a charlist and a list of integers are the same Erlang value; flatten both into integers
      return `l(${t.items.map(canon).join(',')}|${t.tail ? canon(t.tail) : ''})`;
    }
    case 'tuple':
      return `t(${t.items.map(canon).join(',')})`;
    case 'map':
      return `m(${t.entries.map(([k, v]) => `${canon(k)}=>${canon(v)}`).sort().join(',')})`;
    case 'fun':
      return `fun(${hexOf(t.module)}:${hexOf(t.name)}/${t.arity})`;
  }
}

const ERL_CANON = String.raw`
-module(canon).
-export([main/1]).
main(Files) -> lists:foreach(fun one/1, Files).
one(File) ->
    io:put_chars(["== ", File, "\n"]),
    case file:consult(File) of
        {ok, Terms} -> lists:foreach(fun(T) -> io:put_chars([c(T), "\n"]) end, Terms);
        {error, E} -> io:put_chars(["!! ", io_lib:format("~0p", [E]), "\n"])
    end.
hex(Cps) -> lists:join(".", [integer_to_list(C, 16) || C <- Cps]).
lower(S) -> string:lowercase(S).
c(A) when is_atom(A) -> ["a(", lower(hex(unicode:characters_to_list(atom_to_binary(A, utf8)))), ")"];
c(I) when is_integer(I) -> ["i(", integer_to_list(I), ")"];
c(F) when is_float(F) -> <<B:64/big-unsigned>> = <<F:64/float>>, ["f(", lower(io_lib:format("~16.16.0b", [B])), ")"];
c(B) when is_binary(B) ->
    Cps = case unicode:characters_to_list(B) of L when is_list(L) -> L; _ -> binary_to_list(B) end,
    ["b(", lower(hex(Cps)), ")"];
c(B) when is_bitstring(B) ->
    ["bs(", integer_to_list(bit_size(B)), ":", lower(hex(binary_to_list(<<B/bitstring, 0:(8 - bit_size(B) rem 8)>>))), ")"];
c(L) when is_list(L) -> list(L, []);
c(T) when is_tuple(T) -> ["t(", lists:join(",", [c(X) || X <- tuple_to_list(T)]), ")"];
c(M) when is_map(M) -> ["m(", lists:join(",", lists:sort([lists:flatten([c(K), "=>", c(V)]) || {K, V} <- maps:to_list(M)])), ")"];
c(F) when is_function(F) ->
    {module, Mod} = erlang:fun_info(F, module), {name, N} = erlang:fun_info(F, name), {arity, A} = erlang:fun_info(F, arity),
    ["fun(", lower(hex(unicode:characters_to_list(atom_to_binary(Mod, utf8)))), ":", lower(hex(unicode:characters_to_list(atom_to_binary(N, utf8)))), "/", integer_to_list(A), ")"].
list([H | T], Acc) -> list(T, [c(H) | Acc]);
list([], Acc) -> ["l(", lists:join(",", lists:reverse(Acc)), "|)"];
list(Tail, Acc) -> ["l(", lists:join(",", lists:reverse(Acc)), "|", c(Tail), ")"].
`;

/** The canonical lines of every file, from one `escript` run; `undefined` where file:consult refuses the file. */
export function erlCanon(work: string, files: string[]): Map<string, string[] | undefined> {
  const r = spawnSync('escript', [join(work, 'canon.erl'), ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, string[] | undefined>();
  let current: string[] | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('== ')) out.set(line.slice(3), (current = []));
    else if (line.startsWith('!! ')) out.set([...out.keys()].at(-1)!, (current = undefined));
    else if (line.length > 0) current!.push(line);
  }
  return out;
}

export function setupCanonDir(): string {
  const work = makeTempDir('beambake-consult-');
  writeFileSync(join(work, 'canon.erl'), `#!/usr/bin/env escript\n%%! -noshell\n-mode(compile).\n${ERL_CANON.replace('-module(canon).\n-export([main/1]).\n', '')}`);
  return work;
}
