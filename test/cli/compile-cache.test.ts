/**
 * The bin's V8 code cache (src/cli/compile-cache.ts): written once per command
 * into the user's private cache directory, used on the next run, and never a
 * reason for a different result or a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runningCompiled } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { compileCacheDir, compileCacheFile, v8FlagsFor } from '../../src/cli/compile-cache.js';

const skip = runningCompiled ? false : 'the code cache belongs to the bundled bin (dist/bin): run the compiled tests';
const lock = join(repoRoot, 'examples', 'hello_beam', 'mix.lock');

function withCacheHome(fn: (home: string, cacheDir: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'beambake-v8cache-'));
  try {
    fn(home, join(home, 'beambake', 'v8'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const deps = (home: string, extra: NodeJS.ProcessEnv = {}) => runCli(['deps', lock, '--json'], { env: { XDG_CACHE_HOME: home, ...extra } });

test('the first run of a command leaves its compiled code in a private directory; the next run uses it', { skip }, () => {
  withCacheHome((home, dir) => {
    const first = deps(home);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.equal(files.length, 1, files.join(', '));
    const stamp = createHash('sha256').update(readFileSync(join(repoRoot, 'dist', 'bin', 'cli.cjs'))).digest('hex').slice(0, 16);
    assert.match(files[0]!, new RegExp(`^${stamp}-node${process.versions.node}-${process.arch}(-o[0-9a-f]{8})?-deps\\.bin$`));
    const cache = join(dir, files[0]!);
    assert.equal(statSync(cache).mode & 0o777, 0o600);
    assert.ok(statSync(cache).size > 10_000);
    const before = statSync(cache);

    const second = deps(home);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // accepted, so not written again (a rejected cache is replaced by a rename: a new inode)
    const after = statSync(cache);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);

    // another command gets its own file
    assert.equal(runCli(['--version'], { env: { XDG_CACHE_HOME: home } }).status, 0);
    assert.equal(readdirSync(dir).length, 2);
  });
});

test('a damaged cache file changes nothing but speed: the run compiles from source and replaces it', { skip }, () => {
  withCacheHome((home, dir) => {
    const clean = deps(home, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(clean.status, 0, clean.stderr);
    assert.equal(existsSync(dir), false, 'NODE_DISABLE_COMPILE_CACHE=1 writes no cache');
    assert.equal(deps(home).status, 0);
    const cache = join(dir, readdirSync(dir)[0]!);
    const garbage = Buffer.alloc(statSync(cache).size, 0x5a);
    writeFileSync(cache, garbage);
    const r = deps(home);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, clean.stderr);
    assert.equal(r.stdout, clean.stdout);
    assert.notDeepEqual(readFileSync(cache), garbage);
  });
});

test('a cache directory others can write to is not used', { skip }, () => {
  withCacheHome((home, dir) => {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const r = deps(home);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(dir), []);
  });
});

test('compileCacheDir: XDG_CACHE_HOME when absolute, else ~/.cache; none when disabled', () => {
  withCacheHome((home, dir) => {
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }), dir);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
    // a relative XDG_CACHE_HOME is ignored, as the XDG specification says
    assert.notEqual(compileCacheDir({ XDG_CACHE_HOME: 'relative/cache' }), join('relative/cache', 'beambake', 'v8'));
    // a file where the directory should be: no cache, no error
    writeFileSync(join(home, 'beambake-file'), '');
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: join(home, 'beambake-file') }), undefined);
  });
});

test('compileCacheFile: named by the bundle, Node, the architecture, Node options and the first command word', () => {
  const stamp = { sha256: 'ab'.repeat(32), bytes: 1 };
  const base = `abababababababab-node${process.versions.node}-${process.arch}`;
  assert.equal(compileCacheFile('/c', stamp, ['recipe', '.', '-o', 'x'], '|'), `/c/${base}-recipe.bin`);
  assert.equal(compileCacheFile('/c', stamp, ['--json', 'deps'], '|'), `/c/${base}-deps.bin`);
  assert.equal(compileCacheFile('/c', stamp, [], '|'), `/c/${base}-default.bin`);
  // nothing from the command line reaches the file name unchecked
  assert.equal(compileCacheFile('/c', stamp, ['../../etc/passwd'], '|'), `/c/${base}-default.bin`);
  assert.equal(compileCacheFile('/c', stamp, ['Recipe'], '|'), `/c/${base}-default.bin`);
  // other V8 flags, another file (V8 would reject the code cached without them)
  const withFlags = compileCacheFile('/c', stamp, ['recipe'], '--max-old-space-size=8192|');
  assert.match(withFlags, new RegExp(`^/c/${base}-o[0-9a-f]{8}-recipe\\.bin$`));
  assert.notEqual(withFlags, compileCacheFile('/c', stamp, ['recipe'], '|--max-old-space-size=8192'));
});

test('runs under other Node options keep their own cache file', { skip }, () => {
  withCacheHome((home, dir) => {
    assert.equal(deps(home).status, 0);
    const r = spawnSync(process.execPath, ['--max-old-space-size=900', join(repoRoot, 'dist', 'bin', 'beambake.cjs'), 'deps', lock, '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } });
    assert.equal(r.status, 0, r.stderr);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, files.join(', '));
    assert.ok(files.some((f) => /-o[0-9a-f]{8}-deps\.bin$/.test(f)));
  });
});

test('a bundle that is not the one the bin was built for runs uncached', { skip }, () => {
  withCacheHome((home, dir) => {
    const bundle = join(home, 'bundle.cjs');
    writeFileSync(bundle, "#!/usr/bin/env node\nprocess.stdout.write(String(typeof require('node:path').join) + ':' + __filename);\n");
    const script = `import(${JSON.stringify(join(repoRoot, 'dist', 'src', 'cli', 'compile-cache.js'))}).then((m) => m.runBundle(${JSON.stringify(bundle)}, { sha256: 'cd'.repeat(32), bytes: BYTES }, ['x']))`;
    const run = (bytes: number) => spawnSync(process.execPath, ['-e', script.replace('BYTES', String(bytes))], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } });
    const stale = run(1);
    assert.equal(stale.status, 0, stale.stderr);
    assert.equal(stale.stdout, `function:${bundle}`);
    assert.equal(existsSync(dir), false);
    const matching = run(statSync(bundle).size);
    assert.equal(matching.stdout, `function:${bundle}`);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    // (node -e puts the script into process.execArgv, hence an options part in the name)
    assert.match(files[0]!, new RegExp(`^cdcdcdcdcdcdcdcd-node${process.versions.node}-${process.arch}-o[0-9a-f]{8}-x\\.bin$`));
  });
});

// A CI container started with `--user 12345` has no HOME and no passwd entry: os.homedir() throws.
const asStranger = (() => {
  if (!runningCompiled) return 'the code cache belongs to the bundled bin (dist/bin): run the compiled tests';
  if (process.getuid?.() !== 0) return 'needs root to run as a user without a passwd entry';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'no setpriv (util-linux) on PATH';
  return false;
})();

test('a user with neither HOME nor a passwd entry runs uncached, with the same output', { skip: asStranger }, () => {
  withCacheHome((home) => {
    // the lock is copied where that user can read it; deps needs nothing else
    const dir = join(home, 'project');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(home, 0o755);
    writeFileSync(join(dir, 'mix.lock'), readFileSync(lock));
    const env = { ...process.env, NO_COLOR: '1' } as NodeJS.ProcessEnv;
    delete env.HOME;
    delete env.XDG_CACHE_HOME;
    const args = ['--reuid=54321', '--regid=54321', '--clear-groups', process.execPath, join(repoRoot, 'dist', 'bin', 'beambake.cjs'), 'deps', join(dir, 'mix.lock'), '--json'];
    const r = spawnSync('setpriv', args, { encoding: 'utf8', env, cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const own = runCli(['deps', join(dir, 'mix.lock'), '--json'], { env: { XDG_CACHE_HOME: home } });
    assert.equal(r.stdout, own.stdout);
    // the bare lock's own warnings, nothing about a cache or a home directory
    assert.equal(r.stderr, own.stderr);
  });
});

test('short commands on Node 20 give V8 a larger optimisation budget; long ones and other V8 versions keep its defaults', () => {
  for (const argv of [['recipe', '.'], ['deps'], ['--json', 'kas'], ['--version'], [], ['profiles', 'list']]) {
    assert.equal(v8FlagsFor(argv, '11.3.244.8-node.38'), '--interrupt-budget=1048576', argv.join(' '));
    assert.equal(v8FlagsFor(argv, '12.4.254.21-node.57'), undefined, argv.join(' '));
    assert.equal(v8FlagsFor(argv, '11.8.172.17-node.19'), undefined, argv.join(' '));
  }
  for (const argv of [['sbom', 'merge', 'a.json'], ['verify'], ['vuln'], ['report'], ['vendor']]) assert.equal(v8FlagsFor(argv, '11.3.244.8-node.38'), undefined, argv.join(' '));
  // the flag must be one this V8 knows: V8 prints "unrecognized flag" on stderr for any other
  const flag = v8FlagsFor(['recipe']);
  if (flag !== undefined) {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    assert.match(options, new RegExp(`^\\s+${flag.replace(/=.*/, '')} `, 'm'));
  }
});

test('runs with the larger budget print nothing more and keep using their cached code', { skip }, () => {
  withCacheHome((home, dir) => {
    const inodes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = runCli(['--version'], { env: { XDG_CACHE_HOME: home } });
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      inodes.push(statSync(join(dir, files[0]!)).ino);
    }
    // written by the first run, accepted by the next two: V8 compares the flags code was cached under
    assert.equal(new Set(inodes).size, 1);
  });
});
