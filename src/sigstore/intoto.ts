/**
 * In-toto statements inside DSSE envelopes. @sigstore/verify proves who
 * signed the envelope but never looks at the artifact: binding the artifact
 * to the statement's subjects is ours.
 */
import { jsonFailureSuffix, tryParseJson } from '../util/json.js';
import type { Check } from './types.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Digest algorithms we can compute for an artifact, as named in in-toto `DigestSet`s. */
export interface ArtifactDigests {
  sha256: string;
  sha512: string;
}

export interface StatementChecks {
  checks: Check[];
  predicateType?: string;
}

/**
 * Check payload type, subject digest and (when the policy sets one)
 * predicateType. Every check that can run is reported, so one run names
 * every problem.
 */
export function checkStatement(
  payloadType: string,
  payload: Buffer,
  digests: ArtifactDigests,
  expectedPredicateType: string | undefined,
): StatementChecks {
  const checks: Check[] = [];
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    checks.push({ check: 'payload-type', result: 'fail', reason: `payloadType is "${payloadType}", expected "${IN_TOTO_PAYLOAD_TYPE}"` });
    return { checks };
  }
  const parsed = tryParseJson(payload.toString('utf8'));
  if (!parsed.ok) {
    checks.push({ check: 'payload-type', result: 'fail', reason: `payload is not JSON${jsonFailureSuffix(parsed)}` });
    return { checks };
  }
  const s = parsed.value as { _type?: unknown; subject?: unknown; predicateType?: unknown } | null;
  if (!s || typeof s !== 'object' || typeof s._type !== 'string' || !s._type.startsWith('https://in-toto.io/Statement/')) {
    checks.push({ check: 'payload-type', result: 'fail', reason: 'payload is not an in-toto Statement (missing or wrong "_type")' });
    return { checks };
  }
  checks.push({ check: 'payload-type', result: 'pass', reason: `${IN_TOTO_PAYLOAD_TYPE}, ${s._type}` });

  checks.push(subjectCheck(s.subject, digests));

  const predicateType = typeof s.predicateType === 'string' ? s.predicateType : undefined;
  if (expectedPredicateType !== undefined) {
    checks.push(
      predicateType === expectedPredicateType
        ? { check: 'predicate-type', result: 'pass', reason: predicateType }
        : {
            check: 'predicate-type',
            result: 'fail',
            reason: `predicateType is ${predicateType === undefined ? 'missing' : `"${predicateType}"`}, policy requires "${expectedPredicateType}"`,
          },
    );
  }
  return { checks, ...(predicateType !== undefined ? { predicateType } : {}) };
}

function subjectCheck(subjects: unknown, digests: ArtifactDigests): Check {
  if (!Array.isArray(subjects) || subjects.length === 0) {
    return { check: 'subject-digest', result: 'fail', reason: 'statement has no subjects' };
  }
  let comparable = 0;
  for (const subject of subjects as { name?: unknown; digest?: Record<string, unknown> }[]) {
    const set = subject?.digest;
    if (!set || typeof set !== 'object') continue;
    for (const alg of ['sha256', 'sha512'] as const) {
      const want = set[alg];
      if (typeof want !== 'string') continue;
      comparable++;
      if (want.toLowerCase() === digests[alg]) {
        const name = typeof subject.name === 'string' ? `"${subject.name}"` : '(unnamed)';
        return { check: 'subject-digest', result: 'pass', reason: `artifact ${alg} matches subject ${name}` };
      }
    }
  }
  return {
    check: 'subject-digest',
    result: 'fail',
    reason:
      comparable === 0
        ? 'no subject carries a sha256 or sha512 digest'
        : `artifact sha256 ${digests.sha256} matches none of the ${subjects.length} subject(s)`,
  };
}
