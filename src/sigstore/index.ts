/**
 * Verify one artifact against its Sigstore bundle, a trusted root and a
 * policy, fully offline. Verification failures are results (a record with
 * `result: 'fail'` and a reason per check); only bad input throws: an
 * invalid policy or trusted root, or a file that cannot be read.
 */
import { Verifier, type Signer } from '@sigstore/verify';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import type { Bundle } from '@sigstore/bundle';
import { BeambakeError } from '../util/errors.js';
import { digestHex, hashFile } from '../util/hash.js';
import { readBytes } from '../util/files.js';
import { bundleCandidates, findBundle, loadBundle } from './bundle.js';
import { claimedTimes, signedEntityFor } from './entity.js';
import { checkStatement } from './intoto.js';
import { describeEntry, loadPolicy, matchPolicy, type Policy, type PolicyEntry } from './policy.js';
import { loadTrustedRoot, trustMaterialFor, trustedLogIds, type LoadedTrustedRoot } from './trust.js';
import type { ArtifactVerification, Check } from './types.js';

export type { ArtifactVerification, Check, CheckName, CheckResult } from './types.js';
export { loadPolicy, matchPolicy, type Policy, type PolicyEntry } from './policy.js';
export { loadTrustedRoot, PUBLIC_GOOD_ROOT, type LoadedTrustedRoot } from './trust.js';
export { bundleCandidates, findBundle } from './bundle.js';

export interface VerifyArtifactOptions {
  artifactPath: string;
  /** Default: `ARTIFACT.sigstore.json`, then `ARTIFACT.sigstore`. */
  bundlePath?: string;
  /** Policy file; or pass `policy` already loaded when verifying many artifacts. */
  policyPath?: string;
  policy?: Policy;
  /** Default: the bundled Sigstore public-good root. Or pass `trustedRoot` already loaded. */
  trustedRootPath?: string;
  trustedRoot?: LoadedTrustedRoot;
  /** Bundle timestamps later than this (plus allowed clock skew) fail. Default: the current time. */
  now?: Date;
}

/** A signer's clock may run ahead of ours by this much before a timestamp counts as "in the future". */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const MESSAGE_DIGEST_ALGORITHMS: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
  [HashAlgorithm.SHA3_256]: 'sha3-256',
  [HashAlgorithm.SHA3_384]: 'sha3-384',
};

export async function verifyArtifact(options: VerifyArtifactOptions): Promise<ArtifactVerification> {
  const { artifactPath } = options;
  const policy = options.policy ?? (options.policyPath !== undefined ? loadPolicy(options.policyPath) : undefined);
  if (!policy) throw new BeambakeError('INVALID_ARGUMENT', 'a Sigstore policy file is required (--policy FILE)');
  const trusted = options.trustedRoot ?? loadTrustedRoot(options.trustedRootPath);
  const now = options.now ?? new Date();

  const bundlePath = options.bundlePath ?? findBundle(artifactPath);
  const loaded = bundlePath !== undefined ? loadBundle(bundlePath) : undefined;
  const bundle = loaded?.ok ? loaded.bundle : undefined;

  // Message signatures are verified over the artifact bytes, so those are read whole;
  // for everything else a streaming hash is enough.
  const bytes = bundle?.content.$case === 'messageSignature' ? readBytes(artifactPath, 'cannot read artifact') : undefined;
  const digests = bytes
    ? { sha256: digestHex('sha256', bytes), sha512: digestHex('sha512', bytes) }
    : await hashFile(artifactPath, ['sha256', 'sha512']);

  const record: ArtifactVerification = { artifact: artifactPath, bundle: bundlePath ?? null, sha256: digests.sha256, checks: [], result: 'fail' };
  const checks = record.checks;
  const finish = (): ArtifactVerification => {
    record.result = checks.length > 0 && checks.every((c) => c.result === 'pass') ? 'pass' : 'fail';
    return record;
  };

  const entry = matchPolicy(policy, artifactPath);
  if (!entry) {
    checks.push({ check: 'policy-match', result: 'fail', reason: `no pattern in ${policy.file} matches ${artifactPath}` });
    return finish();
  }
  record.pattern = entry.pattern;
  checks.push({ check: 'policy-match', result: 'pass', reason: describeEntry(entry) });

  if (!loaded) {
    checks.push({ check: 'bundle', result: 'fail', reason: `no bundle found (looked for ${bundleCandidates(artifactPath).join(', ')})` });
    return finish();
  }
  if (!loaded.ok) {
    checks.push({ check: 'bundle', result: 'fail', reason: loaded.reason });
    return finish();
  }
  let entity;
  try {
    entity = signedEntityFor(loaded.bundle, bytes);
  } catch (e) {
    checks.push({ check: 'bundle', result: 'fail', reason: `cannot read verification material: ${(e as Error).message}` });
    return finish();
  }
  checks.push({ check: 'bundle', result: 'pass', reason: `${loaded.bundle.mediaType}, ${loaded.bundle.content.$case}` });

  const keyCheck = keyMaterialCheck(loaded.bundle, entry);
  checks.push(keyCheck);
  if (keyCheck.result === 'fail') return finish();

  const logIds = trustedLogIds(trusted.root);
  const untrustedLogs = entity.tlogEntries
    .map((e) => Buffer.from(e.logId.keyId).toString('base64'))
    .filter((id) => !logIds.has(id));
  checks.push(
    untrustedLogs.length === 0
      ? { check: 'transparency-log-id', result: 'pass', reason: `${entity.tlogEntries.length} entr${entity.tlogEntries.length === 1 ? 'y' : 'ies'} from trusted logs` }
      : { check: 'transparency-log-id', result: 'fail', reason: `log ${untrustedLogs.join(', ')} is not in ${trusted.source}` },
  );

  let signer: Signer | undefined;
  try {
    const material = trustMaterialFor(trusted.root, entry.kind === 'publicKey' ? entry.publicKey : undefined);
    signer = new Verifier(material).verify(entity);
    checks.push({ check: 'sigstore-signature', result: 'pass', reason: `verified against ${trusted.source}` });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    checks.push({ check: 'sigstore-signature', result: 'fail', reason: `${typeof code === 'string' ? `${code}: ` : ''}${(e as Error).message}` });
  }

  if (signer) {
    const late = claimedTimes(entity).filter((t) => t.getTime() > now.getTime() + CLOCK_SKEW_MS);
    checks.push(
      late.length === 0
        ? { check: 'timestamps-not-in-future', result: 'pass' }
        : { check: 'timestamps-not-in-future', result: 'fail', reason: `timestamp ${late[0]!.toISOString()} is after ${now.toISOString()}` },
    );
    if (entry.kind === 'identity') checks.push(...identityChecks(signer, entry, record));
  }

  const content = loaded.bundle.content;
  if (content.$case === 'messageSignature') {
    checks.push(artifactDigestCheck(content.messageSignature.messageDigest, bytes!));
    if (entry.predicateType !== undefined) {
      checks.push({
        check: 'predicate-type',
        result: 'fail',
        reason: `policy requires predicateType "${entry.predicateType}" but the bundle is a plain message signature, not an in-toto attestation`,
      });
    }
  } else {
    const { dsseEnvelope } = content;
    const statement = checkStatement(dsseEnvelope.payloadType, dsseEnvelope.payload, digests, entry.predicateType);
    checks.push(...statement.checks);
    if (statement.predicateType !== undefined) record.predicateType = statement.predicateType;
  }
  return finish();
}

