import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../helpers/paths.js';

/** The real gpio 0.6.0 tarball as downloaded from repo.hex.pm (corpus). */
export const GPIO = join(corpusDir, 'hex/swh-gpio/gpio-0.6.0.tar');

/** A Mix project locking the real gpio 0.6.0 tarball from the corpus, vendored next to it. */
export function gpioProject(outer = createHash('sha256').update(readFileSync(GPIO)).digest('hex')): { dir: string; vendor: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'beambake-sbom-'));
  const dir = join(root, 'demo');
  const vendor = join(root, 'vendor');
  mkdirSync(dir);
  mkdirSync(vendor);
  copyFileSync(GPIO, join(vendor, 'gpio-0.6.0.tar'));
  writeFileSync(
    join(dir, 'mix.exs'),
    'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :demo, version: "0.1.0", deps: deps()]\n' +
      '  def application, do: [extra_applications: [:logger, :crypto]]\n  defp deps, do: [{:gpio, "~> 0.6"}]\nend\n',
  );
  writeFileSync(
    join(dir, 'mix.lock'),
    `%{\n  "gpio": {:hex, :gpio, "0.6.0", "${'0'.repeat(64)}", [:mix], [{:elixir_make, "~> 0.6", [hex: :elixir_make, repo: "hexpm", optional: false]}], "hexpm", "${outer}"},\n}\n`,
  );
  return { dir, vendor, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

