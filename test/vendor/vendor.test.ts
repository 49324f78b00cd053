import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { vendorProject, MANIFEST, SUMS, type Manifest } from '../../src/vendor/index.js';
import { createHexTarball } from '../../src/hex/tarball.js';
import { hexDownloadFilename } from '../../src/bitbake/names.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { writeMixProject, type LockEntry } from '../verify/fixture.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gpioPath = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
const gpio = readFileSync(gpioPath);
const gpioInner = gpio.subarray(1536, 1600).toString().toLowerCase();
const secret = createHexTarball({ name: 'secret', version: '1.0.0', files: { 'lib/secret.ex': 'defmodule Secret do end\n' } });
const other = createHexTarball({ name: 'other', version: '2.0.0', files: { 'src/other.erl': '-module(other).\n' } });

let work: string;
let tampered: string;
let cache: string;
let entries: LockEntry[];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'beambake-vendor-'));
  tampered = join(work, 'dl');
  cache = join(work, 'cache');
  mkdirSync(tampered, { recursive: true });
  mkdirSync(join(cache, 'hexpm:acme'), { recursive: true });
  const bad = Buffer.from(gpio);
  bad[4000] ^= 1;
  writeFileSync(join(tampered, 'hex-gpio-0.6.0.tar'), bad);
  copyFileSync(gpioPath, join(cache, 'gpio-0.6.0.tar'));
  writeFileSync(join(cache, 'hexpm:acme', 'secret-1.0.0.tar'), secret.tarball);
  entries = [
    { name: 'gpio', version: '0.6.0', outer: sha256(gpio), inner: gpioInner, buildTools: ['rebar3'] },
    { name: 'secret', version: '1.0.0', repository: 'hexpm:acme', outer: secret.outerChecksum, inner: secret.innerChecksum },
  ];
  writeMixProject(join(work, 'app'), entries);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('only verified files reach the mirror, named by hexDownloadFilename, with a sorted manifest and SHA256SUMS', async (t) => {
  const out = join(work, 'mirror1');
  const r = await vendorProject(join(work, 'app'), { from: [tampered, cache], out });
  assert.equal(r.written, true);
  assert.deepEqual(r.rejected.map((x) => x.file), [join(tampered, 'hex-gpio-0.6.0.tar')]);
  assert.match(r.rejected[0]!.checks.at(-1)!.reason!, /outer checksum mismatch/);
  assert.deepEqual(readdirSync(out).sort(), [SUMS, MANIFEST, 'hex-gpio-0.6.0.tar', 'hex-hexpm_acme-secret-1.0.0.tar']);
  assert.ok(readFileSync(join(out, 'hex-gpio-0.6.0.tar')).equals(gpio), 'the good copy, not the tampered one');
  assert.equal(hexDownloadFilename({ name: 'secret', version: '1.0.0', repository: 'hexpm:acme' }), 'hex-hexpm_acme-secret-1.0.0.tar');
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')) as Manifest;
  assert.deepEqual(manifest.files, [
    { file: 'hex-gpio-0.6.0.tar', sha256: sha256(gpio), size: gpio.length, name: 'gpio', version: '0.6.0', repository: 'hexpm', innerChecksum: gpioInner },
    {
      file: 'hex-hexpm_acme-secret-1.0.0.tar',
      sha256: secret.outerChecksum,
      size: secret.tarball.length,
      name: 'secret',
      version: '1.0.0',
      repository: 'hexpm:acme',
      innerChecksum: secret.innerChecksum,
    },
  ]);
  // Deterministic: a second run over the same inputs gives the same bytes.
  const out2 = join(work, 'mirror1b');
  await vendorProject(join(work, 'app'), { from: [cache, tampered], out: out2 });
  assert.equal(readFileSync(join(out2, MANIFEST), 'utf8'), readFileSync(join(out, MANIFEST), 'utf8'));
  if (needTools(t, 'sha256sum')) {
    const check = spawnSync('sha256sum', ['-c', SUMS], { cwd: out, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  }
});

test('a package that does not verify leaves the mirror untouched, unless --partial', async () => {
  const out = join(work, 'mirror2');
  await vendorProject(join(work, 'app'), { from: [cache], out });
  const before = readFileSync(join(out, MANIFEST), 'utf8');
  writeMixProject(join(work, 'app2'), [...entries, { name: 'other', version: '2.0.0', outer: other.outerChecksum, inner: other.innerChecksum }]);
  const r = await vendorProject(join(work, 'app2'), { from: [cache], out });
  assert.equal(r.written, false);
  assert.match(r.records.find((x) => x.artifact === 'hex:other@2.0.0')!.checks[0]!.reason!, /no tarball for other 2\.0\.0/);
  assert.equal(readFileSync(join(out, MANIFEST), 'utf8'), before);

  const partial = await vendorProject(join(work, 'app2'), { from: [cache], out, partial: true });
  assert.equal(partial.written, true);
  assert.equal(partial.added.length, 2);
});

test('updating a mirror keeps earlier packages, and refuses a changed file or a foreign directory', async () => {
  const out = join(work, 'mirror3');
  await vendorProject(join(work, 'app'), { from: [cache], out });
  const extra = join(work, 'extra');
  mkdirSync(extra, { recursive: true });
  writeFileSync(join(extra, 'other-2.0.0.tar'), other.tarball);
  writeMixProject(join(work, 'app3'), [{ name: 'other', version: '2.0.0', outer: other.outerChecksum, inner: other.innerChecksum }]);
  const r = await vendorProject(join(work, 'app3'), { from: [extra], out });
  assert.deepEqual(r.kept.map((k) => k.file), ['hex-gpio-0.6.0.tar', 'hex-hexpm_acme-secret-1.0.0.tar']);
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')) as Manifest;
  assert.deepEqual(manifest.files.map((f) => f.file), ['hex-gpio-0.6.0.tar', 'hex-hexpm_acme-secret-1.0.0.tar', 'hex-other-2.0.0.tar']);

  writeFileSync(join(out, 'hex-gpio-0.6.0.tar'), Buffer.concat([gpio, Buffer.alloc(1)]));
  await assert.rejects(vendorProject(join(work, 'app3'), { from: [extra], out }), (e: unknown) => e instanceof BeambakeError && e.code === 'CHECKSUM_MISMATCH');

  const foreign = join(work, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'precious.txt'), 'keep me');
  await assert.rejects(vendorProject(join(work, 'app3'), { from: [extra], out: foreign }), (e: unknown) => e instanceof BeambakeError && e.code === 'MIRROR_INVALID');
  assert.ok(existsSync(join(foreign, 'precious.txt')));

  // A damaged manifest is refused with its line:column, and a manifest of the wrong shape is not a TypeError.
  const damaged = join(work, 'damaged');
  mkdirSync(damaged);
  writeFileSync(join(damaged, MANIFEST), '{\n  "format": "beambake-mirror/1",\n  "files": [');
  await assert.rejects(
    vendorProject(join(work, 'app3'), { from: [extra], out: damaged }),
    (e: unknown) => e instanceof BeambakeError && e.code === 'MIRROR_INVALID' && e.location.line === 3 && e.location.column === 13,
  );
  for (const wrong of ['null', '{"format": "beambake-mirror/1", "files": [7]}', '{"format": "beambake-mirror/1", "files": [{"file": 3, "sha256": "x"}]}']) {
    writeFileSync(join(damaged, MANIFEST), wrong);
    await assert.rejects(vendorProject(join(work, 'app3'), { from: [extra], out: damaged }), (e: unknown) => e instanceof BeambakeError && e.code === 'MIRROR_INVALID', wrong);
  }
  assert.ok(existsSync(join(damaged, MANIFEST)));
});
