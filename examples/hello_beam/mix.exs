defmodule HelloBeam.MixProject do
  use Mix.Project

  @version "0.1.0"

  def project do
    [
      app: :hello_beam,
      version: @version,
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      description: "A tiny Elixir application used to show beambake end to end",
      package: [licenses: ["MIT"]],
      deps: deps(),
      releases: [hello_beam: [include_executables_for: [:unix]]]
    ]
  end

  def application do
    [extra_applications: [:logger, :crypto], mod: {HelloBeam.Application, []}]
  end

  defp deps do
    [
      {:jason, "~> 1.4"},
      {:telemetry, "~> 1.2"},
      {:plug_crypto, "~> 2.0"},
      {:mime, "~> 2.0"}
    ]
  end
end
