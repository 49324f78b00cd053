/**
 * Options several commands share, declared once so that a flag means the same
 * thing, takes the same values and reads the same in `--help` everywhere:
 * `--yocto`, `--hex-repo`, `--vendor`, `--json`; and `examples()`, which
 * registers help examples that are printed unbroken (see help.ts).
 *
 * Command modules import this file at start-up, so it must stay light: only
 * the release table (plain data) is imported.
 */
import type { Argv } from 'yargs';
import { DEFAULT_RELEASE, YOCTO_RELEASES, type YoctoRelease } from '../bitbake/releases.js';
import { registerExample } from './help.js';

export interface YoctoArgs {
  yocto: YoctoRelease;
}

/** `--yocto RELEASE`: every release src/bitbake/releases.ts knows, same default everywhere. */
export function withYocto<T>(y: Argv<T>, describe = 'Yocto release to write for'): Argv<T & YoctoArgs> {
  return y.option('yocto', { type: 'string', choices: YOCTO_RELEASES, default: DEFAULT_RELEASE, describe }) as unknown as Argv<T & YoctoArgs>;
}

export interface JsonArgs {
  json: boolean;
}

/** `--json`: machine-readable output on stdout instead of the human one. */
export function withJson<T>(y: Argv<T>, describe = 'Print JSON on stdout instead of text'): Argv<T & JsonArgs> {
  return y.option('json', { type: 'boolean', default: false, describe }) as unknown as Argv<T & JsonArgs>;
}

export interface VendorArgs {
  vendor?: string[];
}

/** `--vendor DIR`, repeatable in every command that reads vendored tarballs. */
export function withVendor<T>(y: Argv<T>, describe: string, demand = false): Argv<T & VendorArgs> {
  return y.option('vendor', {
    type: 'string',
    array: true,
    // `--vendor a b` must not swallow the project path; one directory per flag
    nargs: 1,
    ...(demand ? { demandOption: true } : {}),
    describe: `${describe} (repeatable)`,
  }) as unknown as Argv<T & VendorArgs>;
}

export interface HexRepoArgs {
  'hex-repo'?: string[];
  /** Deprecated spelling of --hex-repo in `recipe`. */
  'repo-url'?: string[];
}

/**
 * `--hex-repo NAME=URL`: base URL of a self-hosted Hex repository. The same
 * name in `recipe` and `sbom` (`kas --repo-url` is a git repository, which is
 * why the Hex one is not called that). `deprecatedRepoUrl` keeps `recipe
 * --repo-url`, the old name, working with a warning.
 */
export function withHexRepo<T>(y: Argv<T>, deprecatedRepoUrl = false): Argv<T & HexRepoArgs> {
  let out = y.option('hex-repo', {
    type: 'string',
    array: true,
    nargs: 1,
    describe: 'NAME=URL base URL of a self-hosted Hex repository NAME (repeatable)',
  }) as unknown as Argv<T & HexRepoArgs>;
  if (deprecatedRepoUrl) {
    out = out.option('repo-url', { type: 'string', array: true, nargs: 1, hidden: true, describe: 'Deprecated: use --hex-repo' }) as unknown as Argv<T & HexRepoArgs>;
  }
  return out;
}

/** The `--hex-repo` values, old `--repo-url` ones included (with a warning). */
export function hexRepoSpecs(argv: HexRepoArgs, warn: (message: string) => void): string[] {
  const old = argv['repo-url'] ?? [];
  if (old.length > 0) warn('--repo-url is deprecated for Hex repositories; use --hex-repo NAME=URL');
  return [...(argv['hex-repo'] ?? []), ...old];
}

/**
 * Help examples, printed with the command on a line of its own (never
 * wrapped, so it can be copied) and the description below it. `$0` is the
 * program name, as in yargs' own `.example()`.
 */
export function examples<T>(y: Argv<T>, list: ReadonlyArray<readonly [command: string, description: string]>): Argv<T> {
  let out = y;
  for (const [command, description] of list) out = out.example(registerExample(command, description), '');
  return out;
}
