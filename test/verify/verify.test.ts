import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readProject } from '../../src/lockfiles/index.js';
import { verifyPackages, type PackageVerification } from '../../src/verify/index.js';
import { createHexTarball } from '../../src/hex/tarball.js';
import { corpusDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { encodePackage, newKeyPair, signedResource, writeMixProject, type LockEntry } from './fixture.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gpioPath = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
const fooPath = join(corpusDir, 'hex', 'mini_repo', 'foo-0.1.0.tar');
const gpioOuter = (JSON.parse(readFileSync(join(corpusDir, 'hex', 'swh-gpio', 'api_packages_gpio_releases_0.6.0.json'), 'utf8')) as { checksum: string }).checksum;
const gpioInner = readFileSync(gpioPath).subarray(1024 + 512, 1024 + 512 + 64).toString().toLowerCase();
const fooInner = readFileSync(fooPath).subarray(1024 + 512, 1024 + 512 + 64).toString().toLowerCase();

let work: string;
let vendor: string;
let registry: string;
let keyFile: string;
let entries: LockEntry[];
let signKey: ReturnType<typeof newKeyPair>;

const made = createHexTarball({ name: 'beam_thing', version: '1.2.3', build_tools: ['rebar3'], licenses: ['MIT'], files: { 'src/beam_thing.erl': '-module(beam_thing).\n', LICENSE: 'MIT\n' } });
const secret = createHexTarball({ name: 'secret', version: '1.0.0', files: { 'lib/secret.ex': 'defmodule Secret do end\n' } });

function project(name: string, list: LockEntry[], extraLockLines = ''): string {
  const dir = join(work, name);
  writeMixProject(dir, list);
  if (extraLockLines) {
    const lock = readFileSync(join(dir, 'mix.lock'), 'utf8').replace(/\n}\n$/, `\n${extraLockLines}\n}\n`);
    writeFileSync(join(dir, 'mix.lock'), lock);
  }
  return dir;
}

function writeRegistry(dir: string, name: string, repo: string, releases: Parameters<typeof encodePackage>[0]['releases'], extra: Partial<Parameters<typeof encodePackage>[0]> = {}, key = signKey.privateKey): void {
  const rel = repo === 'hexpm' ? join(dir, 'packages') : join(dir, 'repos', repo, 'packages');
  mkdirSync(rel, { recursive: true });
  writeFileSync(join(rel, name), signedResource(encodePackage({ name, repository: repo, releases, ...extra }), key));
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'beambake-verify-'));
  vendor = join(work, 'vendor');
  registry = join(work, 'registry');
  mkdirSync(join(vendor, 'hexpm', 'packages'), { recursive: true });
  // Each name form verify must find: DL_DIR/mirror, Hex cache, rebar3/Gleam cache layout.
  copyFileSync(gpioPath, join(vendor, 'hex-gpio-0.6.0.tar'));
  copyFileSync(fooPath, join(vendor, 'foo-0.1.0.tar'));
  writeFileSync(join(vendor, 'hexpm', 'packages', 'beam_thing-1.2.3.tar'), made.tarball);
  writeFileSync(join(vendor, 'hex-hexpm_acme-secret-1.0.0.tar'), secret.tarball);
  entries = [
    { name: 'gpio', version: '0.6.0', outer: gpioOuter, inner: gpioInner, buildTools: ['rebar3'] },
    { name: 'foo', version: '0.1.0', outer: sha256(readFileSync(fooPath)), inner: fooInner },
    { name: 'beam_thing', version: '1.2.3', outer: made.outerChecksum, inner: made.innerChecksum, buildTools: ['rebar3'] },
    { name: 'secret', version: '1.0.0', repository: 'hexpm:acme', outer: secret.outerChecksum, inner: secret.innerChecksum },
  ];
  signKey = newKeyPair();
  keyFile = join(work, 'repo-key.pem');
  writeFileSync(keyFile, signKey.publicPem);
  writeRegistry(registry, 'gpio', 'hexpm', [{ version: '0.6.0', inner: gpioInner, outer: gpioOuter }]);
  writeRegistry(registry, 'foo', 'hexpm', [{ version: '0.1.0', inner: fooInner, outer: entries[1]!.outer! }]);
  writeRegistry(registry, 'beam_thing', 'hexpm', [
    { version: '1.2.2', inner: '00'.repeat(32) },
    { version: '1.2.3', inner: made.innerChecksum, outer: made.outerChecksum, retired: { reason: 2, message: 'CVE-2099-0001' }, advisoryIndexes: [0] },
  ], { advisories: [{ id: 'GHSA-aaaa-bbbb-cccc', summary: 'remote code execution', htmlUrl: 'https://osv.dev/GHSA-aaaa-bbbb-cccc', apiUrl: 'https://api.osv.dev/v1/vulns/GHSA-aaaa-bbbb-cccc', severity: 4 }] });
  writeRegistry(registry, 'secret', 'acme', [{ version: '1.0.0', inner: secret.innerChecksum, outer: secret.outerChecksum }]);
});

