/**
 * Subject matching on statements built around real file digests: the
 * corpus has no DSSE bundle with a sha512-only subject whose artifact is
 * present, so this covers the sha512 path and the malformed-statement paths.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatement, IN_TOTO_PAYLOAD_TYPE } from '../../src/sigstore/intoto.js';
import { hashFile } from '../../src/util/hash.js';
import { defaultArtifact } from './helpers.js';

const digests = await hashFile(defaultArtifact, ['sha256', 'sha512']);
const payload = (statement: unknown) => Buffer.from(JSON.stringify(statement));
const statementWith = (subject: unknown, predicateType = 'https://slsa.dev/provenance/v1') =>
  payload({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType, predicate: {} });
const result = (checks: { check: string; result: string; reason?: string }[], name: string) => checks.find((c) => c.check === name);

test('a sha512 subject matches, case-insensitively, among several subjects', () => {
  const { checks } = checkStatement(
    IN_TOTO_PAYLOAD_TYPE,
    statementWith([
      { name: 'other', digest: { sha256: '00'.repeat(32) } },
      { name: 'a.txt', digest: { sha512: digests.sha512.toUpperCase() } },
    ]),
    digests,
    undefined,
  );
  assert.deepEqual(result(checks, 'subject-digest'), { check: 'subject-digest', result: 'pass', reason: 'artifact sha512 matches subject "a.txt"' });
  assert.equal(result(checks, 'predicate-type'), undefined, 'not checked when the policy sets none');
});

test('subjects without a usable digest, wrong payload types and non-statements fail', () => {
  assert.match(
    result(checkStatement(IN_TOTO_PAYLOAD_TYPE, statementWith([{ name: 'x', digest: { md5: 'ab' } }]), digests, undefined).checks, 'subject-digest')!.reason!,
    /no subject carries a sha256 or sha512 digest/,
  );
  assert.match(result(checkStatement(IN_TOTO_PAYLOAD_TYPE, statementWith([]), digests, undefined).checks, 'subject-digest')!.reason!, /no subjects/);
  const wrongType = checkStatement('application/json', statementWith([{ digest: { sha256: digests.sha256 } }]), digests, undefined);
  assert.deepEqual(wrongType.checks.map((c) => [c.check, c.result]), [['payload-type', 'fail']]);
  const notStatement = checkStatement(IN_TOTO_PAYLOAD_TYPE, payload({ subject: [{ digest: { sha256: digests.sha256 } }] }), digests, undefined);
  assert.match(notStatement.checks[0]!.reason!, /not an in-toto Statement/);
  const notJson = checkStatement(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{'), digests, undefined);
  assert.match(notJson.checks[0]!.reason!, /payload is not JSON/);
});

test('a missing predicateType fails a policy that requires one', () => {
  const p = payload({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: digests.sha256 } }] });
  const { checks } = checkStatement(IN_TOTO_PAYLOAD_TYPE, p, digests, 'https://slsa.dev/provenance/v1');
  assert.equal(result(checks, 'subject-digest')!.result, 'pass');
  assert.match(result(checks, 'predicate-type')!.reason!, /predicateType is missing/);
});
