/**
 * `beambake vendor`: fill a flat, BitBake-usable mirror with verified Hex
 * tarballs only. Each file is named exactly `hexDownloadFilename(pkg)`, the
 * `downloadfilename` the generated SRC_URI uses, because BitBake looks a
 * file:// (pre)mirror up by that basename. The mirror carries a manifest
 * (`beambake-mirror.json`) and a `SHA256SUMS` file, and is replaced
 * atomically: a failed run leaves the previous mirror untouched.
 */
import { copyFile, readdir } from 'node:fs/promises';
import { constants as fsConstants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hexDownloadFilename } from '../bitbake/names.js';
import { readProject, type ReadProjectOptions } from '../lockfiles/index.js';
import type { HexPackage, Project } from '../model.js';
import { BeambakeError, ioError } from '../util/errors.js';
import { hashFile } from '../util/hash.js';
import { isDirectory, isFile } from '../util/files.js';
import { readJsonFile } from '../util/json.js';
import { replaceDirAtomic, writeFileAtomic } from '../util/atomic.js';
import { tarballCandidates } from '../verify/locate.js';
import { joinInside } from '../validate/lock.js';
import { registryFrom } from '../verify/index.js';
import { verifyHexPackage } from '../verify/hex.js';
import type { PackageVerification } from '../verify/report.js';

export const MANIFEST = 'beambake-mirror.json';
export const SUMS = 'SHA256SUMS';
const FORMAT = 'beambake-mirror/1';

export interface MirrorEntry {
  file: string;
  sha256: string;
  size: number;
  name: string;
  version: string;
  repository: string;
  innerChecksum: string;
}

export interface Manifest {
  format: typeof FORMAT;
  files: MirrorEntry[];
}

export interface VendorOptions {
  from: readonly string[];
  /** `--app-name` / `--app-version` for projects whose version is only known at build time. */
  project?: ReadProjectOptions;
  out: string;
  registry?: readonly string[];
  repoKeys?: readonly string[];
  strict?: boolean;
  /** Write the packages that verified even when others did not (the run still fails). */
  partial?: boolean;
  onPackage?: (record: PackageVerification, index: number, total: number) => void;
}

export interface VendorResult {
  project: Project;
  /** One record per Hex package: the candidate that was accepted, or the last rejection. */
  records: PackageVerification[];
  /** Rejected candidate files (tampered or mismatching copies found before a good one). */
  rejected: PackageVerification[];
  added: MirrorEntry[];
  /** Entries carried over from the existing mirror. */
  kept: MirrorEntry[];
  written: boolean;
}

const byFile = (a: MirrorEntry, b: MirrorEntry) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/** Read and re-check an existing mirror; refuses a non-empty directory that is not one. */
async function existingMirror(out: string): Promise<MirrorEntry[]> {
  if (!existsSync(out)) return [];
  let names: string[];
  try {
    names = await readdir(out);
  } catch (e) {
    throw ioError(e, out, 'cannot read mirror directory');
  }
  if (names.length === 0) return [];
  if (!names.includes(MANIFEST)) {
    throw new BeambakeError('MIRROR_INVALID', `exists and is not a beambake mirror (no ${MANIFEST}); refusing to replace it`, { file: out });
  }
  const path = join(out, MANIFEST);
  const manifest = readJsonFile(path, 'MIRROR_INVALID', 'cannot read the mirror manifest') as Partial<Manifest> | null;
  if (typeof manifest !== 'object' || manifest === null || manifest.format !== FORMAT || !Array.isArray(manifest.files)) {
    throw new BeambakeError('MIRROR_INVALID', `unsupported manifest format ${JSON.stringify(manifest?.format)}`, { file: path });
  }
  for (const f of manifest.files) {
    // Checked before any use: a hand-edited manifest must fail as MIRROR_INVALID, not as a TypeError.
    if (typeof f?.file !== 'string' || typeof f.sha256 !== 'string') throw new BeambakeError('MIRROR_INVALID', 'manifest entries need "file" and "sha256" strings', { file: path });
  }
  const listed = new Set(manifest.files.map((f) => f.file));
  const stray = names.filter((n) => n !== MANIFEST && n !== SUMS && !listed.has(n));
  if (stray.length > 0) throw new BeambakeError('MIRROR_INVALID', `files not in the manifest: ${stray.join(', ')}`, { file: out });
  for (const f of manifest.files) {
    if (f.file.includes('/') || f.file.startsWith('.')) throw new BeambakeError('MIRROR_INVALID', `bad file name ${JSON.stringify(f.file)}`, { file: path });
    const { sha256 } = await hashFile(joinInside(out, f.file), ['sha256']);
    if (sha256 !== f.sha256) {
      throw new BeambakeError('CHECKSUM_MISMATCH', `mirror file changed since it was vendored: sha256 ${sha256}, manifest says ${f.sha256}`, { file: join(out, f.file) });
    }
  }
  return manifest.files;
}

