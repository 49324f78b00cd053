/**
 * verifyArtifact on real conformance bundles with policies, artifacts and
 * trusted roots changed one thing at a time: each change must fail the
 * check it concerns, and only that artifact.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyArtifact, type ArtifactVerification } from '../../src/sigstore/index.js';
import { BeambakeError } from '../../src/util/errors.js';
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

const messageBundle = join(conformanceDir, 'happy-path-v0.3', 'bundle.sigstore.json');
const dsseBundle = join(conformanceDir, 'happy-path-intoto-in-dsse-v3', 'bundle.sigstore.json');
const rekor2Dsse = join(conformanceDir, 'rekor2-dsse-happy-path');
const managedKeyCase = join(conformanceDir, 'managed-key-happy-path');
const stagingRoot = join(conformanceDir, 'rekor2-happy-path', 'trusted_root.json');

const goodEntry = { pattern: '*.txt', identity: DEFAULT_IDENTITY, issuer: DEFAULT_ISSUER };

function failures(r: ArtifactVerification): Record<string, string> {
  return Object.fromEntries(r.checks.filter((c) => c.result === 'fail').map((c) => [c.check, c.reason ?? '']));
}

/** The default artifact and a bundle copied side by side into a temp dir. */
function staged(bundle: string, bundleName = 'a.txt.sigstore.json'): { dir: string; artifact: string } {
  const dir = tempDir();
  const artifact = join(dir, 'a.txt');
  copyFileSync(defaultArtifact, artifact);
  if (bundleName) copyFileSync(bundle, join(dir, bundleName));
  return { dir, artifact };
}

test('baseline: a message-signature bundle found next to the artifact verifies', async () => {
  const { dir, artifact } = staged(messageBundle);
  const r = await verifyArtifact({ artifactPath: artifact, policyPath: writePolicy(dir, { artifacts: [goodEntry] }) });
  assert.equal(r.result, 'pass', JSON.stringify(failures(r)));
  assert.equal(r.bundle, `${artifact}.sigstore.json`);
  assert.equal(r.sha256, 'a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf');
  assert.equal(r.pattern, '*.txt');
  assert.equal(r.identity, DEFAULT_IDENTITY);
  assert.equal(r.issuer, DEFAULT_ISSUER);
});

test('bundle lookup: FILE.sigstore.json first, then FILE.sigstore, else a failed result', async () => {
  const { dir, artifact } = staged(messageBundle, 'a.txt.sigstore');
  const policyPath = writePolicy(dir, { artifacts: [goodEntry] });
  const viaSigstore = await verifyArtifact({ artifactPath: artifact, policyPath });
  assert.equal(viaSigstore.result, 'pass');
  assert.equal(viaSigstore.bundle, `${artifact}.sigstore`);

  // A broken .sigstore.json must be the one picked, proving the order.
  writeFileSync(`${artifact}.sigstore.json`, '{');
  const preferred = await verifyArtifact({ artifactPath: artifact, policyPath });
  assert.equal(preferred.bundle, `${artifact}.sigstore.json`);
  assert.match(failures(preferred).bundle!, /not valid JSON/);

  const lone = staged(messageBundle, '');
  const none = await verifyArtifact({ artifactPath: lone.artifact, policyPath });
  assert.equal(none.result, 'fail');
  assert.equal(none.bundle, null);
  assert.match(failures(none).bundle!, /no bundle found \(looked for .*a\.txt\.sigstore\.json, .*a\.txt\.sigstore\)/);
});

test('an artifact no pattern matches is a failed result naming the policy file', async () => {
  const { dir, artifact } = staged(messageBundle);
  const policyPath = writePolicy(dir, { artifacts: [{ ...goodEntry, pattern: '*.tar.gz' }] });
  const r = await verifyArtifact({ artifactPath: artifact, policyPath });
  assert.equal(r.result, 'fail');
  assert.deepEqual(r.checks.map((c) => c.check), ['policy-match']);
  assert.match(failures(r)['policy-match']!, new RegExp(`no pattern in ${policyPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} matches .*a\\.txt`));
});

