/**
 * The sigstore-conformance bundle-verify cases, run through verifyArtifact
 * exactly as the suite prescribes (conformance/README.md): `_fail` cases must
 * fail, all others must pass, with the network forbidden. No case pins `now`:
 * none needs it (the "integrated time in future" case fails because the entry
 * time lies outside the certificate's validity, not because of the clock).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyArtifact } from '../../src/sigstore/index.js';
import {
  conformanceDir,
  defaultArtifact,
  DEFAULT_IDENTITY,
  DEFAULT_ISSUER,
  forbidNetwork,
  tempDir,
  writePolicy,
} from './helpers.js';

const network = forbidNetwork();

/**
 * Which of our checks must report each failure: a `_fail` case that failed
 * for an unrelated reason (say, a typo in our policy) would otherwise pass.
 */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  'bundle-malformed-json_fail': /^bundle: not valid JSON at 1:\d+/,
  'bundle-unknown-version_fail': /^bundle: unsupported bundle mediaType "application\/vnd\.dev\.sigstore\.bundle\+json;version=99\.9"/,
  'dsse-mismatch-envelope_fail': /^sigstore-signature: TLOG_BODY_ERROR/,
  'integrated-time-in-future_fail': /^sigstore-signature: CERTIFICATE_ERROR/,
  'signature-mismatch_fail': /^sigstore-signature: TLOG_BODY_ERROR: signature mismatch/,
  'wrong-hashedrekord-artifact_fail': /^sigstore-signature: TLOG_BODY_ERROR: signature mismatch/,
  'wrong-material_fail': /^artifact-digest: artifact sha256 is 1fa705/,
};

const cases = readdirSync(conformanceDir)
  .filter((name) => statSync(join(conformanceDir, name)).isDirectory())
  .sort();

test('the conformance corpus has the cases this suite expects', () => {
  assert.ok(cases.length >= 17, `only ${cases.length} cases found in ${conformanceDir}`);
  for (const name of Object.keys(EXPECTED_FAILURES)) assert.ok(cases.includes(name), `case ${name} missing`);
  assert.deepEqual(
    cases.filter((c) => c.endsWith('_fail')),
    Object.keys(EXPECTED_FAILURES).sort(),
  );
});

for (const name of cases) {
  const dir = join(conformanceDir, name);
  const expectFail = name.endsWith('_fail');
  test(`conformance ${name} ${expectFail ? 'fails' : 'passes'}`, async () => {
    const tmp = tempDir();
    const opt = (file: string) => (existsSync(join(dir, file)) ? join(dir, file) : undefined);
    const keyPath = opt('key.pub');
    const entry = keyPath
      ? { pattern: '*', publicKey: keyPath }
      : {
          pattern: '*',
          identity: opt('identity') ? readFileSync(opt('identity')!, 'utf8').trim() : DEFAULT_IDENTITY,
          issuer: opt('issuer') ? readFileSync(opt('issuer')!, 'utf8').trim() : DEFAULT_ISSUER,
        };
    const policyPath = writePolicy(tmp, { artifacts: [entry] });
    const trustedRootPath = opt('trusted_root.json');
    const r = await verifyArtifact({
      artifactPath: opt('artifact') ?? defaultArtifact,
      bundlePath: join(dir, 'bundle.sigstore.json'),
      policyPath,
      ...(trustedRootPath ? { trustedRootPath } : {}),
    });
    const failed = r.checks.filter((c) => c.result === 'fail').map((c) => `${c.check}: ${c.reason ?? ''}`);
    if (expectFail) {
      assert.equal(r.result, 'fail', `expected failure, got ${JSON.stringify(r.checks, null, 1)}`);
      const want = EXPECTED_FAILURES[name]!;
      assert.ok(failed.some((f) => want.test(f)), `no failure matching ${want}: ${failed.join(' | ')}`);
    } else {
      assert.equal(r.result, 'pass', `expected pass, failed: ${failed.join(' | ')}`);
      assert.deepEqual(failed, []);
      const names = r.checks.map((c) => c.check);
      assert.ok(names.includes('sigstore-signature'));
      if (keyPath) {
        assert.ok(!names.includes('certificate-identity'), 'managed-key bundle has no certificate identity');
      } else {
        assert.equal(r.identity, entry.identity);
        assert.equal(r.issuer, entry.issuer);
      }
      const bundleJson = JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')) as Record<string, unknown>;
      if ('dsseEnvelope' in bundleJson) {
        assert.ok(names.includes('subject-digest') && names.includes('payload-type'), 'DSSE statement checked');
      } else {
        assert.ok(names.includes('artifact-digest'), 'message digest compared with the artifact');
      }
    }
    assert.deepEqual(network.attempts, [], 'verification must not touch the network');
  });
}