export async function vendorProject(path: string, opts: VendorOptions): Promise<VendorResult> {
  if (opts.from.length === 0) throw new BeambakeError('INVALID_ARGUMENT', 'name at least one source directory (--from DIR)');
  for (const dir of opts.from) {
    if (!isDirectory(dir)) throw new BeambakeError('INVALID_ARGUMENT', `--from ${dir}: no such directory`, { entry: '--from' });
  }
  const project = await readProject(path, opts.project);
  const registry = registryFrom(opts.registry, opts.repoKeys);
  const previous = await existingMirror(opts.out);
  const hex = project.packages.filter((p): p is HexPackage => p.source === 'hex');

  const records: PackageVerification[] = [];
  const rejected: PackageVerification[] = [];
  const accepted: { pkg: HexPackage; file: string; innerChecksum: string; outerChecksum: string }[] = [];
  for (const [i, pkg] of hex.entries()) {
    const files = opts.from.flatMap((d) => tarballCandidates(pkg).map((c) => joinInside(d, c))).filter(isFile);
    let last: PackageVerification | undefined;
    for (const file of [...new Set(files)]) {
      const r = await verifyHexPackage(pkg, { vendorDirs: opts.from, file, ...(registry ? { registry } : {}), strict: opts.strict ?? false });
      last = r.record;
      if (r.tarball) {
        accepted.push({ pkg, file, innerChecksum: r.tarball.innerChecksum, outerChecksum: r.tarball.outerChecksum });
        break;
      }
      rejected.push(r.record);
    }
    if (!last) {
      const r = await verifyHexPackage(pkg, { vendorDirs: opts.from, strict: opts.strict ?? false });
      last = r.record;
    }
    records.push(last);
    opts.onPackage?.(last, i + 1, hex.length);
  }

  const failed = records.filter((r) => r.result !== 'pass');
  const result: VendorResult = { project, records, rejected, added: [], kept: [], written: false };
  if (failed.length > 0 && !opts.partial) return result;

  const added: MirrorEntry[] = accepted.map(({ pkg, innerChecksum, outerChecksum }) => ({
    file: hexDownloadFilename(pkg),
    sha256: outerChecksum,
    size: 0,
    name: pkg.name,
    version: pkg.version,
    repository: pkg.repository,
    innerChecksum,
  }));
  const names = new Set(added.map((a) => a.file));
  const kept = previous.filter((p) => !names.has(p.file));
  await replaceDirAtomic(opts.out, async (tmp) => {
    for (const k of kept) await copyFile(joinInside(opts.out, k.file), joinInside(tmp, k.file), fsConstants.COPYFILE_FICLONE);
    for (const [i, a] of accepted.entries()) {
      const dest = joinInside(tmp, added[i]!.file);
      await copyFile(a.file, dest, fsConstants.COPYFILE_FICLONE).catch((e) => {
        throw ioError(e, a.file, 'cannot copy');
      });
      // Re-hash the copy: what lands in the mirror is exactly what was verified.
      const h = await hashFile(dest, ['sha256']);
      if (h.sha256 !== a.outerChecksum) throw new BeambakeError('CHECKSUM_MISMATCH', 'file changed while being copied into the mirror', { file: a.file });
      added[i]!.size = h.bytes;
    }
    const files = [...kept, ...added].sort(byFile);
    const manifest: Manifest = { format: FORMAT, files };
    await writeFileAtomic(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    await writeFileAtomic(join(tmp, SUMS), files.map((f) => `${f.sha256}  ${f.file}\n`).join(''));
  });
  return { ...result, added: added.sort(byFile), kept, written: true };
}
