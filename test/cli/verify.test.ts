import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/paths.js';

const conformance = join(corpusDir, 'sigstore', 'conformance');
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

test('verify --help shows the options and examples', () => {
  const r = runCli(['verify', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const opt of ['--vendor', '--registry', '--repo-key', '--strict', '--json', '--artifact', '--bundle', '--policy', '--trusted-root']) {
    assert.ok(r.stdout.includes(opt), opt);
  }
  assert.match(r.stdout, /Examples:/);
});

test('verify --artifact runs the Sigstore verifier: a conformance pass case exits 0, a _fail case exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-cli-verify-'));
  try {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ artifacts: [{ pattern: '*', identity: IDENTITY, issuer: ISSUER }] }));
    const artifact = join(conformance, 'a.txt');
    const good = runCli(['verify', '--artifact', artifact, '--bundle', join(conformance, 'happy-path-v0.3', 'bundle.sigstore.json'), '--policy', policy, '--json']);
    assert.equal(good.status, 0, good.stderr + good.stdout);
    const doc = JSON.parse(good.stdout) as { artifacts: { artifact: string; result: string; checks: { check: string; result: string }[] }[] };
    assert.equal(doc.artifacts.length, 1);
    assert.equal(doc.artifacts[0]!.result, 'pass');
    assert.ok(doc.artifacts[0]!.checks.some((c) => c.check === 'sigstore-signature' && c.result === 'pass'));

    const bad = runCli(['verify', '--artifact', artifact, '--bundle', join(conformance, 'signature-mismatch_fail', 'bundle.sigstore.json'), '--policy', policy]);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^FAIL {2}.*a\.txt/m);
    assert.match(bad.stdout, /failed: sigstore-signature/);
    assert.match(bad.stdout, /1 artifact: 0 verified, 1 failed/);

    const noPolicy = runCli(['verify', '--artifact', artifact]);
    assert.equal(noPolicy.status, 2);
    assert.match(noPolicy.stderr, /--artifact needs --policy FILE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify: a --vendor that is no directory is a usage error, a --repo-key PEM that is not a key is bad input (exit 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-cli-verify-'));
  try {
    const lock = join(corpusDir, 'mix', 'phoenix', 'mix.lock');
    // without the check every package would fail "no tarball" on stdout, hiding the typo
    const vendor = runCli(['verify', lock, '--vendor', join(dir, 'no-such-dir')]);
    assert.equal(vendor.status, 2, vendor.stderr + vendor.stdout);
    assert.equal(vendor.stdout, '');
    assert.match(vendor.stderr, /^error: --vendor: --vendor .*no-such-dir: no such directory\n$/);

    const cert = join(dir, 'cert.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const key = runCli(['verify', lock, '--vendor', dir, '--registry', dir, '--repo-key', `acme=${cert}`]);
    assert.equal(key.status, 3, key.stderr);
    assert.match(key.stderr, /^error: .*cert\.pem: not a usable PEM public key: [^\n]*\n$/);
    const lockAsKey = runCli(['verify', lock, '--vendor', dir, '--registry', dir, '--repo-key', `acme=${lock}`]);
    assert.equal(lockAsKey.status, 3, lockAsKey.stderr);
    const dirAsKey = runCli(['verify', lock, '--vendor', dir, '--registry', dir, '--repo-key', `acme=${dir}`]);
    assert.equal(dirAsKey.status, 4, dirAsKey.stderr);
    assert.match(dirAsKey.stderr, /^error: [^\n]*: cannot read the key for repository acme: is a directory\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify and vendor take --app-version for a project whose version is only known at build time', () => {
  // erlang_ls's .app.src says {vsn, git}: the reader asks for --app-version, so both commands must accept it.
  const project = join(corpusDir, 'rebar', 'erlang_ls');
  const empty = mkdtempSync(join(tmpdir(), 'bb-verify-appver-'));
  try {
    // Without it the version is unknown: a warning, and the checks still run (and fail: nothing is vendored).
    const without = runCli(['verify', project, '--vendor', empty, '--json']);
    assert.equal(without.status, 1, without.stderr);
    assert.match(without.stderr, /pass --app-version \(shown as unknown\)/);
    assert.equal((JSON.parse(without.stdout) as { project: { version: unknown } }).project.version, null);

    const verified = runCli(['verify', project, '--vendor', empty, '--app-version', '1.0.0', '--json']);
    assert.equal(verified.status, 1, verified.stderr);
    const report = JSON.parse(verified.stdout) as { artifacts: { artifact: string }[] };
    assert.ok(report.artifacts.some((a) => a.artifact.includes('zipper')), 'the lock was read: one record per package');

    const vendored = runCli(['vendor', project, '--from', empty, '-o', join(empty, 'mirror'), '--app-version', '1.0.0']);
    assert.equal(vendored.status, 1, vendored.stderr);
    assert.match(vendored.stdout, /not written/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
