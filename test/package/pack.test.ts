/**
 * The package people install: `npm pack` of this checkout, installed into an
 * empty directory, must run `npx beambake recipe` and write a layer, and the
 * tarball must carry what runs and nothing else (no tests, sources, benches).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'beambake-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' };

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: npmEnv, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

test('npm pack: only what runs, installable into an empty directory, npx beambake recipe writes the layer', () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the feet of tests running beside this one;
  // the test run has just built it (the next test checks that `prepare` builds it too)
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repoRoot);
  assert.equal(packed.status, 0, packed.stderr);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  const files = info[0].files.map((f) => f.path).sort();
  for (const must of ['LICENSE', 'README.md', 'package.json', 'dist/bin/beambake.cjs', 'hardware-profiles/raspberrypi4-64.json', 'meta-beam-templates/classes/beambake-deps.bbclass', 'src/profiles/profile.schema.json', 'src/hex/proto/package.proto', 'src/sbom/schemas/spdx-2.3-schema.json']) {
    assert.ok(files.includes(must), `${must} missing from the package`);
  }
  const stray = files.filter((f) => !/^(LICENSE|README\.md|package\.json)$/.test(f) && !/^(dist\/bin|meta-beam-templates|hardware-profiles|src\/sbom\/schemas|src\/hex\/proto)\//.test(f) && f !== 'src/profiles/profile.schema.json');
  assert.deepEqual(stray, [], 'files outside what runs');
  assert.deepEqual(files.filter((f) => /\.ts$|__pycache__|\.pyc$|^test\/|^bench\//.test(f)), []);
  assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);

  const app = join(work, 'app');
  cpSync(join(repoRoot, 'examples', 'hello_beam'), join(app, 'hello_beam'), { recursive: true });
  const installed = run('npm', ['install', '--no-save', '--prefer-offline', join(work, info[0].filename)], app);
  assert.equal(installed.status, 0, installed.stderr);

  const r = run('npx', ['--no-install', 'beambake', 'recipe', 'hello_beam', '-o', 'meta-hello'], app);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wrote .*meta-hello\/recipes-beam\/hello-beam\/hello-beam_0\.1\.0\.bb/);
  for (const f of ['conf/layer.conf', 'classes/beambake-mix.bbclass', 'recipes-beam/hello-beam/hello-beam-beam-deps.inc', 'recipes-beam/hello-beam/hello-beam.cdx.json', 'scripts/beambake-build-mix']) {
    assert.ok(existsSync(join(app, 'meta-hello', f)), `${f} not written by the installed package`);
  }
  // the board profiles, schemas and .proto files are found from the installed location too
  assert.equal(run('npx', ['--no-install', 'beambake', 'profiles', 'show', 'raspberrypi4-64', '--json'], app).status, 0);
  const sbom = run('npx', ['--no-install', 'beambake', 'sbom', 'check', join('meta-hello', 'recipes-beam', 'hello-beam', 'hello-beam.cdx.json'), '--json'], app);
  assert.equal((JSON.parse(sbom.stdout) as { schema: { valid: boolean } }).schema.valid, true, sbom.stderr);
});

test('prepare: a git checkout installed with npm builds dist/bin (what the bin and `files` name)', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string>; files: string[] };
  assert.equal(manifest.scripts.prepare, 'tsc -p tsconfig.build.json && node scripts/bundle.mjs');
  assert.equal(manifest.bin.beambake, 'dist/bin/beambake.cjs');
  assert.ok(manifest.files.includes('dist/bin/'));
  // the same compilation into a scratch directory, so the dist/ other tests run from stays untouched
  const out = join(work, 'prepare-out');
  const r = run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', out], repoRoot);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(out, 'src', 'cli', 'main.js')));
  assert.equal(existsSync(join(out, 'test')), false, 'prepare builds only what runs');
  const bundled = run(process.execPath, [join(repoRoot, 'scripts', 'bundle.mjs'), out], repoRoot);
  assert.equal(bundled.status, 0, bundled.stdout + bundled.stderr);
  assert.deepEqual(readdirSync(join(out, 'bin')).sort(), ['beambake.cjs', 'cli.cjs']);
  const bin = readFileSync(join(out, 'bin', 'beambake.cjs'), 'utf8');
  assert.match(bin, /^#!\/usr\/bin\/env node\n/);
  assert.equal(statSync(join(out, 'bin', 'beambake.cjs')).mode & 0o111, 0o111);
  // the bin names the bundle it was built with (its code cache is keyed by that hash)
  const cli = readFileSync(join(out, 'bin', 'cli.cjs'));
  assert.ok(bin.includes(createHash('sha256').update(cli).digest('hex')), 'the bundle hash is in the bin');
  // JSON the code imports (the Sigstore public-good root) is inside the bundle, not a file beside it
  assert.match(cli.toString('utf8'), /"?mediaType"?: "application\/vnd\.dev\.sigstore\.trustedroot/);
});