test('patterns match the path as well as the basename, and the first match applies', async () => {
  const { dir } = staged(messageBundle, '');
  mkdirSync(join(dir, 'release'));
  const artifact = join(dir, 'release', 'a.txt');
  copyFileSync(defaultArtifact, artifact);
  copyFileSync(messageBundle, `${artifact}.sigstore.json`);
  const byPath = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, { artifacts: [{ ...goodEntry, pattern: '**/release/*.txt' }] }),
  });
  assert.equal(byPath.result, 'pass', JSON.stringify(failures(byPath)));
  assert.equal(byPath.pattern, '**/release/*.txt');

  const firstWins = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, {
      artifacts: [
        { ...goodEntry, pattern: 'a.*', identity: 'someone@example.com' },
        goodEntry,
      ],
    }),
  });
  assert.equal(firstWins.pattern, 'a.*');
  assert.match(failures(firstWins)['certificate-identity']!, /policy expects "someone@example.com"/);
});

test('wrong identity fails the identity check only; wrong issuer fails the issuer check only', async () => {
  const { dir, artifact } = staged(messageBundle);
  const wrongId = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, { artifacts: [{ ...goodEntry, identity: `${DEFAULT_IDENTITY}x` }] }),
  });
  assert.equal(wrongId.result, 'fail');
  assert.deepEqual(Object.keys(failures(wrongId)), ['certificate-identity']);
  assert.match(failures(wrongId)['certificate-identity']!, /certificate SAN is "https:\/\/github\.com\/sigstore-conformance\//);

  const wrongIssuer = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, { artifacts: [{ ...goodEntry, issuer: 'https://accounts.google.com' }] }),
  });
  assert.equal(wrongIssuer.result, 'fail');
  assert.deepEqual(Object.keys(failures(wrongIssuer)), ['certificate-issuer']);
  assert.match(failures(wrongIssuer)['certificate-issuer']!, /OIDC issuer is "https:\/\/token\.actions\.githubusercontent\.com", policy expects "https:\/\/accounts\.google\.com"/);
});

test('identityRegex is anchored at both ends', async () => {
  const { dir, artifact } = staged(messageBundle);
  const verify = (identityRegex: string) =>
    verifyArtifact({
      artifactPath: artifact,
      policyPath: writePolicy(dir, { artifacts: [{ pattern: '*', identityRegex, issuer: DEFAULT_ISSUER }] }),
    });
  assert.equal((await verify('https://github\\.com/sigstore-conformance/.+@refs/heads/main')).result, 'pass');
  // Each of these matches a substring of the SAN and must not be accepted.
  for (const partial of ['extremely-dangerous', 'https://github\\.com/sigstore-conformance/', '.*@refs/heads/mai']) {
    const r = await verify(partial);
    assert.equal(r.result, 'fail', partial);
    assert.ok(failures(r)['certificate-identity'], partial);
  }
});

test('one changed byte in the artifact fails a message signature and a DSSE subject', async () => {
  const msg = staged(messageBundle);
  const bytes = readFileSync(msg.artifact);
  bytes[10] ^= 0x01;
  writeFileSync(msg.artifact, bytes);
  const policyPath = writePolicy(msg.dir, { artifacts: [goodEntry] });
  const r = await verifyArtifact({ artifactPath: msg.artifact, policyPath });
  assert.equal(r.result, 'fail');
  assert.match(failures(r)['artifact-digest']!, /bundle signs a0cfc712/);
  assert.match(failures(r)['sigstore-signature']!, /SIGNATURE_ERROR/);

  const dsse = staged(dsseBundle);
  writeFileSync(dsse.artifact, bytes);
  const d = await verifyArtifact({ artifactPath: dsse.artifact, policyPath });
  assert.equal(d.result, 'fail');
  // The envelope itself is intact: only our subject comparison can catch this.
  assert.deepEqual(Object.keys(failures(d)), ['subject-digest']);
  assert.match(failures(d)['subject-digest']!, /matches none of the 1 subject/);
});

