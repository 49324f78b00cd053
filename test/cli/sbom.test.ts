import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { corpusDir, fixturesDir, repoRoot, runningCompiled } from '../helpers/paths.js';
import { gpioProject } from '../sbom/check/demo-project.js';

const env = { SOURCE_DATE_EPOCH: '1700000000' };

test('sbom writes each format; the same input twice gives the same bytes', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'beambake-sbom-cli-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  for (const f of ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json']) {
    const a = runCli(['sbom', join(corpusDir, 'mix/phoenix'), '--format', f, '-o', join(out, `a.${f}`)], { env });
    assert.equal(a.status, 0, a.stderr);
    const b = runCli(['sbom', join(corpusDir, 'mix/phoenix'), '--format', f, '-o', join(out, `b.${f}`)], { env });
    assert.equal(b.status, 0, b.stderr);
    assert.equal(readFileSync(join(out, `a.${f}`), 'utf8'), readFileSync(join(out, `b.${f}`), 'utf8'), f);
  }
  assert.match(readFileSync(join(out, 'a.cyclonedx-json'), 'utf8'), /"timestamp": "2023-11-14T22:13:20Z"/);
});

test('sbom check: schema-valid output of a vendored project passes for the package, fails (exit 1) overall with the gaps listed', (t) => {
  const p = gpioProject();
  t.after(p.cleanup);
  const file = join(p.dir, 'demo.cdx.json');
  const w = runCli(['sbom', p.dir, '--vendor', p.vendor, '--author-email', 'sbom@acme.example', '--erts-version', '14.2.5', '-o', file], { env });
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stderr, /elixir_make, which is not in the lock/);
  const c = runCli(['sbom', 'check', file, '--json']);
  assert.equal(c.status, 1, c.stderr);
  const report = JSON.parse(c.stdout);
  assert.equal(report.schema.valid, true);
  assert.deepEqual(report.findings.filter((f: { component?: string }) => f.component?.startsWith('gpio@')), []);
  const text = runCli(['sbom', 'check', file]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /schema bom-1\.6\.SNAPSHOT\.schema\.json: valid/);
  assert.match(text.stdout, /^Component version \(required\): missing for \d+\n(  .*\n)*  kernel \[otp:kernel\]: no version$/m);
});

test('sbom check --profile ntia on a real CycloneDX file prints JSON and exits 1 for its gaps', () => {
  const r = runCli(['sbom', 'check', join(corpusDir, 'cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'), '--profile', 'ntia', '--json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.profile, 'ntia');
  assert.ok(report.summary.some((s: { field: string }) => s.field === 'Timestamp'));
});

test('bad input: one line, the file named, non-zero exit, nothing written', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'beambake-sbom-cli-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const r = runCli(['sbom', join(corpusDir, 'mix/mix_sbom-fixture-broken'), '-o', join(out, 'x.json')]);
  assert.notEqual(r.status, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(existsSync(join(out, 'x.json')), false);
  const c = runCli(['sbom', 'check', join(corpusDir, 'mix/phoenix/mix.lock')]);
  assert.equal(c.status, 3);
  assert.match(c.stderr, /mix\.lock/);
});

test('sbom check on the wrong kind of file: one line with line:column, V8\'s quote of the input left out', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sbom-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // the lockfile's first line break used to end up inside the message
  const lock = runCli(['sbom', 'check', join(corpusDir, 'mix/phoenix/mix.lock')]);
  assert.equal(lock.stderr, `error: ${join(corpusDir, 'mix/phoenix/mix.lock')}:1:1: not JSON or XML: Unexpected token "%"\n`);
  const binary = join(dir, 'garbage.json');
  writeFileSync(binary, Buffer.from([0x7b, 0x0a, 0x00, 0xff, 0xfe, 0x0a, 0x0a]));
  const bin = runCli(['sbom', 'check', binary]);
  assert.equal(bin.status, 3);
  assert.equal(bin.stderr, `error: ${binary}:2:1: not JSON or XML: Expected property name or '}'\n`);
  const cut = join(dir, 'cut.cdx.json');
  writeFileSync(cut, readFileSync(join(corpusDir, 'cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json')).subarray(0, 2000));
  const trunc = runCli(['sbom', 'check', cut]);
  assert.equal(trunc.status, 3);
  assert.match(trunc.stderr, /^error: .*cut\.cdx\.json:\d+:\d+: not JSON or XML: Unterminated string\n$/);
});

test('sbom check: null and wrongly typed entries are schema failures (exit 1), not internal errors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sbom-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cdx = JSON.parse(readFileSync(join(corpusDir, 'cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json'), 'utf8'));
  cdx.components.push(null, 5);
  cdx.metadata.tools = [null];
  const spdx = JSON.parse(readFileSync(join(corpusDir, 'spdx/vulnscout/valid_v2_2.spdx.json'), 'utf8'));
  spdx.packages.push(null);
  spdx.packages[0].supplier = true;
  spdx.relationships.push(null);
  const spdx3 = JSON.parse(readFileSync(join(corpusDir, 'spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json'), 'utf8'));
  spdx3['@graph'].push(null);
  for (const [name, doc] of [['a.cdx.json', cdx], ['b.spdx.json', spdx], ['c.spdx3.json', spdx3], ['d.spdx3.json', { ...spdx3, '@graph': 5 }]] as const) {
    writeFileSync(join(dir, name), JSON.stringify(doc));
    const r = runCli(['sbom', 'check', join(dir, name)]);
    assert.equal(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /FAIL/, name);
    assert.doesNotMatch(r.stderr, /internal error/, name);
  }
});

