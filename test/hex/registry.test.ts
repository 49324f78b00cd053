import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  checkRelease,
  decodeSignedPackage,
  HEXPM_PUBLIC_KEY,
  parsePublicKey,
  RegistryError,
  registryRepositoryName,
} from '../../src/hex/registry.js';
import { corpusDir } from '../helpers/paths.js';
import { encodePackage, newKeyPair, rawSignedResource, signedResource } from '../verify/fixture.js';

const resourcePath = join(corpusDir, 'hex', 'renovate-registry', 'renovate_test_package.bin.gz');
const resource = readFileSync(resourcePath);
const hexpmKey = parsePublicKey(HEXPM_PUBLIC_KEY, 'built-in');

test('the built-in hex.pm key is the published one', () => {
  const published = readFileSync(join(corpusDir, 'hex', 'hexpm-public-key', 'hexpm_public_key.pem'), 'utf8');
  assert.equal(HEXPM_PUBLIC_KEY.trim(), published.trim());
});

test('the real hex.pm resource for renovate_test_package verifies and decodes', () => {
  const pkg = decodeSignedPackage(resource, hexpmKey, resourcePath);
  assert.equal(pkg.name, 'renovate_test_package');
  assert.equal(pkg.repository, 'hexpm');
  // The hex.pm HTTP API lists the same releases.
  const api = JSON.parse(readFileSync(join(corpusDir, 'hex', 'renovate-registry', 'renovate_test_package.json'), 'utf8')) as {
    releases: { version: string }[];
  };
  assert.deepEqual(pkg.releases.map((r) => r.version).sort(), api.releases.map((r) => r.version).sort());
  const r021 = pkg.releases.find((r) => r.version === '0.2.1')!;
  assert.equal(r021.outerChecksum, Buffer.from('gwwsu5S3kMOpzubwFt3DIFrPLSVW1Q7ZPM8pJe8UV18=', 'base64').toString('hex'));
  assert.match(r021.innerChecksum, /^[0-9a-f]{64}$/);
  assert.deepEqual(r021.dependencies, [{ package: 'ex_doc', requirement: '~> 0.34.0', optional: false }]);
  const r012 = pkg.releases.find((r) => r.version === '0.1.2')!;
  assert.deepEqual(r012.retired, { reason: 'RETIRED_SECURITY', message: 'test retirement security' });

  const ok = checkRelease(pkg, {
    name: 'renovate_test_package',
    version: '0.2.1',
    repository: 'hexpm',
    outerChecksums: [r021.outerChecksum!],
    innerChecksums: [r021.innerChecksum],
  });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.warnings, []);
  const retired = checkRelease(pkg, {
    name: 'renovate_test_package',
    version: '0.1.2',
    repository: 'hexpm',
    outerChecksums: [r012.outerChecksum!],
    innerChecksums: [],
  });
  assert.deepEqual(retired.errors, []);
  assert.deepEqual(retired.warnings, ['release 0.1.2 is retired (security): test retirement security']);
  const wrong = checkRelease(pkg, { name: 'other', version: '9.9.9', repository: 'hexpm:acme', outerChecksums: [], innerChecksums: [] });
  assert.deepEqual(wrong.errors, [
    'registry resource is for repository "hexpm", expected "acme"',
    'registry resource is for package "renovate_test_package", expected "other"',
    'registry lists no release 9.9.9 of renovate_test_package',
  ]);
  const badSum = checkRelease(pkg, { name: 'renovate_test_package', version: '0.2.1', repository: 'hexpm', outerChecksums: ['00'.repeat(32)], innerChecksums: [] });
  assert.match(badSum.errors.join(), /outer checksum 0{64} differs from the registry's/);
});

function rejects(data: Uint8Array, check: string, pattern: RegExp, key = hexpmKey): void {
  assert.throws(
    () => decodeSignedPackage(data, key, 'res'),
    (e: unknown) => e instanceof RegistryError && e.check === check && pattern.test(e.message),
  );
}

test('single-byte changes to the real resource fail with the reason named', () => {
  // Compressed bytes: header, deflate stream at several places, CRC/size trailer.
  for (const offset of [1, 3, 10, 50, 200, resource.length / 2, resource.length - 100, resource.length - 8, resource.length - 1].map(Math.floor)) {
    const bad = Buffer.from(resource);
    bad[offset] = bad[offset]! ^ 0x40;
    assert.throws(
      () => decodeSignedPackage(bad, hexpmKey, 'res'),
      (e: unknown) => e instanceof RegistryError && e.check === 'registry-signature' && /not valid gzip|not a Signed message|does not verify|not signed/.test(e.message),
      `offset ${offset}`,
    );
  }
  // Uncompressed bytes, re-gzipped so the gzip layer is intact: payload and signature changes.
  const raw = gunzipSync(resource);
  for (const offset of [5, 40, 120, raw.length - 300, raw.length - 10]) {
    const bad = Buffer.from(raw);
    bad[offset] = bad[offset]! ^ 0x01;
    rejects(gzipSync(bad), 'registry-signature', /does not verify|not a Signed message/);
  }
  const other = newKeyPair();
  rejects(resource, 'registry-signature', /does not verify/, parsePublicKey(other.publicPem, 'other'));
  rejects(Buffer.from('plain text'), 'registry-signature', /not valid gzip/);
});

test('a resource signed by a repository key decodes; an unsigned or wrongly signed one does not', () => {
  const { privateKey, publicPem } = newKeyPair();
  const key = parsePublicKey(publicPem, 'test');
  const payload = encodePackage({
    name: 'acme_pkg',
    repository: 'acme',
    releases: [{ version: '1.0.0', inner: 'ab'.repeat(32), outer: 'cd'.repeat(32), advisoryIndexes: [0] }],
    advisories: [{ id: 'GHSA-xxxx-yyyy-zzzz', summary: 'bad thing', htmlUrl: 'https://osv.dev/x', apiUrl: 'https://api.osv.dev/x', severity: 3 }],
  });
  const pkg = decodeSignedPackage(signedResource(payload, privateKey), key, 'res');
  assert.equal(pkg.repository, 'acme');
  assert.deepEqual(pkg.releases[0]!.advisories.map((a) => [a.id, a.severity]), [['GHSA-xxxx-yyyy-zzzz', 'SEVERITY_HIGH']]);
  const findings = checkRelease(pkg, { name: 'acme_pkg', version: '1.0.0', repository: 'hexpm:acme', outerChecksums: ['cd'.repeat(32)], innerChecksums: ['ab'.repeat(32)] });
  assert.deepEqual(findings.errors, []);
  assert.deepEqual(findings.warnings, ['security advisory GHSA-xxxx-yyyy-zzzz (high): bad thing']);
  rejects(rawSignedResource(payload, new Uint8Array()), 'registry-signature', /not signed/, key);
  rejects(signedResource(payload, newKeyPair().privateKey), 'registry-signature', /does not verify/, key);
  // Signed garbage is trusted bytes that are not a Package: a content error, not a signature one.
  rejects(signedResource(Buffer.from([0xff, 0xff, 0xff]), privateKey), 'registry', /not a Package message/, key);
});

test('repository names: hexpm:ORG resources name the organisation', () => {
  assert.equal(registryRepositoryName('hexpm'), 'hexpm');
  assert.equal(registryRepositoryName('hexpm:acme'), 'acme');
  assert.equal(registryRepositoryName('0ban'), '0ban');
  assert.throws(
    () => parsePublicKey('not a key', 'k.pem'),
    (e: unknown) => e instanceof Error && 'format' in e && /^k\.pem: not a usable PEM public key/.test((e as RegistryError).format()),
  );
});
