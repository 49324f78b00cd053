defmodule HelloBeam do
  @moduledoc """
  Says hello with the help of a few real Hex packages, so a build proves that
  every dependency was fetched, verified and compiled offline.
  """

  @doc "A JSON greeting, with a digest computed by plug_crypto and the MIME type of JSON."
  def greeting(name \\ "Yocto") do
    message = "Hello, #{name}, from the BEAM"

    :telemetry.execute([:hello_beam, :greeting], %{count: 1}, %{name: name})

    Jason.encode!(%{
      message: message,
      digest: Base.encode16(Plug.Crypto.KeyGenerator.generate("hello", "beam", iterations: 1, length: 8), case: :lower),
      mime: MIME.type("json")
    })
  end
end
