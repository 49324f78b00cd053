/**
 * Verify one vendored Hex tarball against its lock entry, in order: present,
 * outer checksum (a mismatch stops here: nothing else in the file can be
 * trusted), structure, inner checksum, metadata name/version, safe contents,
 * then the signed registry record when a registry snapshot is given.
 */
import type { HexPackage } from '../model.js';
import { HexTarballError, inspectHexTarball, loadTarball, type HexTarball } from '../hex/tarball.js';
import { registryChecks } from './registry-checks.js';
import { isBeambakeError } from '../util/errors.js';
import { locateTarball } from './locate.js';
import type { RegistrySnapshot } from './registry.js';
import { overallResult, type HexCheck, type PackageVerification } from './report.js';

export interface HexVerifyOptions {
  /** Directories to look in (first match wins). */
  vendorDirs: readonly string[];
  /** Check this file instead of searching `vendorDirs`. */
  file?: string;
  registry?: RegistrySnapshot;
  /** Retired releases and advisories fail instead of warn. */
  strict?: boolean;
  maxTarballSize?: number;
  maxUncompressed?: number;
}

export interface HexVerifyResult {
  record: PackageVerification;
  /** The decoded tarball, only when every check passed. */
  tarball?: HexTarball;
}

export function hexArtifactName(pkg: Pick<HexPackage, 'name' | 'version' | 'repository'>): string {
  return `hex:${pkg.repository === 'hexpm' ? '' : pkg.repository + '/'}${pkg.name}@${pkg.version}`;
}

const TARBALL_CHECKS = ['structure', 'inner-checksum', 'metadata', 'contents'] as const;

export async function verifyHexPackage(pkg: HexPackage, opts: HexVerifyOptions): Promise<HexVerifyResult> {
  const checks: HexCheck[] = [];
  const record: PackageVerification = { artifact: hexArtifactName(pkg), app: pkg.app, checks, result: 'fail' };
  const done = (tarball?: HexTarball): HexVerifyResult => {
    record.result = overallResult(checks);
    return record.result === 'pass' && tarball ? { record, tarball } : { record };
  };

  const file = opts.file ?? locateTarball(opts.vendorDirs, pkg);
  if (!file) {
    checks.push({ check: 'present', result: 'fail', reason: `no tarball for ${pkg.name} ${pkg.version} in ${opts.vendorDirs.join(', ')}` });
    return done();
  }
  record.file = file;
  checks.push({ check: 'present', result: 'pass', reason: file });

  let loaded;
  try {
    loaded = await loadTarball(file, opts.maxTarballSize);
  } catch (e) {
    if (e instanceof HexTarballError || isBeambakeError(e)) {
      checks.push({ check: 'structure', result: 'fail', reason: e.message });
      return done();
    }
    throw e;
  }
  if (pkg.outerChecksum === null) {
    checks.push({ check: 'outer-checksum', result: 'skip', reason: `lock has no outer checksum; file hashes to ${loaded.outerChecksum}` });
  } else if (loaded.outerChecksum !== pkg.outerChecksum) {
    checks.push({ check: 'outer-checksum', result: 'fail', reason: `outer checksum mismatch: lock says ${pkg.outerChecksum}, file hashes to ${loaded.outerChecksum}` });
    return done();
  } else {
    checks.push({ check: 'outer-checksum', result: 'pass', reason: loaded.outerChecksum });
  }

  let tarball: HexTarball;
  try {
    tarball = inspectHexTarball(loaded.data, {
      file,
      outerChecksum: loaded.outerChecksum,
      ...(opts.maxTarballSize !== undefined ? { maxTarballSize: opts.maxTarballSize } : {}),
      ...(opts.maxUncompressed !== undefined ? { maxUncompressed: opts.maxUncompressed } : {}),
    });
  } catch (e) {
    if (!(e instanceof HexTarballError)) throw e;
    for (const c of TARBALL_CHECKS) {
      if (c === e.check) break;
      checks.push({ check: c, result: 'pass' });
    }
    const where = e.location.entry ? `${e.location.entry}${e.location.line !== undefined ? `:${e.location.line}:${e.location.column}` : ''}: ` : '';
    checks.push({ check: e.check, result: 'fail', reason: where + e.message });
    return done();
  }
  checks.push({ check: 'structure', result: 'pass', reason: 'VERSION 3' });

  if (pkg.innerChecksum !== null && pkg.innerChecksum !== tarball.innerChecksum) {
    checks.push({ check: 'inner-checksum', result: 'fail', reason: `inner checksum mismatch: lock says ${pkg.innerChecksum}, CHECKSUM is ${tarball.innerChecksum}` });
    return done();
  }
  if (pkg.innerChecksum === null && pkg.outerChecksum === null && !opts.registry) {
    checks.push({ check: 'inner-checksum', result: 'fail', reason: 'lock pins no checksum and no registry was given: nothing vouches for this tarball' });
    return done();
  }
  checks.push({ check: 'inner-checksum', result: 'pass', reason: tarball.innerChecksum + (pkg.innerChecksum === null ? ' (not in lock)' : '') });

  const md = tarball.metadata;
  if (md.name !== pkg.name || md.version !== pkg.version) {
    checks.push({ check: 'metadata', result: 'fail', reason: `metadata.config is ${md.name} ${md.version}, lock wants ${pkg.name} ${pkg.version}` });
    return done();
  }
  checks.push({ check: 'metadata', result: 'pass', reason: `${md.name} ${md.version}` });
  checks.push({ check: 'contents', result: 'pass', reason: `${tarball.files.length} entries, ${tarball.uncompressedSize} bytes` });

  if (opts.registry) {
    checks.push(...registryChecks(pkg, opts.registry, { outer: [loaded.outerChecksum], inner: [tarball.innerChecksum] }, opts.strict ?? false));
    if (checks.some((c) => c.result === 'fail' && (c.check === 'registry' || c.check === 'registry-signature'))) return done();
  }
  return done(tarball);
}
