/**
 * `--app-name` / `--app-version`: every command that reads a project needs
 * them, because readers say "pass --app-version" when a version is only known
 * at build time (`{vsn, git}`, computed `version:` in mix.exs).
 */
import type { Argv } from 'yargs';

export interface ProjectIdentityArgs {
  'app-name'?: string;
  'app-version'?: string;
}

export function withProjectIdentity<T>(y: Argv<T>): Argv<T & ProjectIdentityArgs> {
  return y
    .option('app-name', { type: 'string', describe: 'Project name, when the project file does not say it statically' })
    .option('app-version', { type: 'string', describe: 'Project version, when the project file does not say it statically' });
}

/** The `readProject` options the two flags stand for. */
export function projectIdentity(argv: ProjectIdentityArgs): { appName?: string; appVersion?: string } {
  return {
    ...(argv['app-name'] !== undefined ? { appName: argv['app-name'] } : {}),
    ...(argv['app-version'] !== undefined ? { appVersion: argv['app-version'] } : {}),
  };
}
