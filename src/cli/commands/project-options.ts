/**
 * `--app-name` / `--app-version`: every command that reads a project needs
 * them, because readers say "pass --app-version" when a version is only known
 * at build time (`{vsn, git}`, computed `version:` in mix.exs).
 */
import type { Argv } from 'yargs';
import { BeambakeError } from '../../util/errors.js';

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

export interface ScopeArgs {
  'include-scope'?: string[];
}

/** `--include-scope dev,test`: dependency scopes beyond prod (repeatable or comma-separated). */
export function withScopeOption<T>(y: Argv<T>): Argv<T & ScopeArgs> {
  return y.option('include-scope', {
    type: 'string',
    array: true,
    describe: 'Also take dependencies of these scopes (dev, test; comma-separated): production only by default',
  }) as unknown as Argv<T & ScopeArgs>;
}

/** The scopes `--include-scope` names; an unknown one is a usage error. */
export function includedScopes(argv: ScopeArgs): ('dev' | 'test')[] {
  const out = new Set<'dev' | 'test'>();
  for (const v of (argv['include-scope'] ?? []).flatMap((x) => String(x).split(','))) {
    const s = v.trim();
    if (s === '' || s === 'prod') continue;
    if (s !== 'dev' && s !== 'test') {
      throw new BeambakeError('INVALID_ARGUMENT', `unknown scope ${JSON.stringify(s.slice(0, 40))} (choose dev, test)`, { entry: '--include-scope' });
    }
    out.add(s);
  }
  return [...out].sort();
}
