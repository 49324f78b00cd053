/** Hand-built projects and helpers shared by the bitbake tests. */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GitPackage, HexPackage, Project } from '../../src/model.js';
import { fixturesDir } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp.js';

/** A scratch directory, removed when the test file is done (helpers/temp.ts). */
export function tempDir(prefix = 'beambake-bitbake-'): string {
  return makeTempDir(prefix);
}

export function hex(app: string, version: string, over: Partial<HexPackage> = {}): HexPackage {
  return {
    app,
    name: app,
    version,
    source: 'hex',
    repository: 'hexpm',
    outerChecksum: 'a'.repeat(63) + String(app.length % 10),
    innerChecksum: 'b'.repeat(64),
    buildTools: ['mix'],
    dependencies: [],
    direct: true,
    ...over,
  };
}

export function git(app: string, over: Partial<GitPackage> = {}): GitPackage {
  return {
    app,
    source: 'git',
    url: `https://github.com/example/${app}.git`,
    rev: '0123456789abcdef0123456789abcdef01234567',
    dependencies: [],
    direct: true,
    ...over,
  };
}

/** A project directory on disk (licence file, lockfile) plus its model. */
export function project(packages: Project['packages'], over: Partial<Project> = {}): Project {
  const dir = tempDir('beambake-app-');
  writeFileSync(join(dir, 'mix.lock'), '%{}\n');
  writeFileSync(join(dir, 'LICENSE'), 'Apache License\nVersion 2.0, January 2004\n');
  return {
    name: 'demo_app',
    version: '1.2.3',
    buildTool: 'mix',
    lockfile: join(dir, 'mix.lock'),
    directory: dir,
    packages,
    warnings: [],
    ...over,
  };
}

/** Runs BitBake's assignment grammar (test/fixtures/bitbake/bb_grammar.py) over files; returns its complaints. */
export function bitbakeGrammarProblems(files: string[]): string {
  const r = spawnSync('python3', [join(fixturesDir, 'bitbake', 'bb_grammar.py'), ...files], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return (r.stdout + r.stderr).trim() + (r.status === 0 ? '' : `\n(exit ${r.status})`);
}

/** A git checkout with one commit and a remote, for the app-source tests. */
export function gitCheckout(remote: string, files: Record<string, string>, branch = 'main'): { dir: string; rev: string } {
  const dir = tempDir('beambake-checkout-');
  const run = (...args: string[]) => {
    const r = spawnSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_NOSYSTEM: '1' },
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  run('init', '-q', '-b', branch);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  run('add', '-A');
  run('commit', '-q', '-m', 'init');
  run('remote', 'add', 'origin', remote);
  return { dir, rev: run('rev-parse', 'HEAD') };
}