after(() => rmSync(work, { recursive: true, force: true }));

const byArtifact = (records: PackageVerification[]) => Object.fromEntries(records.map((r) => [r.artifact, r]));
const checkOf = (r: PackageVerification, name: string) => r.checks.find((c) => c.check === name);

test('every vendored tarball verifies: real corpus packages and generated ones, under DL_DIR and cache names', async () => {
  const dir = project('ok', entries, '  "gitdep": {:git, "https://github.com/example/gitdep.git", "0123456789abcdef0123456789abcdef01234567", []},');
  const result = await verifyPackages(await readProject(dir), { vendorDirs: [vendor] });
  const r = byArtifact(result.records);
  assert.deepEqual(Object.keys(r).sort(), ['git:gitdep@0123456789abcdef0123456789abcdef01234567', 'hex:beam_thing@1.2.3', 'hex:foo@0.1.0', 'hex:gpio@0.6.0', 'hex:hexpm:acme/secret@1.0.0']);
  for (const [name, rec] of Object.entries(r)) {
    if (name.startsWith('git:')) assert.equal(rec.result, 'skip');
    else assert.equal(rec.result, 'pass', JSON.stringify(rec));
  }
  assert.equal(r['hex:gpio@0.6.0']!.file, join(vendor, 'hex-gpio-0.6.0.tar'));
  assert.equal(r['hex:beam_thing@1.2.3']!.file, join(vendor, 'hexpm', 'packages', 'beam_thing-1.2.3.tar'));
  assert.deepEqual(
    r['hex:gpio@0.6.0']!.checks.map((c) => [c.check, c.result]),
    [
      ['present', 'pass'],
      ['outer-checksum', 'pass'],
      ['structure', 'pass'],
      ['inner-checksum', 'pass'],
      ['metadata', 'pass'],
      ['contents', 'pass'],
    ],
  );
  assert.deepEqual(result.summary, { pass: 4, fail: 0, skip: 1, warnings: 0 });
  assert.deepEqual(result.verified.map((v) => v.pkg.name).sort(), ['beam_thing', 'foo', 'gpio', 'secret']);
  assert.deepEqual(result.verified.find((v) => v.pkg.name === 'gpio')!.tarball.metadata.licenses, ['Apache 2.0']);
});

test('single-byte changes to real tarballs fail the outer checksum, and the structural check when the lock has no outer checksum', async () => {
  for (const [src, entry] of [
    [gpioPath, entries[0]!],
    [fooPath, entries[1]!],
  ] as const) {
    const original = readFileSync(src);
    for (const offset of [0, 150, 512, 1536 + 7, 2560 + 40, 3584 + 100, original.length - 600]) {
      const dir = mkdtempSync(join(work, 'flip-'));
      const bad = Buffer.from(original);
      bad[offset] = bad[offset]! ^ 0x20;
      writeFileSync(join(dir, `${entry.name}-${entry.version}.tar`), bad);
      const pinned = await verifyPackages(await readProject(project(`p-${offset}-${entry.name}`, [entry])), { vendorDirs: [dir] });
      const rec = pinned.records[0]!;
      assert.equal(rec.result, 'fail');
      assert.match(checkOf(rec, 'outer-checksum')!.reason!, /outer checksum mismatch: lock says [0-9a-f]{64}, file hashes to [0-9a-f]{64}/);
      assert.equal(checkOf(rec, 'structure'), undefined, 'nothing after an outer mismatch runs');

      // An old lock (inner checksum only) still catches the change, naming the check that failed.
      const legacy = await verifyPackages(await readProject(project(`l-${offset}-${entry.name}`, [{ ...entry, outer: null }])), { vendorDirs: [dir] });
      const lrec = legacy.records[0]!;
      assert.equal(lrec.result, 'fail', `offset ${offset}`);
      assert.equal(checkOf(lrec, 'outer-checksum')!.result, 'skip');
      const failed = lrec.checks.find((c) => c.result === 'fail')!;
      assert.ok(['structure', 'inner-checksum', 'contents'].includes(failed.check), `${offset}: ${failed.check}`);
      assert.ok(failed.reason && failed.reason.length > 10);
    }
  }
});

