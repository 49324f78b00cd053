/**
 * The `beambake` command line as a yargs instance, shared by the executable
 * (main.ts) and the docs generator (scripts/gen-docs.mjs), so the help text
 * and docs/cli/*.md come from the same option definitions.
 *
 * yargs is loaded through `require`: its ESM build wraps help text by
 * cutting lines every N characters (mid-word), its CommonJS build wraps at
 * word boundaries (wrap-ansi). `yargs/yargs` is the factory alone: the
 * package's main entry also builds a global instance at load time.
 */
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import { commands } from './commands/index.js';
import { renderHelp, unknownOptionMessage, unknownOptions } from './help.js';
import { packageVersion } from '../util/package.js';

const require = createRequire(import.meta.url);
const yargsFactory = require('yargs/yargs') as (args: string[]) => Argv;

export const EPILOGUE =
  'Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 bad input, 4 I/O or tool failure, 70 internal error. ' +
  'Set NO_COLOR to disable colour, SOURCE_DATE_EPOCH for reproducible timestamps.';

export interface UsageFailure {
  /** One line (or two: the message and where to look for help). */
  message: string;
  error?: unknown;
}

/** Help width: the terminal's, at least 60 and at most 100 columns, 80 when not a terminal. */
export function helpWidth(): number {
  return Math.max(60, Math.min(100, process.stdout.columns ?? 80));
}

/** The command path (`recipe`, `sbom merge`) a yargs instance is parsing, from its context. */
function commandPath(y: Argv): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ctx = (y as any).getInternalMethods?.().getContext?.() as { commands?: string[] } | undefined;
  return (ctx?.commands ?? []).join(' ');
}

/** Long names and aliases (kebab-case) the yargs instance knows. */
function knownOptions(y: Argv): Set<string> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const opts = (y as any).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]> };
  const names = new Set<string>(Object.keys(opts.key));
  for (const [k, aliases] of Object.entries(opts.alias)) {
    names.add(k);
    for (const a of aliases) names.add(a);
  }
  names.add('help');
  names.add('version');
  return names;
}

export function createCli(args: string[], width: number, onFail: (f: UsageFailure) => void): Argv {
  let cli = yargsFactory(args)
    .scriptName('beambake')
    // Every other message is English, and .fail() reads yargs' "Did you mean X?": under LANG=de_DE
    // it said "Meintest du recipe?" and the suggestion was lost.
    .detectLocale(false)
    .locale('en')
    .usage('$0 <command> [options]\n\nBring BEAM applications into Yocto/OpenEmbedded builds, pinned and audited.')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .completion('__complete', false)
    .wrap(width)
    .epilogue(EPILOGUE)
    .fail((msg, err) => {
      if (err) return onFail({ message: '', error: err });
      // yargs re-uses one instance for the command being parsed: it now holds that command's options
      const y = cli;
      const path = commandPath(y);
      // yargs reports a missing required option before an unknown one: name the typo first
      const known = knownOptions(y);
      const unknown = unknownOptions(args, known);
      if (unknown.length > 0) return onFail({ message: unknownOptionMessage(unknown, known, path) });
      const suggestion = /^Did you mean (\S+)\?$/.exec(String(msg));
      if (suggestion && args[0] !== undefined) {
        return onFail({ message: `unknown command ${args[0]} (did you mean ${suggestion[1]}?)\nRun 'beambake --help' for the commands.` });
      }
      // yargs puts the details of some messages ("Invalid values:") on indented lines of their own
      const oneLine = String(msg).split('\n').map((l) => l.trim()).filter((l) => l.length > 0).join(' ');
      onFail({ message: `${oneLine}\nRun 'beambake ${path ? path + ' ' : ''}--help' for usage.` });
    });
  for (const c of commands) cli = cli.command(c);
  // yargs renders (and word-wraps) the command's whole help text each time a command runs, to
  // show it if the handler fails later; .fail() above never shows help, so that was ~10 ms of
  // every run spent for nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (cli as any).getInternalMethods().getUsageInstance().cacheHelpMessage = () => undefined;
  return cli;
}

/**
 * Parse and run `args`. Text yargs prints itself (help, version, completion
 * replies) is returned instead of printed, with help examples laid out by
 * renderHelp.
 */
export async function runCli(args: string[], width: number, onFail: (f: UsageFailure) => void): Promise<string> {
  let output = '';
  await createCli(args, width, onFail).parseAsync(args, {}, (_err, _argv, out) => {
    output = out ?? '';
  });
  return output === '' ? '' : renderHelp(output, width) + '\n';
}
