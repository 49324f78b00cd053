import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalAffected, evalGit } from '../../src/vuln/ranges.js';
import type { OsvAffected, OsvRecord } from '../../src/vuln/osv.js';
import { scoreVector, gateRating, reaches } from '../../src/vuln/severity.js';
import { schemasDir } from '../helpers/paths.js';

const record = (id: string) => JSON.parse(readFileSync(join(schemasDir, 'osv', `${id}.json`), 'utf8')) as OsvRecord;
const semverRange = (...events: object[]): OsvAffected => ({ package: { ecosystem: 'Hex', name: 'x' }, ranges: [{ type: 'SEMVER', events }] });

test('real EEF record, four ranges: each branch is affected below its own fix and fixed from it on', () => {
  const hex = record('EEF-CVE-2026-56812').affected!.find((a) => a.package?.ecosystem === 'Hex')!;
  assert.deepEqual(evalAffected('1.8.7', hex), { kind: 'affected', fixed: '1.8.9' });
  assert.deepEqual(evalAffected('1.7.10', hex), { kind: 'affected', fixed: '1.7.24' });
  assert.deepEqual(evalAffected('1.8.0-rc.0', hex), { kind: 'affected', fixed: '1.8.9' });
  assert.deepEqual(evalAffected('1.8.9', hex), { kind: 'fixed', fixed: '1.8.9' });
  assert.deepEqual(evalAffected('1.1.9', hex), { kind: 'none' });
  // 1.6.17 is fixed; 1.7.0-rc.0 reopens the next range, which a later version is past
  assert.deepEqual(evalAffected('1.6.17', hex), { kind: 'fixed', fixed: '1.6.17' });
});

test('GHSA split ranges (ECOSYSTEM type): the highest fix a version is past is reported', () => {
  const ghsa = record('GHSA-628h-q48j-jr6q');
  const [a, b] = ghsa.affected!;
  assert.deepEqual(evalAffected('1.8.5', b!), { kind: 'affected', fixed: '1.8.6' });
  assert.deepEqual(evalAffected('1.8.5', a!), { kind: 'fixed', fixed: '1.7.22' });
});

test('introduced 0 with no fix affects every version; last_affected closes after it; limit bounds the range', () => {
  const esaml = record('EEF-CVE-2026-28809').affected!.find((a) => a.package?.name === 'esaml')!;
  assert.deepEqual(evalAffected('4.6.0', esaml), { kind: 'affected' });
  const la = semverRange({ introduced: '1.0.0' }, { last_affected: '1.2.3' });
  assert.deepEqual(evalAffected('1.2.3', la), { kind: 'affected' });
  assert.deepEqual(evalAffected('1.2.4', la).kind, 'fixed');
  assert.deepEqual(evalAffected('0.9.0', la), { kind: 'none' });
  const lim = semverRange({ introduced: '0' }, { limit: '2.0.0' });
  assert.deepEqual(evalAffected('1.9.9', lim), { kind: 'affected' });
  assert.deepEqual(evalAffected('2.0.0', lim), { kind: 'none' });
});

test('a versions list alone marks exactly those versions; a non-SemVer version is unknown, not safe', () => {
  const v: OsvAffected = { package: { ecosystem: 'Hex', name: 'x' }, versions: ['0.3.1'] };
  assert.deepEqual(evalAffected('0.3.1', v), { kind: 'affected' });
  assert.deepEqual(evalAffected('0.3.2', v), { kind: 'none' });
  assert.equal(evalAffected('1.0', semverRange({ introduced: '0' }, { fixed: '2.0.0' })).kind, 'unknown');
});

test('GIT ranges: answered from the record (fix commit, introducing commit, introduced 0), otherwise unknown', () => {
  const rec = record('EEF-CVE-2026-21619');
  const hexCore = rec.affected!.flatMap((a) => a.ranges ?? []).find((r) => r.repo === 'https://github.com/hexpm/hex_core')!;
  assert.equal(evalGit('cdf726095bca85ad2549d146df1e831ae93c2b13', undefined, hexCore, undefined).kind, 'fixed');
  assert.equal(evalGit('eb327f8edfe45507351e38cc0805aa12fa647f0b', undefined, hexCore, undefined).kind, 'affected');
  const other = evalGit('0123456789012345678901234567890123456789', undefined, hexCore, undefined);
  assert.equal(other.kind, 'unknown');
  const esaml = record('EEF-CVE-2026-28809').affected!.flatMap((a) => a.ranges ?? []).find((r) => r.repo === 'https://github.com/dropbox/esaml.git')!;
  assert.equal(evalGit('0123456789012345678901234567890123456789', undefined, esaml, undefined).kind, 'affected');
});

test('CVSS scores from the real records\' vectors, FIRST ratings, and the gate', () => {
  const v4 = scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N')!;
  assert.equal(v4.score, 8.7);
  assert.equal(v4.rating, 'high');
  const v31 = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')!;
  assert.deepEqual([v31.score, v31.rating, v31.method], [9.8, 'critical', 'CVSSv31']);
  assert.equal(scoreVector('not a vector'), undefined);
  assert.equal(gateRating([]), 'unknown');
  assert.equal(reaches('unknown', 'critical'), true);
  assert.equal(reaches('medium', 'high'), false);
});