function keyMaterialCheck(bundle: Bundle, entry: PolicyEntry): Check {
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') {
    if (entry.kind !== 'publicKey') {
      return {
        check: 'key-material',
        result: 'fail',
        reason: `bundle is signed with a managed key (hint "${material.publicKey.hint}") but ${describeEntry(entry)} expects a certificate identity`,
      };
    }
    const hint = material.publicKey.hint;
    const note = hint && hint !== entry.keyId ? `; bundle hint "${hint}" differs, ignored` : '';
    return { check: 'key-material', result: 'pass', reason: `managed key ${entry.keyId} from ${entry.publicKeyPath}${note}` };
  }
  if (entry.kind === 'publicKey') {
    return {
      check: 'key-material',
      result: 'fail',
      reason: `bundle carries a signing certificate but ${describeEntry(entry)} expects the managed key ${entry.publicKeyPath}`,
    };
  }
  return { check: 'key-material', result: 'pass', reason: material.$case === 'certificate' ? 'certificate' : 'certificate chain' };
}

function identityChecks(
  signer: Signer,
  entry: Extract<PolicyEntry, { kind: 'identity' }>,
  record: ArtifactVerification,
): Check[] {
  const san = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  if (san !== undefined) record.identity = san;
  if (issuer !== undefined) record.issuer = issuer;
  const expected = entry.identityRegex ? `/${entry.identityRegex.source}/` : `"${entry.identity}"`;
  const sanOk = san !== undefined && (entry.identityRegex ? entry.identityRegex.test(san) : san === entry.identity);
  return [
    sanOk
      ? { check: 'certificate-identity', result: 'pass', reason: san }
      : { check: 'certificate-identity', result: 'fail', reason: `certificate SAN is ${san === undefined ? 'missing' : `"${san}"`}, policy expects ${expected}` },
    issuer !== undefined && issuer === entry.issuer
      ? { check: 'certificate-issuer', result: 'pass', reason: issuer }
      : {
          check: 'certificate-issuer',
          result: 'fail',
          reason: `OIDC issuer is ${issuer === undefined ? 'missing' : `"${issuer}"`}, policy expects "${entry.issuer}"`,
        },
  ];
}

function artifactDigestCheck(messageDigest: { algorithm: HashAlgorithm; digest: Buffer }, bytes: Buffer): Check {
  const algorithm = MESSAGE_DIGEST_ALGORITHMS[messageDigest.algorithm];
  if (!algorithm) {
    return { check: 'artifact-digest', result: 'fail', reason: `unsupported message digest algorithm ${HashAlgorithm[messageDigest.algorithm] ?? messageDigest.algorithm}` };
  }
  const actual = digestHex(algorithm, bytes);
  const claimed = Buffer.from(messageDigest.digest).toString('hex');
  return actual === claimed
    ? { check: 'artifact-digest', result: 'pass', reason: `${algorithm} ${actual}` }
    : { check: 'artifact-digest', result: 'fail', reason: `artifact ${algorithm} is ${actual}, bundle signs ${claimed}` };
}

