/**
 * The verification record, one per artifact, shared by the human report and
 * `--json`. Same shape as the Sigstore records (`src/sigstore/types.ts`):
 * `{artifact, checks: [{check, result, reason}], result}`. Checks that could
 * not run because an earlier one failed are left out, never reported as passing.
 */

export type HexCheckName =
  | 'present'
  | 'outer-checksum'
  | 'structure'
  | 'inner-checksum'
  | 'metadata'
  | 'contents'
  | 'registry-signature'
  | 'registry'
  | 'retirement'
  | 'advisories'
  | 'source';

/** `warn`: passed but worth attention (retired release; fails with --strict). `skip`: nothing to check. */
export type HexCheckResult = 'pass' | 'fail' | 'warn' | 'skip';

export interface HexCheck {
  check: HexCheckName;
  result: HexCheckResult;
  reason?: string;
}

export interface PackageVerification {
  /** `hex:NAME@VERSION` (with `REPO/` for non-hexpm repositories), `git:APP@REV`, `path:APP`. */
  artifact: string;
  app: string;
  /** The tarball that was checked, when one was found. */
  file?: string;
  checks: HexCheck[];
  /** `skip` for dependencies that are not Hex tarballs (git, path). */
  result: 'pass' | 'fail' | 'skip';
}

export interface VerifySummary {
  pass: number;
  fail: number;
  skip: number;
  warnings: number;
}

export function overallResult(checks: HexCheck[]): 'pass' | 'fail' | 'skip' {
  if (checks.some((c) => c.result === 'fail')) return 'fail';
  if (checks.length > 0 && checks.every((c) => c.result === 'skip')) return 'skip';
  return 'pass';
}

export function summarise(records: { result: string; checks: { result: string }[] }[]): VerifySummary {
  const s: VerifySummary = { pass: 0, fail: 0, skip: 0, warnings: 0 };
  for (const r of records) {
    if (r.result === 'pass') s.pass++;
    else if (r.result === 'fail') s.fail++;
    else s.skip++;
    s.warnings += r.checks.filter((c) => c.result === 'warn').length;
  }
  return s;
}

/** The checks worth a line under a record: failures and warnings. */
export function notableChecks(record: { checks: { check: string; result: string; reason?: string }[] }): string[] {
  return record.checks
    .filter((c) => c.result === 'fail' || c.result === 'warn')
    .map((c) => `${c.result === 'fail' ? 'failed' : 'warning'}: ${c.check}${c.reason ? `: ${c.reason}` : ''}`);
}

export function summaryLine(s: VerifySummary, noun = 'package'): string {
  const total = s.pass + s.fail + s.skip;
  const parts = [`${s.pass} verified`, `${s.fail} failed`];
  if (s.skip > 0) parts.push(`${s.skip} not applicable`);
  if (s.warnings > 0) parts.push(`${s.warnings} warning${s.warnings === 1 ? '' : 's'}`);
  return `${total} ${noun}${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
