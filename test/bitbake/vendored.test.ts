/**
 * `recipe({ vendorDirs })`: what the recipe takes from verified vendored Hex
 * tarballs. Checksums and licence-file digests are computed here with the
 * system `tar` and node:crypto, independently of beambake's tarball reader;
 * the generated BEAM_HEX_DEPS records are fed to the real unpack script so
 * every LIC_FILES_CHKSUM path is checked where the build class puts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recipe, type RecipeOptions } from '../../src/bitbake/index.js';
import { createHexTarball } from '../../src/hex/tarball.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir, repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { bitbakeGrammarProblems, tempDir } from './fixtures.js';

const GPIO = join(corpusDir, 'hex', 'swh-gpio');
const MINI = join(corpusDir, 'hex', 'mini_repo');
const MIT = 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software...\n';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Outer and inner checksum of a tarball file, read with the system tar. */
function checksums(file: string): { outer: string; inner: string } {
  return { outer: sha256(readFileSync(file)), inner: execFileSync('tar', ['-xOf', file, 'CHECKSUM']).toString('latin1').trim().toLowerCase() };
}

/** A file inside a package's contents.tar.gz, read with the system tar. */
function packageFile(file: string, path: string): Buffer {
  const contents = execFileSync('tar', ['-xOf', file, 'contents.tar.gz']);
  return execFileSync('tar', ['-xzOf', '-', path], { input: contents });
}

type Form = 8 | 7 | 6;
interface Entry {
  name: string;
  version: string;
  file: string;
  form: Form;
  tools?: string;
  inner?: string;
}

function mixLockLine(e: Entry): string {
  const c = checksums(e.file);
  const inner = e.inner ?? c.inner;
  const head = `"${e.name}": {:hex, :${e.name}, "${e.version}", "${inner}", [${e.tools ?? ':mix'}], []`;
  return e.form === 8 ? `${head}, "hexpm", "${c.outer}"},` : e.form === 7 ? `${head}, "hexpm"},` : `${head}},`;
}

function mixProject(entries: Entry[], license = MIT): string {
  const dir = tempDir('beambake-vendored-');
  writeFileSync(join(dir, 'mix.exs'), 'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :demo_app, version: "1.0.0", deps: []]\nend\n');
  writeFileSync(join(dir, 'mix.lock'), `%{\n${entries.map((e) => '  ' + mixLockLine(e)).join('\n')}\n}\n`);
  if (license) writeFileSync(join(dir, 'LICENSE'), license);
  return dir;
}

const corpusEntries = (): Entry[] => [
  { name: 'bar', version: '0.1.0', file: join(MINI, 'bar-0.1.0.tar'), form: 7 },
  { name: 'foo', version: '0.1.0', file: join(MINI, 'foo-0.1.0.tar'), form: 6 },
  { name: 'gpio', version: '0.6.0', file: join(GPIO, 'gpio-0.6.0.tar'), form: 8, tools: ':rebar3' },
];