test('predicateType: matching passes, a different one fails, a message signature cannot satisfy it', async () => {
  const { dir, artifact } = staged(dsseBundle);
  const verify = (predicateType: string, artifactPath = artifact) =>
    verifyArtifact({ artifactPath, policyPath: writePolicy(dir, { artifacts: [{ ...goodEntry, predicateType }] }) });
  const ok = await verify('https://slsa.dev/provenance/v1');
  assert.equal(ok.result, 'pass', JSON.stringify(failures(ok)));
  assert.equal(ok.predicateType, 'https://slsa.dev/provenance/v1');

  const wrong = await verify('https://slsa.dev/provenance/v0.2');
  assert.deepEqual(Object.keys(failures(wrong)), ['predicate-type']);
  assert.match(failures(wrong)['predicate-type']!, /is "https:\/\/slsa\.dev\/provenance\/v1", policy requires "https:\/\/slsa\.dev\/provenance\/v0\.2"/);

  const msg = staged(messageBundle);
  const plain = await verify('https://slsa.dev/provenance/v1', msg.artifact);
  assert.deepEqual(Object.keys(failures(plain)), ['predicate-type']);
  assert.match(failures(plain)['predicate-type']!, /plain message signature/);
});

test('Rekor v2 DSSE support is not a loophole: a changed payload byte fails', async () => {
  const { dir, artifact } = staged(join(rekor2Dsse, 'bundle.sigstore.json'), '');
  const bundle = JSON.parse(readFileSync(join(rekor2Dsse, 'bundle.sigstore.json'), 'utf8'));
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  const at = payload.indexOf('provenance');
  assert.ok(at >= 0);
  payload[at] ^= 0x20; // "provenance" -> "Provenance"
  bundle.dsseEnvelope.payload = payload.toString('base64');
  writeFileSync(`${artifact}.sigstore.json`, JSON.stringify(bundle));
  const r = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, { artifacts: [goodEntry] }),
    trustedRootPath: join(rekor2Dsse, 'trusted_root.json'),
  });
  assert.equal(r.result, 'fail');
  assert.match(failures(r)['sigstore-signature']!, /TLOG_BODY_ERROR: digest mismatch/);
});

test('a bundle from a log the trusted root does not list fails', async () => {
  const { dir, artifact } = staged(messageBundle);
  const r = await verifyArtifact({
    artifactPath: artifact,
    policyPath: writePolicy(dir, { artifacts: [goodEntry] }),
    trustedRootPath: stagingRoot,
  });
  assert.equal(r.result, 'fail');
  assert.match(failures(r)['transparency-log-id']!, /^log wNI9atQGlz\+VWfO6LRygH4QUfY\/8W4RFwiT5i5WRgB0= is not in .*trusted_root\.json$/);
  assert.ok(failures(r)['sigstore-signature']);
});

