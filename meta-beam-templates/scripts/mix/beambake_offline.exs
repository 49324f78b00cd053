# beambake offline dependency provider for Mix.
#
# Loaded before any Mix task:   elixir -r beambake_offline.exs -S mix <task> ...
#
# Why: Mix has no SCM for Hex packages of its own. When a dependency is neither `git:` nor
# `path:`, Mix asks the Hex client (Mix.Hex.ensure_installed?/1), which is an archive normally
# downloaded by `mix local.hex`; without it Mix stops with "Could not find Hex". A Yocto build
# cannot download it, and the Hex client would try to reach the registry anyway.
#
# What: a module implementing the Mix.SCM behaviour, appended to Mix's SCM list before the
# project's dependencies load. Mix tries SCMs in order (Git, Path, then this one), so it takes
# exactly the dependencies Hex would take, and Mix never looks for Hex. It fetches nothing:
# do_beam_unpack_deps (beambake_deps unpack --layout mix) has already verified each Hex tarball
# against the lock and unpacked it into deps/<app> with a `.beambake-hex` marker. Here
# lock_status/1 compares that marker with the mix.lock entry (name, version, repository, inner
# and outer checksum), so deps/ that do not match mix.lock stop the build, naming the app.
#
# Compatibility: only documented, public Mix API is used: the Mix.SCM behaviour (the same ten
# callbacks from Elixir 1.14, which Debian ships, through 1.18), Mix.SCM.append/1, Mix.shell/0
# and Mix.raise/1, plus Application.ensure_all_started(:mix) to have Mix's state running before
# the append (Mix.CLI starts the same application again, which is then a no-op). No private module (Mix.Dep.*, Mix.State, Mix.ProjectStack) is
# touched, which is what changes between Elixir releases. The lock tuples read here are the
# ones Hex writes into mix.lock ({:hex, name, version, inner, managers, deps[, repo[, outer]]}).

defmodule Beambake.Mix.OfflineSCM do
  @moduledoc false
  @behaviour Mix.SCM

  @marker ".beambake-hex"

  @impl true
  def fetchable?, do: true

  @impl true
  def format(_opts), do: "Hex package (beambake offline)"

  @impl true
  def format_lock(opts) do
    case hex_lock(opts[:lock]) do
      %{version: version, name: name, inner: inner} ->
        "#{version} (#{name}) #{String.slice(inner || "", 0, 8)}"

      _ ->
        nil
    end
  end

  # Same normalisation as the Hex client, so `hex: :other_name`, `repo:` and `organization:`
  # dependency options mean what they mean with Hex.
  @impl true
  def accepts_options(app, opts) do
    opts =
      case Keyword.pop(opts, :organization) do
        {nil, opts} -> opts
        {org, opts} -> Keyword.put(opts, :repo, "hexpm:#{org}")
      end

    opts
    |> Keyword.put_new(:hex, app)
    |> Keyword.update(:repo, "hexpm", &(&1 || "hexpm"))
    |> Keyword.update!(:hex, &to_string/1)
    |> Keyword.update!(:repo, &to_string/1)
  end

  @impl true
  def checked_out?(opts), do: File.dir?(opts[:dest])

  @impl true
  def lock_status(opts) do
    app = Path.basename(opts[:dest])

    case hex_lock(opts[:lock]) do
      nil ->
        report(app, "has no entry in mix.lock")
        :mismatch

      :not_hex ->
        :outdated

      lock ->
        case read_marker(opts[:dest]) do
          {:ok, marker} ->
            case differences(lock, marker) do
              [] ->
                :ok

              diffs ->
                report(app, "deps/#{app} does not match mix.lock: " <> Enum.join(diffs, ", "))
                :mismatch
            end

          {:error, why} ->
            report(app, why)
            :mismatch
        end
    end
  end

  @impl true
  def equal?(opts1, opts2), do: opts1[:hex] == opts2[:hex] and opts1[:repo] == opts2[:repo]

  @impl true
  def managers(opts) do
    case hex_lock(opts[:lock]) do
      %{managers: managers} when is_list(managers) -> Enum.map(managers, &to_manager/1)
      _ -> []
    end
  end

  @impl true
  def checkout(opts), do: refuse(opts)

  @impl true
  def update(opts), do: refuse(opts)

  defp refuse(opts) do
    app = Path.basename(opts[:dest])

    Mix.raise(
      "#{app}: beambake builds offline and never fetches; deps/#{app} must be unpacked from " <>
        "its verified Hex tarball by do_beam_unpack_deps (is #{app} missing from BEAM_HEX_DEPS?)"
    )
  end

  defp to_manager(m) when is_atom(m), do: m
  defp to_manager(m) when is_binary(m), do: String.to_atom(m)

  # The fields of a Hex lock entry, whatever its age (3- to 8-tuple).
  defp hex_lock(nil), do: nil

  defp hex_lock(tuple) when is_tuple(tuple) and elem(tuple, 0) == :hex and tuple_size(tuple) >= 3 do
    get = fn i -> if tuple_size(tuple) > i, do: elem(tuple, i) end

    %{
      name: to_string(elem(tuple, 1)),
      version: elem(tuple, 2),
      inner: get.(3),
      managers: get.(4),
      repo: get.(6) || "hexpm",
      outer: get.(7)
    }
  end

  defp hex_lock(_other), do: :not_hex

  defp read_marker(dest) do
    path = Path.join(dest, @marker)

    case File.read(path) do
      {:ok, text} ->
        fields =
          for line <- String.split(text, "\n", trim: true),
              [key, value] <- [String.split(line, "=", parts: 2)],
              into: %{},
              do: {key, value}

        {:ok, fields}

      {:error, _} ->
        {:error,
         "deps/#{Path.basename(dest)} was not unpacked from a verified Hex tarball " <>
           "(no #{@marker} marker; was do_beam_unpack_deps run?)"}
    end
  end

  defp differences(lock, marker) do
    checks = [
      {"name", lock.name},
      {"version", lock.version},
      {"repo", lock.repo},
      {"inner", lock.inner && String.downcase(lock.inner)},
      {"outer", lock.outer && String.downcase(lock.outer)}
    ]

    for {key, locked} <- checks,
        # Old locks carry no outer (or inner) checksum: there is nothing to compare then.
        locked != nil,
        marker[key] != locked,
        do: "#{key} #{inspect(marker[key])} unpacked, #{inspect(locked)} locked"
  end

  # Mix asks for the status more than once per run; say why only once.
  defp report(app, message) do
    key = {__MODULE__, app, message}

    unless Process.get(key) do
      Process.put(key, true)
      Mix.shell().error("beambake: #{app}: #{message}")
    end
  end
end

{:ok, _} = Application.ensure_all_started(:mix)
Mix.SCM.append(Beambake.Mix.OfflineSCM)
