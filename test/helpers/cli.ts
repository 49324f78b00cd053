import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, runningCompiled } from './paths.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the real `beambake` CLI in a child process: the compiled one when the
 * tests run from dist/, the TypeScript source through tsx otherwise.
 */
const cliArgv = (args: string[]): string[] =>
  runningCompiled ? [join(repoRoot, 'dist', 'bin', 'beambake.cjs'), ...args] : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args];

export function runCli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const argv = cliArgv(args);
  const r = spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options,
    env: { ...process.env, NO_COLOR: '1', ...(options.env ?? {}) },
  });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run the CLI with a pseudo-terminal as its stdin, stdout and stderr (through util-linux `script`), as
 * a person at a terminal does: `output` is everything it wrote there, both streams together, in order.
 */
export function runCliOnTerminal(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): { status: number; output: string } {
  const command = [process.execPath, ...cliArgv(args)].map(shellQuote).join(' ');
  const r = spawnSync('script', ['-qefc', command, '/dev/null'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', ...(options.env ?? {}) },
  });
  return { status: r.status ?? -1, output: String(r.stdout ?? '') };
}