test('managed keys: the right key passes, another key or a mismatched policy kind fails', async () => {
  const dir = tempDir();
  const bundlePath = join(managedKeyCase, 'bundle.sigstore.json');
  const keyPolicy = (publicKey: string) => writePolicy(dir, { artifacts: [{ pattern: '*', publicKey }] });
  const ok = await verifyArtifact({ artifactPath: defaultArtifact, bundlePath, policyPath: keyPolicy(join(managedKeyCase, 'key.pub')) });
  assert.equal(ok.result, 'pass', JSON.stringify(failures(ok)));
  assert.equal(ok.identity, undefined);
  assert.match(ok.checks.find((c) => c.check === 'key-material')!.reason!, /^managed key TLMsSDfG3ajPsWge\+z\/vX5T\/zluXnmvbkTkwLIV68Tk= from /);

  const other = join(dir, 'other.pub');
  writeFileSync(other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
  const wrongKey = await verifyArtifact({ artifactPath: defaultArtifact, bundlePath, policyPath: keyPolicy(other) });
  assert.equal(wrongKey.result, 'fail');
  assert.match(failures(wrongKey)['sigstore-signature']!, /SIGNATURE_ERROR/);

  const identityForKeyBundle = await verifyArtifact({
    artifactPath: defaultArtifact,
    bundlePath,
    policyPath: writePolicy(dir, { artifacts: [goodEntry] }),
  });
  assert.match(failures(identityForKeyBundle)['key-material']!, /signed with a managed key .* expects a certificate identity/);

  const keyForCertBundle = await verifyArtifact({
    artifactPath: defaultArtifact,
    bundlePath: messageBundle,
    policyPath: keyPolicy(join(managedKeyCase, 'key.pub')),
  });
  assert.match(failures(keyForCertBundle)['key-material']!, /carries a signing certificate but .* expects the managed key/);
});

test('now: a bundle whose timestamps lie after `now` fails', async () => {
  // Pinned only here, to show the check works: happy-path-v0.3 was logged 2024-03-19.
  const { dir, artifact } = staged(messageBundle);
  const policyPath = writePolicy(dir, { artifacts: [goodEntry] });
  const before = await verifyArtifact({ artifactPath: artifact, policyPath, now: new Date('2024-03-01T00:00:00Z') });
  assert.deepEqual(Object.keys(failures(before)), ['timestamps-not-in-future']);
  assert.match(failures(before)['timestamps-not-in-future']!, /^timestamp 2024-03-19T\S+ is after 2024-03-01T00:00:00\.000Z$/);
  const after = await verifyArtifact({ artifactPath: artifact, policyPath, now: new Date('2024-03-20T00:00:00Z') });
  assert.equal(after.result, 'pass');
});

test('a changed signature byte in the bundle fails', async () => {
  const { dir, artifact } = staged(messageBundle);
  const bundle = JSON.parse(readFileSync(messageBundle, 'utf8'));
  const sig = Buffer.from(bundle.messageSignature.signature, 'base64');
  sig[sig.length - 1] ^= 0x01;
  bundle.messageSignature.signature = sig.toString('base64');
  writeFileSync(`${artifact}.sigstore.json`, JSON.stringify(bundle));
  const r = await verifyArtifact({ artifactPath: artifact, policyPath: writePolicy(dir, { artifacts: [goodEntry] }) });
  assert.equal(r.result, 'fail');
  assert.match(failures(r)['sigstore-signature']!, /TLOG_BODY_ERROR: signature mismatch/);
});

test('unreadable inputs throw one-line errors instead of results', async () => {
  const { dir, artifact } = staged(messageBundle);
  const policyPath = writePolicy(dir, { artifacts: [goodEntry] });
  const expectError = async (p: Promise<unknown>, code: string, pattern: RegExp) => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof BeambakeError, String(e));
      assert.equal(e.code, code);
      assert.match(e.format(), pattern);
      assert.ok(!e.format().includes('\n'));
      return true;
    });
  };
  await expectError(verifyArtifact({ artifactPath: join(dir, 'missing.txt'), policyPath }), 'IO', /missing\.txt: cannot read: no such file or directory$/);
  await expectError(
    verifyArtifact({ artifactPath: artifact, bundlePath: join(dir, 'none.sigstore.json'), policyPath }),
    'IO',
    /none\.sigstore\.json: cannot read bundle: no such file or directory$/,
  );
  const badRoot = join(dir, 'root.json');
  writeFileSync(badRoot, '{\n  "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",\n  "tlogs": [\n');
  await expectError(verifyArtifact({ artifactPath: artifact, policyPath, trustedRootPath: badRoot }), 'TRUST_ROOT_INVALID', /root\.json:4:1: not valid JSON/);
  writeFileSync(badRoot, JSON.stringify({ mediaType: 'application/json' }));
  await expectError(
    verifyArtifact({ artifactPath: artifact, policyPath, trustedRootPath: badRoot }),
    'TRUST_ROOT_INVALID',
    /root\.json: mediaType: unsupported trusted root mediaType "application\/json"/,
  );
});

test('no test in this file touched the network', () => {
  assert.deepEqual(network.attempts, []);
});
