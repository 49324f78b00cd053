/**
 * The sigstore-js test bundles: npm publish attestations (DSSE, in-toto
 * Statement v0.1) signed by brian@dehamer.com through GitHub OAuth in July
 * 2023 and logged in the production Rekor, so they verify against the
 * bundled public-good root offline.
 *
 * What cannot be verified offline: their one subject is the npm tarball
 * `pkg:npm/sigstore@1.0.0`, identified only by its sha512. That tarball is
 * not in the corpus (fetching it needs the network), so no artifact can
 * match the subject and the overall result is, correctly, `fail`. The test
 * asserts every other check passes and the subject check fails for exactly
 * that reason, instead of pretending a pass.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyArtifact } from '../../src/sigstore/index.js';
import { forbidNetwork, sigstoreJsDir, tempDir, writePolicy } from './helpers.js';

const network = forbidNetwork();

const SIGNER = 'brian@dehamer.com';
const ISSUER = 'https://github.com/login/oauth';
const NPM_PUBLISH_PREDICATE = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const statementPath = join(sigstoreJsDir, 'statement.json');
const statement = JSON.parse(readFileSync(statementPath, 'utf8')) as { subject: { name: string; digest: { sha512: string } }[] };

const bundles = readdirSync(sigstoreJsDir)
  .filter((f) => f.endsWith('.sigstore'))
  .sort();

test('the corpus holds the seven sigstore-js bundles', () => {
  assert.equal(bundles.length, 7, bundles.join(', '));
});

for (const name of bundles) {
  test(`sigstore-js ${name}: loads, signature and signer verify offline; subject not available`, async () => {
    const bundlePath = join(sigstoreJsDir, name);
    const bundleJson = JSON.parse(readFileSync(bundlePath, 'utf8')) as { dsseEnvelope: { payload: string } };
    // The envelope carries the published statement.json, byte for byte modulo formatting.
    assert.deepEqual(JSON.parse(Buffer.from(bundleJson.dsseEnvelope.payload, 'base64').toString('utf8')), statement);

    const policyPath = writePolicy(tempDir(), {
      artifacts: [{ pattern: '*', identity: SIGNER, issuer: ISSUER, predicateType: NPM_PUBLISH_PREDICATE }],
    });
    // Any local file stands in for the absent tarball; statement.json is the closest thing we have.
    const r = await verifyArtifact({ artifactPath: statementPath, bundlePath, policyPath });
    const byCheck = Object.fromEntries(r.checks.map((c) => [c.check, c]));
    for (const check of ['bundle', 'transparency-log-id', 'sigstore-signature', 'timestamps-not-in-future', 'certificate-identity', 'certificate-issuer', 'payload-type', 'predicate-type']) {
      assert.equal(byCheck[check]?.result, 'pass', `${check}: ${byCheck[check]?.reason}`);
    }
    assert.equal(r.identity, SIGNER);
    assert.equal(r.issuer, ISSUER);
    assert.equal(r.predicateType, NPM_PUBLISH_PREDICATE);
    assert.equal(byCheck['subject-digest']?.result, 'fail');
    assert.match(byCheck['subject-digest']!.reason!, /matches none of the 1 subject/);
    assert.equal(r.result, 'fail');
    assert.equal(statement.subject[0]!.name, 'pkg:npm/sigstore@1.0.0');
    assert.equal(statement.subject[0]!.digest.sha512.length, 128);
  });
}

test('sigstore-js bundles are bound to their signer: another identity fails', async () => {
  const policyPath = writePolicy(tempDir(), { artifacts: [{ pattern: '*', identity: 'someone@example.com', issuer: ISSUER }] });
  const r = await verifyArtifact({ artifactPath: statementPath, bundlePath: join(sigstoreJsDir, bundles[0]!), policyPath });
  assert.equal(r.checks.find((c) => c.check === 'certificate-identity')?.result, 'fail');
  assert.deepEqual(network.attempts, []);
});
