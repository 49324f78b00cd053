#!/usr/bin/env escript
%%! -noshell
%% Write rebar3's Hex registry index ($REBAR_CACHE_DIR/hex/packages.idx) for the packages the
%% beambake unpack step placed in rebar3's package cache, so that rebar3 resolves every locked
%% `{pkg, Name, Vsn}` without asking hex.pm (rebar_app_utils:update_source/3 goes through this
%% index even for locked packages).
%%
%% The index is an ETS table dump whose record layout and version belong to rebar3, so the
%% index version is the one the running rebar3 writes into a fresh table (6 for rebar3 3.14 to
%% 3.26, 7 from 3.27, which also stopped storing optional requirements), the version key is
%% parsed with its own code (rebar_semver in new releases, ec_semver before) and the written file
%% is loaded back with rebar_packages:verify_table/1: if this rebar3 would discard it (a record
%% layout it no longer reads), the build stops here with a clear message instead of rebar3
%% silently going to the network.
%%
%% usage: beambake-rebar3-index.escript REBAR3_ESCRIPT CACHE_DIR
%% The records come from CACHE_DIR/beambake/*.config (written by layout_rebar3.py).

-define(TABLE, package_index).
%% rebar.hrl ?PACKAGE_INDEX_VERSION from which rebar_packages:parse_deps/1 drops optional
%% requirements (rebar3 3.27, erlang/rebar3 commit c101db67).
-define(NO_OPTIONAL_DEPS_FROM, 7).

main([Rebar3, CacheDir]) ->
    try run(Rebar3, CacheDir) of
        N ->
            io:format("beambake-rebar3-index: ~b package(s) in ~ts~n",
                      [N, filename:join([CacheDir, "hex", "packages.idx"])]),
            halt(0)
    catch
        throw:{fail, Fmt, Args} ->
            io:format(standard_error, "beambake-rebar3-index: error: " ++ Fmt ++ "~n", Args),
            halt(1)
    end;
main(_) ->
    io:format(standard_error, "usage: beambake-rebar3-index.escript REBAR3_ESCRIPT CACHE_DIR~n", []),
    halt(2).

run(Rebar3, CacheDir) ->
    CodeDir = filename:join([CacheDir, "beambake", "rebar3-code"]),
    load_rebar3(Rebar3, CodeDir),
    Version = index_version(filename:join([CodeDir, "probe-cache"])),
    Records = read_records(filename:join([CacheDir, "beambake"])),
    Index = filename:join([CacheDir, "hex", "packages.idx"]),
    ok = filelib:ensure_dir(Index),
    ?TABLE = ets:new(?TABLE, [named_table, public, ordered_set, {keypos, 2}]),
    true = ets:insert(?TABLE, {Version, package_index_version}),
    Keys = [insert(R, Version) || R <- Records],
    ok = ets:tab2file(?TABLE, Index),
    true = ets:delete(?TABLE),
    check_with_rebar3(CacheDir, Keys, Version),
    _ = file:del_dir_r(CodeDir),
    length(Keys).

%% The rebar3 escript's modules, extracted where nothing else looks.
load_rebar3(Rebar3, CodeDir) ->
    Archive = case escript:extract(Rebar3, []) of
                  {ok, Sections} ->
                      case lists:keyfind(archive, 1, Sections) of
                          {archive, Bin} -> Bin;
                          false -> throw({fail, "~ts is an escript without an archive", [Rebar3]})
                      end;
                  {error, Reason} ->
                      throw({fail, "cannot read rebar3 escript ~ts: ~p", [Rebar3, Reason]})
              end,
    _ = file:del_dir_r(CodeDir),
    case zip:extract(Archive, [{cwd, CodeDir}]) of
        {ok, _} -> ok;
        {error, ZipReason} -> throw({fail, "cannot unpack ~ts: ~p", [Rebar3, ZipReason]})
    end,
    ok = code:add_pathsa(filelib:wildcard(filename:join([CodeDir, "*", "ebin"]))).

read_records(Dir) ->
    Files = lists:sort(filelib:wildcard(filename:join(Dir, "*.config"))),
    lists:map(fun(File) ->
                      case file:consult(File) of
                          {ok, [{beambake_package, _, _, _, _, _, _} = R]} -> R;
                          Other -> throw({fail, "~ts is not a beambake package record: ~p", [File, Other]})
                      end
              end, Files).

%% The index version this rebar3 writes and reads: with no index file in its cache directory,
%% rebar_packages:verify_table/1 (exported in every rebar3 since 3.14) makes a fresh table, and
%% a fresh table holds {?PACKAGE_INDEX_VERSION, package_index_version}.
index_version(EmptyCacheDir) ->
    State = rebar_state:set(rebar_state:new(), global_rebar_dir, EmptyCacheDir),
    try
        _ = rebar_packages:verify_table(State),
        [{Version, package_index_version}] = ets:match_object(?TABLE, {'_', package_index_version}),
        true = ets:delete(?TABLE),
        Version
    catch C:R ->
        throw({fail, "cannot learn this rebar3's package index version: ~p:~p", [C, R]})
    end.

insert({beambake_package, Repo, Name, Vsn, Inner, Outer, Requirements}, Version) ->
    Key = {Name, parse_version(Name, Vsn), Repo},
    %% What rebar_packages:parse_deps/1 of that rebar3 stores for the registry's requirements.
    Deps = [{App, {pkg, Pkg, Req, undefined, undefined}}
            || {App, Pkg, Req, Optional} <- Requirements,
               not (Optional andalso Version >= ?NO_OPTIONAL_DEPS_FROM)],
    %% #package{key, inner_checksum, outer_checksum, retired, dependencies} of rebar.hrl
    true = ets:insert(?TABLE, {package, Key, Inner, Outer, false, Deps}),
    Key.

parse_version(Name, Vsn) ->
    _ = code:ensure_loaded(rebar_semver),
    case erlang:function_exported(rebar_semver, parse_version, 1) of
        true ->
            case rebar_semver:parse_version(Vsn) of
                {ok, Parsed} -> Parsed;
                Error -> throw({fail, "~ts: version ~ts not understood by rebar3: ~p", [Name, Vsn, Error]})
            end;
        false ->
            ec_semver:parse(Vsn)
    end.

%% Load the index the way rebar3 does and look every package up.
check_with_rebar3(CacheDir, Keys, Version) ->
    State = rebar_state:set(rebar_state:new(), global_rebar_dir, CacheDir),
    Loaded = try rebar_packages:verify_table(State), true
             catch C:R -> throw({fail, "rebar3 could not load the package index: ~p:~p", [C, R]})
             end,
    true = Loaded,
    Missing = [K || K <- Keys, ets:lookup(?TABLE, K) =:= []],
    case Missing of
        [] -> ok;
        [{Name, _, _} | _] ->
            throw({fail, "this rebar3 discarded the package index (its index format is not version ~b); "
                   "~ts and ~b other package(s) would be fetched from the network",
                   [Version, Name, length(Missing) - 1]})
    end.