test('inner checksum against the lock, metadata name/version, and a missing tarball are reported', async () => {
  const dir = mkdtempSync(join(work, 'mismatch-'));
  // A genuine tarball of another package placed under beam_thing's name, with the lock trusting its bytes.
  const other = createHexTarball({ name: 'impostor', version: '1.2.3', files: { a: 'a' } });
  writeFileSync(join(dir, 'beam_thing-1.2.3.tar'), other.tarball);
  writeFileSync(join(dir, 'gpio-0.6.0.tar'), readFileSync(gpioPath));
  const res = await verifyPackages(
    await readProject(
      project('mismatch', [
        { name: 'beam_thing', version: '1.2.3', outer: other.outerChecksum, inner: other.innerChecksum },
        { name: 'gpio', version: '0.6.0', outer: gpioOuter, inner: 'ab'.repeat(32) },
        { name: 'absent', version: '9.9.9', outer: 'cd'.repeat(32), inner: 'ef'.repeat(32) },
      ]),
    ),
    { vendorDirs: [dir] },
  );
  const r = byArtifact(res.records);
  assert.match(checkOf(r['hex:beam_thing@1.2.3']!, 'metadata')!.reason!, /metadata\.config is impostor 1\.2\.3, lock wants beam_thing 1\.2\.3/);
  assert.match(checkOf(r['hex:gpio@0.6.0']!, 'inner-checksum')!.reason!, /inner checksum mismatch: lock says (ab){32}, CHECKSUM is bf0babf2/);
  assert.match(checkOf(r['hex:absent@9.9.9']!, 'present')!.reason!, /no tarball for absent 9\.9\.9/);
  assert.deepEqual(res.summary, { pass: 0, fail: 3, skip: 0, warnings: 0 });
  assert.equal(res.verified.length, 0);
});

