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
export function runCli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const argv = runningCompiled
    ? [join(repoRoot, 'dist', 'bin', 'beambake.cjs'), ...args]
    : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args];
  const r = spawnSync(process.execPath, argv, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options,
    env: { ...process.env, NO_COLOR: '1', ...(options.env ?? {}) },
  });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
