import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPolicy, matchPolicy, verifyArtifact } from '../../src/sigstore/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { conformanceDir, defaultArtifact, DEFAULT_IDENTITY, DEFAULT_ISSUER, tempDir, writePolicy } from './helpers.js';

/** Load a policy that must be rejected and return its one-line message. */
function rejected(text: string, name = 'policy.json'): string {
  const path = writePolicy(tempDir(), text, name);
  try {
    loadPolicy(path);
  } catch (e) {
    assert.ok(e instanceof BeambakeError, String(e));
    assert.equal(e.code, 'POLICY_INVALID');
    const line = e.format();
    assert.ok(!line.includes('\n'), line);
    assert.ok(line.startsWith(path), `message must start with the file: ${line}`);
    return line.slice(path.length);
  }
  assert.fail(`policy was accepted:\n${text}`);
}

test('policy errors name the file, line:column and field in one line', () => {
  assert.equal(
    rejected('{"artifacts": [{"pattern": "*.tar.gz", "identity": "x"}]}'),
    ':1:16: artifacts[0].issuer: is required',
  );
  assert.equal(
    rejected('{\n  "artifacts": [\n    {"pattern": "*", "identity": "x", "issuer": "y"},\n    {"pattern": "*", "identity": "x", "identityRegex": "y", "issuer": "z"}\n  ]\n}'),
    ':4:56: artifacts[1].identityRegex: exactly one of "identity" or "identityRegex" is required (or "publicKey" for a managed key)',
  );
  assert.match(rejected('{"artifacts": [{"pattern": "*", "issuer": "z"}]}'), /^:1:16: artifacts\[0\]\.identity: exactly one of/);
  assert.equal(
    rejected('{"artifacts": [{"pattern": "*", "identityRegex": "(a", "issuer": "z"}]}'),
    ':1:50: artifacts[0].identityRegex: not a valid regular expression: Unterminated group',
  );
  assert.match(rejected('{"artifacts": [{"pattern": "*", "identity": "x", "isuer": "z"}]}'), /^:1:59: artifacts\[0\]\.isuer: unknown field/);
  assert.match(rejected('{"artifacts": []}'), /^:1:15: artifacts: "artifacts" must be a non-empty list/);
  assert.match(rejected('{"artifact": []}'), /^:1:14: artifact: unknown field "artifact"/);
  assert.match(rejected('{"artifacts": [{"pattern": 7, "identity": "x", "issuer": "z"}]}'), /^:1:28: artifacts\[0\]\.pattern: must be a non-empty string/);
  assert.match(rejected('{"artifacts": [{"pattern": "*", "identity": "x", "issuer": "z",}]}'), /^:1:64: not valid JSON: /);
  assert.match(rejected('[]'), /^:1:1: policy must be a mapping/);
});

test('YAML policies: positions, types, and block syntax only outside .json files', () => {
  assert.equal(
    rejected('artifacts:\n  - pattern: "*"\n    identity: x\n    issuer: 5\n', 'policy.yaml'),
    ':4:13: artifacts[0].issuer: must be a non-empty string',
  );
  assert.match(rejected('artifacts:\n  - pattern: "*"\n   issuer: [\n', 'policy.yml'), /^:\d+:\d+: not valid YAML: /);
  assert.match(rejected('artifacts:\n  - pattern: "*"\n    identity: x\n    issuer: y\n'), /^(:\d+:\d+)?: not valid JSON/);
  const ok = loadPolicy(
    writePolicy(tempDir(), `artifacts:\n  - pattern: "otp_*.tar.gz"\n    identityRegex: 'https://github\\.com/erlang/otp/.*'\n    issuer: ${DEFAULT_ISSUER}\n`, 'p.yaml'),
  );
  assert.equal(ok.entries.length, 1);
  assert.equal(ok.entries[0]!.kind, 'identity');
});

test('publicKey entries: key must load, and excludes identity fields', () => {
  const keyPath = join(conformanceDir, 'managed-key-happy-path', 'key.pub');
  assert.match(rejected(`{"artifacts": [{"pattern": "*", "publicKey": "missing.pem"}]}`), /^:1:46: artifacts\[0\]\.publicKey: cannot load public key .*missing\.pem: no such file$/);
  assert.match(rejected(`{"artifacts": [{"pattern": "*", "publicKey": "${defaultArtifact}"}]}`), /artifacts\[0\]\.publicKey: cannot load public key .*a\.txt: not a PEM public key$/);
  assert.match(
    rejected(`{"artifacts": [{"pattern": "*", "publicKey": "${keyPath}", "issuer": "x"}]}`),
    /artifacts\[0\]\.issuer: cannot be combined with "publicKey"/,
  );
  const policy = loadPolicy(writePolicy(tempDir(), { artifacts: [{ pattern: '*', publicKey: keyPath }] }));
  const entry = policy.entries[0]!;
  assert.equal(entry.kind, 'publicKey');
  assert.equal(entry.kind === 'publicKey' && entry.keyId, 'TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=');
});

test('matchPolicy: basename or path, first match, dotfiles included', () => {
  const policy = loadPolicy(
    writePolicy(tempDir(), {
      artifacts: [
        { pattern: 'releases/**/*.tar.gz', identity: 'a', issuer: DEFAULT_ISSUER },
        { pattern: '*.tar.gz', identity: 'b', issuer: DEFAULT_ISSUER },
        { pattern: '.*', identity: 'c', issuer: DEFAULT_ISSUER },
      ],
    }),
  );
  const id = (p: string) => {
    const e = matchPolicy(policy, p);
    return e?.kind === 'identity' ? e.identity : undefined;
  };
  assert.equal(id('releases/otp/OTP-27.tar.gz'), 'a');
  assert.equal(id('./releases/otp/OTP-27.tar.gz'), 'a');
  assert.equal(id('mirror/OTP-27.tar.gz'), 'b');
  assert.equal(id('.hidden'), 'c');
  assert.equal(id('OTP-27.zip'), undefined);
});

test('verifyArtifact rejects an invalid policy before looking at the artifact', async () => {
  const policyPath = writePolicy(tempDir(), { artifacts: [{ pattern: '*', identity: DEFAULT_IDENTITY }] });
  await assert.rejects(
    verifyArtifact({ artifactPath: defaultArtifact, policyPath }),
    (e: unknown) => e instanceof BeambakeError && e.code === 'POLICY_INVALID' && /artifacts\[0\]\.issuer: is required$/.test(e.format()),
  );
  await assert.rejects(
    verifyArtifact({ artifactPath: defaultArtifact, policyPath: join(tempDir(), 'nope.json') }),
    (e: unknown) => e instanceof BeambakeError && e.code === 'IO' && /nope\.json: cannot read policy: no such file or directory$/.test(e.format()),
  );
});