test('registry snapshot: signatures, repository of hexpm:ORG, retired releases and advisories (warn, or fail with strict)', async () => {
  const dir = project('reg', entries);
  const opts = { vendorDirs: [vendor], registry: [registry], repoKeys: [`hexpm=${keyFile}`] };
  const res = await verifyPackages(await readProject(dir), opts);
  const r = byArtifact(res.records);
  assert.deepEqual(res.summary, { pass: 4, fail: 0, skip: 0, warnings: 2 });
  assert.equal(checkOf(r['hex:hexpm:acme/secret@1.0.0']!, 'registry')!.reason, 'acme/secret 1.0.0');
  assert.equal(checkOf(r['hex:beam_thing@1.2.3']!, 'retirement')!.result, 'warn');
  assert.match(checkOf(r['hex:beam_thing@1.2.3']!, 'retirement')!.reason!, /retired \(security\): CVE-2099-0001/);
  assert.match(checkOf(r['hex:beam_thing@1.2.3']!, 'advisories')!.reason!, /GHSA-aaaa-bbbb-cccc \(critical\): remote code execution/);

  const strict = await verifyPackages(await readProject(dir), { ...opts, strict: true });
  assert.equal(byArtifact(strict.records)['hex:beam_thing@1.2.3']!.result, 'fail');

  // Without our key the resources do not verify against the built-in hex.pm key.
  const noKey = await verifyPackages(await readProject(dir), { vendorDirs: [vendor], registry: [registry] });
  assert.match(checkOf(byArtifact(noKey.records)['hex:gpio@0.6.0']!, 'registry-signature')!.reason!, /does not verify against the repository key/);

  // A resource for the wrong repository, a wrong checksum, a missing resource, a flipped byte.
  const bad = join(work, 'bad-registry');
  writeRegistry(bad, 'secret', 'acme', [{ version: '1.0.0', inner: secret.innerChecksum, outer: secret.outerChecksum }]);
  writeRegistry(bad, 'gpio', 'hexpm', [{ version: '0.6.0', inner: gpioInner, outer: '11'.repeat(32) }]);
  writeRegistry(bad, 'beam_thing', 'hexpm', [{ version: '1.2.3', inner: made.innerChecksum, outer: made.outerChecksum }], { repository: 'other_repo' });
  mkdirSync(join(bad, 'packages'), { recursive: true });
  // hexpm:acme must come from repos/acme/; a copy under packages/ names repository "acme", not "hexpm".
  copyFileSync(join(bad, 'repos', 'acme', 'packages', 'secret'), join(bad, 'packages', 'secret'));
  rmSync(join(bad, 'repos'), { recursive: true });
  const res2 = byArtifact((await verifyPackages(await readProject(dir), { ...opts, registry: [bad] })).records);
  assert.match(checkOf(res2['hex:gpio@0.6.0']!, 'registry')!.reason!, /outer checksum [0-9a-f]{64} differs from the registry's (11){32}/);
  assert.match(checkOf(res2['hex:beam_thing@1.2.3']!, 'registry')!.reason!, /repository "other_repo", expected "hexpm"/);
  assert.match(checkOf(res2['hex:foo@0.1.0']!, 'registry')!.reason!, /no registry resource packages\/foo/);
  assert.equal(checkOf(res2['hex:hexpm:acme/secret@1.0.0']!, 'registry')!.result, 'pass', 'fallback to packages/NAME is allowed; the content decides');

  const flipped = join(work, 'flipped-registry');
  mkdirSync(join(flipped, 'packages'), { recursive: true });
  const gz = readFileSync(join(registry, 'packages', 'gpio'));
  gz[Math.floor(gz.length / 2)] ^= 0x08;
  writeFileSync(join(flipped, 'packages', 'gpio'), gz);
  const res3 = byArtifact((await verifyPackages(await readProject(dir), { ...opts, registry: [flipped] })).records);
  assert.equal(checkOf(res3['hex:gpio@0.6.0']!, 'registry-signature')!.result, 'fail');
});

test('beambake verify: human report, --json records, exit codes', () => {
  const dir = project('cli', entries);
  const ok = runCli(['verify', dir, '--vendor', vendor]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^ok {4}hex:gpio@0\.6\.0$/m);
  assert.match(ok.stdout, /^4 packages: 4 verified, 0 failed$/m);

  const json = runCli(['verify', dir, '--vendor', vendor, '--registry', registry, '--repo-key', `hexpm=${keyFile}`, '--json']);
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { artifacts: { artifact: string; result: string; checks: { check: string; result: string; reason?: string }[] }[]; summary: { warnings: number } };
  assert.equal(doc.artifacts.length, 4);
  for (const a of doc.artifacts) {
    assert.deepEqual(Object.keys(a).filter((k) => ['artifact', 'checks', 'result'].includes(k)).sort(), ['artifact', 'checks', 'result']);
    for (const c of a.checks) assert.ok(['pass', 'fail', 'warn', 'skip'].includes(c.result));
  }
  assert.equal(doc.summary.warnings, 2);

  const strict = runCli(['verify', dir, '--vendor', vendor, '--registry', registry, '--repo-key', `hexpm=${keyFile}`, '--strict']);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /^FAIL {2}hex:beam_thing@1\.2\.3\n {6}failed: retirement: release 1\.2\.3 is retired/m);

  const tampered = mkdtempSync(join(work, 'cli-tampered-'));
  for (const f of ['hex-gpio-0.6.0.tar', 'foo-0.1.0.tar', 'hex-hexpm_acme-secret-1.0.0.tar']) copyFileSync(join(vendor, f), join(tampered, f));
  writeFileSync(join(tampered, 'beam_thing-1.2.3.tar'), made.tarball);
  appendFileSync(join(tampered, 'beam_thing-1.2.3.tar'), Buffer.alloc(512));
  const bad = runCli(['verify', dir, '--vendor', tampered, '--json']);
  assert.equal(bad.status, 1);
  const badDoc = JSON.parse(bad.stdout) as { artifacts: { artifact: string; result: string; checks: { check: string; reason?: string }[] }[] };
  const bt = badDoc.artifacts.find((a) => a.artifact === 'hex:beam_thing@1.2.3')!;
  assert.equal(bt.result, 'fail');
  assert.match(bt.checks.at(-1)!.reason!, /outer checksum mismatch/);

  const noVendor = runCli(['verify', dir]);
  assert.equal(noVendor.status, 2);
  assert.match(noVendor.stderr, /--vendor DIR/);
  const badKey = runCli(['verify', dir, '--vendor', vendor, '--registry', registry, '--repo-key', 'nokey']);
  assert.equal(badKey.status, 2);
  assert.match(badKey.stderr, /--repo-key expects NAME=PEMFILE/);
  assert.doesNotMatch(badKey.stderr, /\n\s+at /);
});
