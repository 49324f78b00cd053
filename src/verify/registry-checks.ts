/**
 * The registry part of verifying a Hex package: is the resource signed by the
 * repository's key, does the signed release carry the same checksums, is it
 * retired or under an advisory. Used after a tarball's own checks
 * (`verify --vendor --registry`) and on its own for the lock
 * (`verify --registry` without tarballs: the lock's checksums against what the
 * publisher signed).
 */
import type { HexPackage } from '../model.js';
import { checkRelease } from '../hex/registry.js';
import type { RegistrySnapshot } from './registry.js';
import { hexArtifactName } from './hex.js';
import { overallResult, type HexCheck, type PackageVerification } from './report.js';

export interface Checksums {
  outer: string[];
  inner: string[];
}

/** Registry checks for `pkg`, comparing the signed release with `sums`. Stops at the first failure. */
export function registryChecks(pkg: HexPackage, registry: RegistrySnapshot, sums: Checksums, strict: boolean): HexCheck[] {
  const checks: HexCheck[] = [];
  const hit = registry.lookup(pkg.repository, pkg.name);
  if (!hit.ok) {
    checks.push({ check: hit.check, result: 'fail', reason: (hit.file ? `${hit.file}: ` : '') + hit.reason });
    return checks;
  }
  checks.push({ check: 'registry-signature', result: 'pass', reason: hit.file });
  const found = checkRelease(hit.pkg, { name: pkg.name, version: pkg.version, repository: pkg.repository, outerChecksums: sums.outer, innerChecksums: sums.inner });
  if (found.errors.length > 0) {
    checks.push({ check: 'registry', result: 'fail', reason: found.errors.join('; ') });
    return checks;
  }
  checks.push({ check: 'registry', result: 'pass', reason: `${hit.pkg.repository}/${hit.pkg.name} ${pkg.version}` });
  const level = strict ? 'fail' : 'warn';
  const retired = found.warnings.filter((w) => w.startsWith('release '));
  const advisories = found.warnings.filter((w) => w.startsWith('security advisory'));
  const other = found.warnings.filter((w) => !retired.includes(w) && !advisories.includes(w));
  checks.push(retired.length > 0 ? { check: 'retirement', result: level, reason: retired.join('; ') } : { check: 'retirement', result: 'pass' });
  checks.push(advisories.length > 0 ? { check: 'advisories', result: level, reason: advisories.join('; ') } : { check: 'advisories', result: 'pass' });
  if (other.length > 0) checks.push({ check: 'registry', result: 'warn', reason: other.join('; ') });
  return checks;
}

/**
 * A lock entry against the signed registry, no tarball needed: the lock's
 * outer and inner checksums must be the ones the publisher signed for that
 * release. An entry that pins neither has nothing to compare and fails.
 */
export function verifyLockEntry(pkg: HexPackage, registry: RegistrySnapshot, strict: boolean): PackageVerification {
  const checks: HexCheck[] = [];
  if (pkg.outerChecksum === null && pkg.innerChecksum === null) {
    checks.push({ check: 'registry', result: 'fail', reason: 'lock pins no checksum: nothing to compare with the registry' });
  } else {
    checks.push(...registryChecks(pkg, registry, { outer: pkg.outerChecksum ? [pkg.outerChecksum] : [], inner: pkg.innerChecksum ? [pkg.innerChecksum] : [] }, strict));
  }
  return { artifact: hexArtifactName(pkg), app: pkg.app, checks, result: overallResult(checks) };
}