test('sbom --vendor that is a file, and merge --vex that cannot be written: one line, no output left behind', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sbom-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), 'x');
  const vendor = runCli(['sbom', join(corpusDir, 'mix/phoenix'), '--vendor', join(dir, 'file'), '-o', join(dir, 'out.json')]);
  assert.equal(vendor.status, 4, vendor.stderr);
  assert.match(vendor.stderr, /^error: .*file: vendor directory: not a directory\n$/);
  const merge = ['sbom', 'merge', join(fixturesDir, 'sbom-merge', 'vex-openembedded.spdx3.json'), '--product', 'gw', '--product-version', '1', '--manufacturer', 'ACME', '-o', join(dir, 'device.json')];
  for (const vex of ['/proc/beambake.vex.json', dir]) {
    const r = runCli([...merge, '--vex', vex], { env });
    assert.equal(r.status, 4, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
  assert.deepEqual(readdirSync(dir), ['file']);
  const ok = runCli([...merge, '--vex', join(dir, 'device.vex.json')], { env });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['device.json', 'device.vex.json', 'file']);
});

/**
 * The modules a CLI run loads: for tsc's output (or the sources) the URLs an ESM resolve hook
 * registered before the CLI starts sees; for the bundled bin, a CommonJS file that require()s the
 * packages it uses, the files in require.cache as the process exits.
 */
function modulesLoadedBy(args: string[], dir: string, status = 0, bundled = false): string[] {
  const log = join(dir, `${args.join('-').replace(/[^a-z-]/g, '')}${bundled ? '-bundled' : ''}.log`);
  let argv: string[];
  if (bundled) {
    const preload = join(dir, 'record-require-cache.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`);
    argv = ['--require', preload, join(repoRoot, 'dist', 'bin', 'beambake.cjs'), ...args];
  } else {
    const hooks = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const hook = ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
    argv = runningCompiled ? [...hook, join(repoRoot, 'dist', 'src', 'cli', 'main.js'), ...args] : ['--import', 'tsx', ...hook, join(repoRoot, 'src', 'cli', 'main.ts'), ...args];
  }
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, status, r.stderr);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const HEAVY = /\/src\/sbom\/|\/node_modules\/(ajv|ajv-formats|xmllint-wasm|@cyclonedx\/cyclonedx-library|fast-xml-parser|stream-json|fzstd|spdx-expression-parse|packageurl-js)\//;

test('start-up: `sbom --help` and `deps` load no SBOM, ajv or xmllint module; `sbom check` does', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sbom-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const args of [['sbom', '--help'], ['sbom', 'merge', '--help'], ['deps', join(corpusDir, 'mix/phoenix')]]) {
    // module by module (tsc's output, or the sources): which of beambake's own modules load
    const loaded = modulesLoadedBy(args, dir);
    assert.ok(loaded.some((u) => /\/cli\/commands\/sbom\.[jt]s$/.test(u)), 'the hook sees the CLI modules');
    assert.deepEqual(loaded.filter((u) => HEAVY.test(u)), [], args.join(' '));
    // the bundled bin evaluates those modules only when a command imports them: the npm packages they need stay unloaded too
    if (runningCompiled) assert.deepEqual(modulesLoadedBy(args, dir, 0, true).filter((u) => HEAVY.test(u)), [], `bundled: ${args.join(' ')}`);
  }
  // the same hook does see them when a handler needs them
  const check = modulesLoadedBy(['sbom', 'check', join(corpusDir, 'cyclonedx/mix_sbom-self/bom.cdx.json'), '--profile', 'ntia', '--json'], dir, 1);
  assert.ok(check.some((u) => /\/node_modules\/ajv\//.test(u)) && check.some((u) => /\/src\/sbom\/check\//.test(u)));
  if (runningCompiled) {
    const bundledCheck = modulesLoadedBy(['sbom', 'check', join(corpusDir, 'cyclonedx/mix_sbom-self/bom.cdx.json'), '--json'], dir, 1, true);
    assert.ok(bundledCheck.some((u) => /\/node_modules\/ajv\//.test(u)));
  }
});
