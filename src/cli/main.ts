#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { BeambakeError, ExitCode } from '../util/errors.js';
import { safeLine, style } from './output.js';
import { packageVersion } from '../util/package.js';

function report(e: unknown): never {
  if (e instanceof BeambakeError) {
    process.stderr.write(`${style.red('error', process.stderr)}: ${safeLine(e.format())}\n`);
    process.exit(e.exitCode);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${style.red('internal error', process.stderr)}: ${safeLine(msg)}\n`);
  if (process.env.BEAMBAKE_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  else process.stderr.write('(set BEAMBAKE_DEBUG=1 for a stack trace; please report this)\n');
  process.exit(ExitCode.INTERNAL);
}

async function main(): Promise<void> {
  // `beambake deps | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(ExitCode.OK);
      throw e;
    });
  }
  let cli = yargs(hideBin(process.argv))
    .scriptName('beambake')
    .usage('$0 <command> [options]\n\nBring BEAM applications into Yocto/OpenEmbedded builds, pinned and audited.')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .epilogue(
      'Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 bad input, 4 I/O or tool failure, 70 internal error.\n' +
        'Set NO_COLOR to disable colour, SOURCE_DATE_EPOCH for reproducible timestamps.',
    )
    .fail((msg, err) => {
      if (err) report(err);
      // yargs puts the details of some messages ("Invalid values:") on indented lines of their own
      const oneLine = String(msg).split('\n').map((l) => l.trim()).filter((l) => l.length > 0).join(' ');
      process.stderr.write(`${style.red('error', process.stderr)}: ${safeLine(oneLine)}\nRun 'beambake --help' for usage.\n`);
      process.exit(ExitCode.USAGE);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

main().catch(report);
