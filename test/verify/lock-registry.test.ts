/**
 * `beambake verify --registry DIR` without `--vendor`: the lock's checksums
 * against the real, hex.pm-signed registry resource of renovate_test_package
 * (corpus), whose 0.1.1 and 0.1.2 releases are retired. No tarballs anywhere.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { writeMixProject, type LockEntry } from './fixture.js';

// The checksums a mix.lock records for these releases (hex.pm's published values).
const RELEASES = {
  '0.2.1': { outer: '830c2cbb94b790c3a9cee6f016ddc3205acf2d2556d50ed93ccf2925ef14575f', inner: '1f1b2937ad85365536864b55fee8d15bed83210d44b7f80078824d6e8cb47e7c' },
  '0.1.2': { outer: 'c97f776b26bf9b127dc4120c65cb44ff32551a5650934f5508ec0978f9891e71', inner: '32d15f5659f35d2101021b1425f5ca87db891a4c82dc9329b66f2f0698eae1ee' },
};

let work: string;
let registry: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'beambake-lock-registry-'));
  registry = join(work, 'registry');
  mkdirSync(join(registry, 'packages'), { recursive: true });
  copyFileSync(join(corpusDir, 'hex', 'renovate-registry', 'renovate_test_package.bin.gz'), join(registry, 'packages', 'renovate_test_package'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function lockProject(name: string, entry: Omit<LockEntry, 'name'>): string {
  const dir = join(work, name);
  writeMixProject(dir, [{ name: 'renovate_test_package', ...entry }]);
  return dir;
}

type Doc = { artifacts: { artifact: string; result: string; checks: { check: string; result: string; reason?: string }[] }[]; summary: { pass: number; fail: number; warnings: number } };

test('a locked release the publisher signed passes, with no tarball at hand', () => {
  const dir = lockProject('good', { version: '0.2.1', ...RELEASES['0.2.1'] });
  const r = runCli(['verify', dir, '--registry', registry, '--json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(doc.artifacts[0]!.checks.map((c) => `${c.check}:${c.result}`), ['registry-signature:pass', 'registry:pass', 'retirement:pass', 'advisories:pass']);
  const text = runCli(['verify', dir, '--registry', registry]);
  assert.equal(text.stdout, 'ok    hex:renovate_test_package@0.2.1\n1 package: 1 verified, 0 failed\n');
});

test('a retired release warns, and fails with --strict', () => {
  const dir = lockProject('retired', { version: '0.1.2', ...RELEASES['0.1.2'] });
  const r = runCli(['verify', dir, '--registry', registry, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const retirement = (JSON.parse(r.stdout) as Doc).artifacts[0]!.checks.find((c) => c.check === 'retirement')!;
  assert.equal(retirement.result, 'warn');
  assert.match(retirement.reason!, /release 0\.1\.2 is retired \(security\): test retirement security/);
  const strict = runCli(['verify', dir, '--registry', registry, '--strict']);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /^FAIL {2}hex:renovate_test_package@0\.1\.2\n {6}failed: retirement: release 0\.1\.2 is retired/m);
});

test('a lock checksum the publisher did not sign fails, naming both values', () => {
  const dir = lockProject('tampered', { version: '0.2.1', outer: '00'.repeat(32), inner: RELEASES['0.2.1'].inner });
  const r = runCli(['verify', dir, '--registry', registry]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`outer checksum (00){32} differs from the registry's ${RELEASES['0.2.1'].outer}`));
  const unknown = lockProject('unknown-version', { version: '9.9.9', ...RELEASES['0.2.1'] });
  const u = runCli(['verify', unknown, '--registry', registry]);
  assert.equal(u.status, 1);
  assert.match(u.stdout, /registry lists no release 9\.9\.9 of renovate_test_package/);
});

test('without --vendor and --registry, verify says what it needs (exit 2)', () => {
  const dir = lockProject('none', { version: '0.2.1', ...RELEASES['0.2.1'] });
  const r = runCli(['verify', dir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--vendor DIR, a registry snapshot with --registry DIR/);
});
