#!/usr/bin/env node
import { BeambakeError, ExitCode } from '../util/errors.js';
import { safeLine, safeText, style } from './output.js';
import { helpWidth, runCli, type UsageFailure } from './app.js';

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

function usageError(f: UsageFailure): never {
  if (f.error !== undefined) report(f.error);
  // the message can quote what was typed (an unknown option): no control characters reach the terminal
  process.stderr.write(`${style.red('error', process.stderr)}: ${safeText(f.message)}\n`);
  process.exit(ExitCode.USAGE);
}

async function main(): Promise<void> {
  // `beambake deps | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(ExitCode.OK);
      throw e;
    });
  }
  // argv[0] is node, argv[1] this script (yargs' hideBin adds only an Electron case, and a module load)
  const out = await runCli(process.argv.slice(2), helpWidth(), usageError);
  if (out) process.stdout.write(out);
}

main().catch(report);
