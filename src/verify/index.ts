/**
 * `beambake verify` as a library: every package of a project's lock checked
 * against vendored files (and a registry snapshot when given). Returns records
 * and never prints; the command decides how to show them.
 */
import type { HexPackage, Package, Project } from '../model.js';
import { readProject } from '../lockfiles/index.js';
import { BeambakeError } from '../util/errors.js';
import { isDirectory } from '../util/files.js';
import { verifyHexPackage, type HexVerifyOptions } from './hex.js';
import { loadRepoKeys, parseRegistryArgs, RegistrySnapshot } from './registry.js';
import { summarise, type PackageVerification, type VerifySummary } from './report.js';
import { verifyLockEntry } from './registry-checks.js';
import type { HexTarball } from '../hex/tarball.js';

export { verifyHexPackage, hexArtifactName, type HexVerifyOptions, type HexVerifyResult } from './hex.js';
export { locateTarball, tarballCandidates } from './locate.js';
export { loadRepoKeys, parseRegistryArgs, RegistrySnapshot, type RegistryDir } from './registry.js';
export { summarise, type HexCheck, type HexCheckName, type PackageVerification, type VerifySummary } from './report.js';

export interface VerifyProjectOptions {
  vendorDirs: readonly string[];
  /** `--registry` values (`DIR` or `REPO=DIR`). */
  registry?: readonly string[];
  /** `--repo-key` values (`NAME=PEMFILE`). */
  repoKeys?: readonly string[];
  strict?: boolean;
  /** Called after each package (for progress bars). */
  onPackage?: (record: PackageVerification, index: number, total: number) => void;
  maxTarballSize?: number;
  maxUncompressed?: number;
}

export interface VerifiedHex {
  pkg: HexPackage;
  file: string;
  tarball: HexTarball;
}

export interface ProjectVerification {
  project: Project;
  records: PackageVerification[];
  /** Hex packages whose every check passed, with their decoded tarballs. */
  verified: VerifiedHex[];
  summary: VerifySummary;
}

function nonHexRecord(pkg: Exclude<Package, HexPackage>): PackageVerification {
  const artifact = pkg.source === 'git' ? `git:${pkg.app}@${pkg.rev}` : `path:${pkg.app}`;
  const reason =
    pkg.source === 'git' ? `git dependency pinned to commit ${pkg.rev}; fetched and checked by BitBake's git fetcher` : `path dependency ${pkg.path}: part of the source tree`;
  return { artifact, app: pkg.app, checks: [{ check: 'source', result: 'skip', reason }], result: 'skip' };
}

/** Build the registry snapshot from command-line style values, or undefined when none given. */
export function registryFrom(registry: readonly string[] | undefined, repoKeys: readonly string[] | undefined): RegistrySnapshot | undefined {
  if (!registry || registry.length === 0) {
    if (repoKeys && repoKeys.length > 0) throw new BeambakeError('INVALID_ARGUMENT', '--repo-key needs --registry DIR', { entry: '--repo-key' });
    return undefined;
  }
  return new RegistrySnapshot(parseRegistryArgs(registry), loadRepoKeys(repoKeys ?? []));
}

export async function verifyPackages(project: Project, opts: VerifyProjectOptions): Promise<ProjectVerification> {
  if (opts.vendorDirs.length === 0) {
    if (opts.registry && opts.registry.length > 0) return verifyLockAgainstRegistry(project, opts);
    throw new BeambakeError('INVALID_ARGUMENT', 'name at least one directory of vendored tarballs (--vendor DIR) or a registry snapshot (--registry DIR)');
  }
  // a mistyped directory would otherwise show up only as one "no tarball" failure per package
  for (const dir of opts.vendorDirs) {
    if (!isDirectory(dir)) throw new BeambakeError('INVALID_ARGUMENT', `--vendor ${dir}: no such directory`, { entry: '--vendor' });
  }
  const registry = registryFrom(opts.registry, opts.repoKeys);
  const hexOpts: HexVerifyOptions = {
    vendorDirs: opts.vendorDirs,
    ...(registry ? { registry } : {}),
    strict: opts.strict ?? false,
    ...(opts.maxTarballSize !== undefined ? { maxTarballSize: opts.maxTarballSize } : {}),
    ...(opts.maxUncompressed !== undefined ? { maxUncompressed: opts.maxUncompressed } : {}),
  };
  const records: PackageVerification[] = [];
  const verified: VerifiedHex[] = [];
  const total = project.packages.length;
  for (const [i, pkg] of project.packages.entries()) {
    let record: PackageVerification;
    if (pkg.source === 'hex') {
      const r = await verifyHexPackage(pkg, hexOpts);
      record = r.record;
      if (r.tarball && record.file) verified.push({ pkg, file: record.file, tarball: r.tarball });
    } else {
      record = nonHexRecord(pkg);
    }
    records.push(record);
    opts.onPackage?.(record, i + 1, total);
  }
  return { project, records, verified, summary: summarise(records) };
}

/**
 * No tarballs, only a registry snapshot: every Hex entry of the lock is
 * checked against the release its publisher signed (checksums, retirement,
 * advisories). Nothing is `verified` in the tarball sense.
 */
function verifyLockAgainstRegistry(project: Project, opts: VerifyProjectOptions): ProjectVerification {
  const registry = registryFrom(opts.registry, opts.repoKeys)!;
  const records: PackageVerification[] = [];
  const total = project.packages.length;
  for (const [i, pkg] of project.packages.entries()) {
    const record = pkg.source === 'hex' ? verifyLockEntry(pkg, registry, opts.strict ?? false) : nonHexRecord(pkg);
    records.push(record);
    opts.onPackage?.(record, i + 1, total);
  }
  return { project, records, verified: [], summary: summarise(records) };
}

/** Read the project at `path` (directory or lockfile) and verify it. */
export async function verifyProject(path: string, opts: VerifyProjectOptions): Promise<ProjectVerification> {
  return verifyPackages(await readProject(path), opts);
}