async function run(path: string, over: Partial<RecipeOptions> = {}) {
  const outDir = join(tempDir(), 'meta-demo');
  const result = await recipe({ path, outDir, ...over });
  const dir = join(outDir, 'recipes-beam', 'demo-app');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { result, outDir, bb: read('demo-app_1.0.0.bb'), inc: read('demo-app-beam-deps.inc'), sbom: JSON.parse(read('demo-app.cdx.json')) };
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<BeambakeError> {
  let err: unknown;
  await assert.rejects(p, (e: unknown) => {
    err = e;
    return e instanceof BeambakeError && e.code === code && message.test(e.message);
  });
  return err as BeambakeError;
}

/** BEAM_HEX_DEPS records of a generated .inc, as the class passes them to the unpack script. */
function hexRecords(inc: string): string {
  const m = /^BEAM_HEX_DEPS = "\\\n([\s\S]*?)^"$/m.exec(inc);
  assert.ok(m, 'BEAM_HEX_DEPS in the .inc');
  return m[1]!.replace(/\\\n/g, ' ').trim();
}

/** Put the tarballs where do_fetch would and run the real do_beam_unpack_deps script. */
function unpackLikeBitbake(layout: string, inc: string, project: string, files: Record<string, string>): void {
  const src = tempDir('beambake-unpackdir-');
  mkdirSync(join(src, 'beam-deps', 'hex'), { recursive: true });
  for (const [downloadName, file] of Object.entries(files)) copyFileSync(file, join(src, 'beam-deps', 'hex', downloadName));
  const r = spawnSync(
    'python3',
    [join(repoRoot, 'meta-beam-templates', 'scripts', 'beambake_deps'), 'unpack', '--layout', layout, '--hex', hexRecords(inc), '--git', '', '--src-dir', src, '--project', project],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

/** Every LIC_FILES_CHKSUM entry exists under S with its md5 (what BitBake's license QA checks). */
function assertLicFilesMatch(bb: string, s: string): string[] {
  const entries = [...bb.matchAll(/file:\/\/([^;\s"]+);md5=([0-9a-f]{32})/g)].map((m) => [m[1]!, m[2]!] as const);
  for (const [path, sum] of entries) {
    assert.ok(existsSync(join(s, path)), `${path} exists under S`);
    assert.equal(md5(readFileSync(join(s, path))), sum, path);
  }
  return entries.map(([p]) => p);
}

test('mix: corpus tarballs fill LICENSE, LIC_FILES_CHKSUM, BEAM_DEP_* and the outer checksums old entries lack', async (t) => {
  const project = mixProject(corpusEntries());
  await rejects(recipe({ path: project, outDir: join(tempDir(), 'meta-x') }), 'UNPINNED', /^2 Hex package\(s\) have no outer checksum.*bar 0\.1\.0, foo 0\.1\.0.*--vendor/);

  const { result, outDir, bb, inc, sbom } = await run(project, { vendorDirs: [MINI, GPIO] });
  const bar = checksums(join(MINI, 'bar-0.1.0.tar'));
  const foo = checksums(join(MINI, 'foo-0.1.0.tar'));
  const gpio = checksums(join(GPIO, 'gpio-0.6.0.tar'));
  const gpioLicenseMd5 = md5(packageFile(join(GPIO, 'gpio-0.6.0.tar'), 'LICENSE'));

  // the 6- and 7-tuple entries are now pinned to the verified files; the 8-tuple keeps the lock's
  assert.match(inc, new RegExp(`^# bar 0\\.1\\.0: the lock has no outer checksum; this is the SHA-256 of the vendored tarball beambake verified\\.\\nSRC_URI\\[hex-bar\\.sha256sum\\] = "${bar.outer}"$`, 'm'));
  assert.match(inc, new RegExp(`^SRC_URI\\[hex-foo\\.sha256sum\\] = "${foo.outer}"$`, 'm'));
  assert.match(inc, new RegExp(`^SRC_URI\\[hex-gpio\\.sha256sum\\] = "${gpio.outer}"$`, 'm'));
  assert.doesNotMatch(inc, /# gpio 0\.6\.0: the lock has no outer/);
  assert.doesNotMatch(inc, /UNPINNED/);
  assert.match(inc, new RegExp(`app=foo,name=foo,version=0\\.1\\.0,repo=hexpm,outer=${foo.outer},inner=${foo.inner},file=hex-foo-0\\.1\\.0\\.tar`));
  assert.deepEqual(result.recipe.summary.vendor, { verified: ['bar', 'foo', 'gpio'], outerComputed: ['bar', 'foo'] });
  assert.match(inc, /^# beambake-summary: .*"vendor":\{"verified":\["bar","foo","gpio"\],"outerComputed":\["bar","foo"\]\}/m);

  // the application's MIT, then each dependency's licence once ("Apache 2.0" in gpio's metadata is Apache-2.0)
  assert.match(bb, /^LICENSE = "MIT & Apache-2\.0"$/m);
  assert.match(bb, new RegExp(`^    file://deps/gpio/LICENSE;md5=${gpioLicenseMd5} \\\\$`, 'm'));
  assert.match(bb, /^    file:\/\/LICENSE;md5=[0-9a-f]{32} \\$/m);
  assert.match(inc, /^BEAM_DEP_LICENSE\[gpio\] = "Apache-2\.0"$/m);
  assert.match(inc, /^BEAM_DEP_LICENSE\[foo\] = "MIT"$/m);
  assert.match(inc, /^BEAM_DEP_SUMMARY\[gpio\] = "Erlang GPIO interface"$/m);
  assert.match(inc, /^BEAM_DEP_HOMEPAGE\[gpio\] = "https:\/\/github\.com\/kopera\/erlang-gpio"$/m);
  assert.doesNotMatch(inc, /BEAM_DEP_HOMEPAGE\[foo\]/, 'foo links nowhere');
  assert.deepEqual(
    result.warnings.filter((w) => /licen[cs]e/i.test(w)),
    [],
    'every licence of these packages is identified',
  );

  // the layer SBOM carries the verified facts: SHA-512 of the file, licences, the computed SHA-256
  const comp = (name: string) => sbom.components.find((c: { name: string }) => c.name === name);
  const hashes = (name: string) => Object.fromEntries(comp(name).hashes.map((h: { alg: string; content: string }) => [h.alg, h.content]));
  assert.equal(hashes('gpio')['SHA-512'], createHash('sha512').update(readFileSync(join(GPIO, 'gpio-0.6.0.tar'))).digest('hex'));
  assert.equal(hashes('foo')['SHA-256'], foo.outer);
  assert.match(JSON.stringify(comp('gpio').licenses), /"Apache-2\.0"/);
  assert.equal(sbom.specVersion, '1.6');

  if (needTools(t, 'python3', 'tar')) {
    assert.equal(bitbakeGrammarProblems([join(outDir, 'recipes-beam/demo-app/demo-app_1.0.0.bb'), join(outDir, 'recipes-beam/demo-app/demo-app-beam-deps.inc')]), '');
    // do_beam_unpack_deps accepts the computed checksums, and the license QA would find every file
    unpackLikeBitbake('mix', inc, project, {
      'hex-bar-0.1.0.tar': join(MINI, 'bar-0.1.0.tar'),
      'hex-foo-0.1.0.tar': join(MINI, 'foo-0.1.0.tar'),
      'hex-gpio-0.6.0.tar': join(GPIO, 'gpio-0.6.0.tar'),
    });
    assert.deepEqual(assertLicFilesMatch(bb, project), ['LICENSE', 'deps/gpio/LICENSE']);
  }
});

test('a failing check aborts naming the package, and nothing is written (an existing layer stays as it was)', async (t) => {
  if (!needTools(t, 'tar')) return;
  const project = mixProject(corpusEntries());
  const outDir = join(tempDir(), 'meta-demo');
  await recipe({ path: project, outDir, vendorDirs: [MINI, GPIO] });
  const before = readdirSync(join(outDir, 'recipes-beam', 'demo-app')).map((f) => readFileSync(join(outDir, 'recipes-beam', 'demo-app', f), 'utf8'));

  // one byte changed in the pinned gpio tarball: outer checksum mismatch
  const tampered = tempDir('beambake-tampered-');
  const data = readFileSync(join(GPIO, 'gpio-0.6.0.tar'));
  data[data.length - 2000] = data[data.length - 2000]! ^ 1;
  writeFileSync(join(tampered, 'gpio-0.6.0.tar'), data);
  const e = await rejects(recipe({ path: project, outDir, vendorDirs: [tampered, MINI] }), 'VERIFY_FAILED', /^hex:gpio@0\.6\.0 failed verification, nothing was written: outer-checksum: outer checksum mismatch/);
  assert.equal(e.location.entry, 'gpio');
  assert.equal(e.location.file, join(tampered, 'gpio-0.6.0.tar'));
  const after = readdirSync(join(outDir, 'recipes-beam', 'demo-app')).map((f) => readFileSync(join(outDir, 'recipes-beam', 'demo-app', f), 'utf8'));
  assert.deepEqual(after, before);

  // no outer checksum to catch it: the lock's inner checksum does (foo's entry, inner of another release)
  const innerWrong = mixProject([{ name: 'foo', version: '0.1.0', file: join(MINI, 'foo-0.1.0.tar'), form: 6, inner: checksums(join(MINI, 'foo-0.1.1.tar')).inner }]);
  const out2 = join(tempDir(), 'meta-none');
  await rejects(recipe({ path: innerWrong, outDir: out2, vendorDirs: [MINI] }), 'VERIFY_FAILED', /^hex:foo@0\.1\.0 failed verification.*inner-checksum: inner checksum mismatch/);
  assert.equal(existsSync(out2), false);

  // a tarball of another release under the locked name, with the lock naming its inner checksum: metadata check
  const renamed = tempDir('beambake-renamed-');
  copyFileSync(join(MINI, 'foo-0.1.1.tar'), join(renamed, 'foo-0.1.0.tar'));
  const swapped = mixProject([{ name: 'foo', version: '0.1.0', file: join(MINI, 'foo-0.1.1.tar'), form: 7 }]);
  await rejects(recipe({ path: swapped, outDir: out2, vendorDirs: [renamed] }), 'VERIFY_FAILED', /^hex:foo@0\.1\.0 failed verification.*metadata: metadata\.config is foo 0\.1\.1, lock wants foo 0\.1\.0/);
  assert.equal(existsSync(out2), false);
});

test('a package missing from the vendor directories is reported; without an outer checksum it stays unpinned', async () => {
  const project = mixProject(corpusEntries());
  const { result, inc } = await run(project, { vendorDirs: [GPIO], allowUnpinned: true });
  assert.ok(result.warnings.some((w) => /^hex:foo@0\.1\.0: no vendored tarball in .*swh-gpio; its licence and files are not in the recipe$/.test(w)), result.warnings.join('\n'));
  assert.match(inc, /^BEAMBAKE_UNPINNED = "bar foo"$/m);
  assert.deepEqual(result.recipe.summary.vendor, { verified: ['gpio'], outerComputed: [] });
  await rejects(recipe({ path: project, outDir: join(tempDir(), 'meta-x'), vendorDirs: [GPIO] }), 'UNPINNED', /bar 0\.1\.0, foo 0\.1\.0/);
  const typo = join(tempDir(), 'no-such-dir');
  await rejects(recipe({ path: project, outDir: join(tempDir(), 'meta-x'), vendorDirs: [GPIO, typo] }), 'INVALID_ARGUMENT', new RegExp(`^--vendor ${typo}: no such directory$`));
});

/** A generated package with an unknown licence, licence files in several places and hostile metadata text. */
function oddPackage() {
  return createHexTarball({
    name: 'odd_pkg',
    version: '2.0.0',
    app: 'odd_pkg',
    description: 'Odd ${@os.system("touch /tmp/pwned")} "quoted"\nsecond line; with `ticks`',
    licenses: ['Apache 2.0', 'Acme Proprietary Licence'],
    links: { Evil: 'https://evil.example.com/a;b"c', Homepage: 'https://odd.example.com/' },
    build_tools: ['mix'],
    files: {
      'LICENSE.md': 'Acme Proprietary Licence\n',
      'NOTICE': 'odd_pkg notice\n',
      'c_src/vendored/COPYING': 'vendored C library licence\n',
      'lib/licenses.ex': 'defmodule Licenses do end\n',
      'lib/odd.ex': 'defmodule Odd do end\n',
    },
  });
}

test('generated packages: unknown licences become LicenseRef with their text, hostile metadata never reaches the recipe', async (t) => {
  const odd = oddPackage();
  const vendor = tempDir('beambake-vendor-');
  writeFileSync(join(vendor, 'odd_pkg-2.0.0.tar'), odd.tarball);
  const project = mixProject([]);
  writeFileSync(join(project, 'mix.lock'), `%{\n  "odd_pkg": {:hex, :odd_pkg, "2.0.0", "${odd.innerChecksum}", [:mix], [], "hexpm"},\n}\n`);
  const { result, outDir, bb, inc } = await run(project, { vendorDirs: [vendor] });

  const ref = 'LicenseRef-hex-Acme-Proprietary-Licence';
  assert.match(bb, new RegExp(`^LICENSE = "MIT & Apache-2\\.0 & ${ref}"$`, 'm'));
  assert.ok(result.warnings.includes(`odd_pkg (odd_pkg 2.0.0): licence "Acme Proprietary Licence" is not an SPDX identifier; recorded as ${ref}`), result.warnings.join('\n'));
  for (const f of ['LICENSE.md', 'NOTICE', 'c_src/vendored/COPYING']) {
    assert.match(bb, new RegExp(`file://deps/odd_pkg/${f.replace(/\./g, '\\.')};md5=${md5(Buffer.from(f === 'LICENSE.md' ? 'Acme Proprietary Licence\n' : f === 'NOTICE' ? 'odd_pkg notice\n' : 'vendored C library licence\n'))}`));
  }
  assert.doesNotMatch(bb, /licenses\.ex/, 'source files named like licences are not licence texts');
  // BitBake takes the text of a licence it does not know from the package's own file
  assert.match(inc, new RegExp(`^NO_GENERIC_LICENSE\\[${ref}\\] = "deps/odd_pkg/LICENSE\\.md"$`, 'm'));
  assert.match(inc, /^BEAM_DEP_SUMMARY\[odd_pkg\] = "Odd @os\.system\(touch \/tmp\/pwned\) quoted second line with ticks"$/m);
  assert.match(inc, /^BEAM_DEP_HOMEPAGE\[odd_pkg\] = "https:\/\/odd\.example\.com"$/m);
  const assignments = (bb + inc).split('\n').filter((l) => !l.startsWith('#')).join('\n');
  assert.doesNotMatch(assignments, /\$\{@|evil\.example|`|"quoted"/);
  assert.match(inc, new RegExp(`^SRC_URI\\[hex-odd_pkg\\.sha256sum\\] = "${odd.outerChecksum}"$`, 'm'));
  if (needTools(t, 'python3')) {
    assert.equal(bitbakeGrammarProblems([join(outDir, 'recipes-beam/demo-app/demo-app_1.0.0.bb'), join(outDir, 'recipes-beam/demo-app/demo-app-beam-deps.inc')]), '');
    const tarball = join(vendor, 'odd_pkg-2.0.0.tar');
    unpackLikeBitbake('mix', inc, project, { 'hex-odd_pkg-2.0.0.tar': tarball });
    assert.deepEqual(assertLicFilesMatch(bb, project), ['LICENSE', 'deps/odd_pkg/LICENSE.md', 'deps/odd_pkg/NOTICE', 'deps/odd_pkg/c_src/vendored/COPYING']);
  }
});

test('gleam: licence files are where the gleam layout unpacks packages (build/packages/<hex name>)', async (t) => {
  const pkg = createHexTarball({
    name: 'gleam_thing',
    version: '1.1.0',
    app: 'gleam_thing',
    licenses: ['Apache-2.0'],
    build_tools: ['gleam'],
    links: {},
    files: { LICENCE: 'Apache licence text\n', 'src/gleam_thing.gleam': 'pub fn main() { 1 }\n', 'gleam.toml': 'name = "gleam_thing"\nversion = "1.1.0"\n' },
  });
  const vendor = tempDir('beambake-vendor-');
  writeFileSync(join(vendor, 'gleam_thing-1.1.0.tar'), pkg.tarball);
  const dir = tempDir('beambake-gleam-');
  writeFileSync(join(dir, 'gleam.toml'), 'name = "demo_app"\nversion = "1.0.0"\n\n[dependencies]\ngleam_thing = ">= 1.0.0 and < 2.0.0"\n');
  writeFileSync(
    join(dir, 'manifest.toml'),
    `packages = [\n  { name = "gleam_thing", version = "1.1.0", build_tools = ["gleam"], requirements = [], otp_app = "gleam_thing", source = "hex", outer_checksum = "${pkg.outerChecksum.toUpperCase()}" },\n]\n\n[requirements]\ngleam_thing = { version = ">= 1.0.0 and < 2.0.0" }\n`,
  );
  writeFileSync(join(dir, 'LICENSE'), MIT);
  const { bb, inc } = await run(dir, { vendorDirs: [vendor], yocto: 'wrynose' });
  assert.match(bb, /^LICENSE = "MIT & Apache-2\.0"$/m);
  assert.match(bb, new RegExp(`file://build/packages/gleam_thing/LICENCE;md5=${md5(Buffer.from('Apache licence text\n'))}`));
  if (needTools(t, 'python3')) {
    unpackLikeBitbake('gleam', inc, dir, { 'hex-gleam_thing-1.1.0.tar': join(vendor, 'gleam_thing-1.1.0.tar') });
    assert.deepEqual(assertLicFilesMatch(bb, dir), ['LICENSE', 'build/packages/gleam_thing/LICENCE']);
  }
});

test('rebar3: an old rebar.lock without pkg_hash_ext is pinned from the corpus tarball; licences without file entries', async () => {
  const dir = tempDir('beambake-rebar-');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'rebar.config'), '{deps, [gpio]}.\n');
  writeFileSync(join(dir, 'src', 'demo_app.app.src'), '{application, demo_app, [{vsn, "1.0.0"}, {applications, [kernel, stdlib, gpio]}]}.\n');
  const gpio = checksums(join(GPIO, 'gpio-0.6.1.tar'));
  writeFileSync(
    join(dir, 'rebar.lock'),
    `{"1.1.0",\n[{<<"gpio">>,{pkg,<<"gpio">>,<<"0.6.1">>},0}]}.\n[\n{pkg_hash,[\n {<<"gpio">>, <<"${gpio.inner.toUpperCase()}">>}]}\n].\n`,
  );
  writeFileSync(join(dir, 'LICENSE'), MIT);
  const { result, bb, inc } = await run(dir, { vendorDirs: [GPIO] });
  assert.match(inc, new RegExp(`^SRC_URI\\[hex-gpio\\.sha256sum\\] = "${gpio.outer}"$`, 'm'));
  assert.deepEqual(result.recipe.summary.vendor, { verified: ['gpio'], outerComputed: ['gpio'] });
  assert.match(bb, /^LICENSE = "MIT & Apache-2\.0"$/m);
  const licFiles = [...bb.matchAll(/file:\/\/([^;\s"]+);md5=/g)].map((m) => m[1]);
  assert.deepEqual(licFiles, ['LICENSE'], 'no dependency licence file: rebar3 unpacks the tarballs only in do_compile');
  assert.match(inc, /^# rebar3 unpacks Hex tarballs itself in do_compile, after do_populate_lic: their licence$/m);
});

test('an application without a licence file: LICENSE is CLOSED for it and covers the dependencies it ships, with their licence files', async () => {
  const project = mixProject(corpusEntries(), '');
  const { result, bb, inc } = await run(project, { vendorDirs: [MINI, GPIO] });
  const license = /^LICENSE = "([^"]*)"$/m.exec(bb)![1]!;
  assert.match(license, /^CLOSED & /);
  assert.ok(license.includes('Apache-2.0'), license);
  assert.match(inc, /^BEAM_DEP_LICENSE\[gpio\] = "Apache-2\.0"$/m);
  const licFiles = [...bb.matchAll(/file:\/\/([^;\s"]+);md5=/g)].map((m) => m[1]!);
  assert.ok(licFiles.length > 0 && licFiles.every((f) => f.startsWith('deps/')), licFiles.join(' '));
  assert.ok(result.warnings.some((w) => /LICENSE is "CLOSED" for it, with the licences of the dependencies it ships/.test(w)));
});
