/**
 * `beambake recipe --vendor DIR...`: facts the recipe can only take from the
 * Hex tarballs themselves, and only from tarballs `verifyPackages` passed
 * (outer checksum, structure, inner checksum against the lock, metadata name
 * and version, safe contents):
 *   - each dependency's licence (metadata.config, normalised to SPDX by
 *     hexLicenseExpression, then written in BitBake syntax), folded into the
 *     recipe's LICENSE because the release ships every dependency;
 *   - LIC_FILES_CHKSUM entries for the licence files in each package, at the
 *     path where do_beam_unpack_deps puts them under ${S};
 *   - description and home page per dependency (BEAM_DEP_* flags in the .inc);
 *   - the outer checksum of old lock entries that lack one, so they can be pinned.
 * Any check that fails aborts with the package named; a package simply absent
 * from the directories is reported and left as the lock says.
 *
 * Loaded by `recipe()` only when --vendor is given (it pulls in the verifier
 * and the SPDX licence list).
 */
import { statSync } from 'node:fs';
import type { HexPackage, Project } from '../model.js';
import { hexLicenseExpression, licenseRefFor } from '../hex/license.js';
import { verifyPackages, type ProjectVerification, type VerifiedHex } from '../verify/index.js';
import { BeambakeError } from '../util/errors.js';
import { spdxToBitbake, type AppLicense, type LicenseFile } from './license.js';
import { assignment, comments, type BbText } from './template.js';
import * as v from './validate.js';

export interface DepFacts {
  app: string;
  name: string;
  version: string;
  /** SPDX expression from metadata.config (unknown entries as LicenseRef-hex-...). */
  spdx?: string;
  /** The same in BitBake syntax; undefined when it has no BitBake form. */
  license?: string;
  /** Licence files, relative to ${S} once do_beam_unpack_deps has run; empty for rebar3 (see below). */
  files: LicenseFile[];
  summary?: string;
  homepage?: string;
}

export interface VendoredFacts {
  /** The project with outer checksums filled in from verified tarballs. */
  project: Project;
  /** LICENSE and LIC_FILES_CHKSUM of the whole recipe: the application's plus every verified dependency's. */
  license: AppLicense;
  deps: DepFacts[];
  incLines: BbText[];
  /** Apps whose tarball was verified, sorted. */
  verified: string[];
  /** Apps whose outer checksum came from the verified tarball (the lock has none), sorted. */
  outerComputed: string[];
  /** App -> the verified tarball (for the layer SBOM's SHA-512 and licences). */
  files: ReadonlyMap<string, string>;
  warnings: string[];
}

/** Where the license QA finds a Hex package's files: do_populate_lic runs after do_beam_unpack_deps. */
function unpackedDir(buildTool: Project['buildTool'], pkg: HexPackage): string | undefined {
  switch (buildTool) {
    case 'mix':
      return `deps/${pkg.app}`; // layout_mix.py: deps/<app>
    case 'gleam':
      return `build/packages/${pkg.name}`; // layout_gleam.py: build/packages/<hex name>
    case 'rebar3':
      // layout_rebar3.py leaves the tarball packed in rebar3's cache; rebar3 unpacks it in do_compile
      return undefined;
  }
}

/** Names BitBake users and scanners treat as licence texts (not e.g. `lib/licenses.ex`). */
const LICENSE_TEXT = /^(LICEN[CS]E|COPYING|UNLICEN[CS]E|NOTICE|COPYRIGHT)([-._][A-Za-z0-9._-]+)?$/i;

/** Why verification refuses a package, or undefined when the only problem is that no tarball was found. */
function failure(record: ProjectVerification['records'][number]): string | undefined {
  if (record.result !== 'fail') return undefined;
  const failed = record.checks.filter((c) => c.result === 'fail');
  if (failed.length === 1 && failed[0]!.check === 'present') return undefined;
  return failed.map((c) => `${c.check}: ${c.reason ?? 'failed'}`).join('; ');
}

/** One line of metadata text made safe for a BitBake string (SUMMARY-like), or undefined. */
export function plainSummary(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let s = text
    .replace(/\s+/g, ' ')
    .replace(/[^A-Za-z0-9 .,:()/+_@&!?'-]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (s.length > 200) s = s.slice(0, 197).replace(/\s+\S*$/, '') + '...';
  if (s.length === 0) return undefined;
  try {
    return v.plainText(s, { entry: 'metadata', field: 'description' });
  } catch {
    return undefined;
  }
}

/** A home page from metadata links: an explicit home page first, then the source repository, then any. */
export function homepageFromLinks(links: Record<string, string>): string | undefined {
  const entries = Object.entries(links).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = (k: string) => (/^(home ?page|website|home|site)$/i.test(k) ? 0 : /github|gitlab|codeberg|bitbucket|source|repo/i.test(k) ? 1 : 2);
  for (const [key, url] of entries.sort(([a], [b]) => rank(a) - rank(b))) {
    try {
      return v.httpUrl(url.replace(/\/+$/, ''), { entry: 'metadata', field: `link ${key}` });
    } catch {
      // not a plain http(s) URL: try the next link
    }
  }
  return undefined;
}

function depFacts(found: VerifiedHex, buildTool: Project['buildTool'], warnings: string[]): DepFacts {
  const { pkg, tarball } = found;
  const md = tarball.metadata;
  const label = `${pkg.app} (${pkg.name} ${pkg.version})`;
  const facts: DepFacts = { app: pkg.app, name: pkg.name, version: pkg.version, files: [] };

  const lic = hexLicenseExpression(md.licenses);
  if (lic.expression === null) {
    warnings.push(`${label}: metadata.config declares no licence; it is left out of LICENSE (check the package yourself)`);
  } else {
    facts.spdx = lic.expression;
    for (const u of lic.unknown) warnings.push(`${label}: licence "${u}" is not an SPDX identifier; recorded as ${licenseRefFor(u)}`);
    try {
      facts.license = spdxToBitbake(lic.expression, pkg.app);
    } catch (e) {
      if (!(e instanceof BeambakeError)) throw e;
      warnings.push(`${label}: licence ${lic.expression} has no BitBake form (${e.message}); it is left out of LICENSE`);
    }
  }

  const dir = unpackedDir(buildTool, pkg);
  if (dir !== undefined) {
    for (const f of tarball.licenseFiles) {
      const base = f.path.slice(f.path.lastIndexOf('/') + 1);
      if (!LICENSE_TEXT.test(base)) continue;
      try {
        facts.files.push({ name: v.relativePath(`${dir}/${f.path}`, { entry: pkg.app, field: 'licence file' }), md5: f.md5 });
      } catch {
        warnings.push(`${label}: licence file ${JSON.stringify(f.path.slice(0, 80))} has a name BitBake cannot take; not in LIC_FILES_CHKSUM`);
      }
    }
  }
  const summary = plainSummary(md.description);
  if (summary !== undefined) facts.summary = summary;
  const homepage = homepageFromLinks(md.links);
  if (homepage !== undefined) facts.homepage = homepage;
  return facts;
}

/** `a & b`, with `|` expressions parenthesised, each distinct licence once, in first-seen order. */
function conjunction(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.map((p) => (unique.length > 1 && p.includes('|') ? `(${p})` : p)).join(' & ');
}

function combinedLicense(app: AppLicense, deps: DepFacts[], warnings: string[]): AppLicense {
  const depLicenses = deps.flatMap((d) => (d.license !== undefined ? [d.license] : []));
  const files = [...app.files, ...deps.flatMap((d) => d.files)];
  if (app.license === 'CLOSED') {
    if (depLicenses.length === 0) return { ...app, warnings: [...app.warnings] };
    // The application's own part stays CLOSED, but what it ships is open source: LICENSE says so
    // ("CLOSED & MIT & ..."). BitBake's licence QA skips only a LICENSE that is exactly "CLOSED"; with
    // anything more it needs LIC_FILES_CHKSUM, which the dependencies' licence files give (Mix, Gleam).
    if (deps.every((d) => d.files.length === 0)) {
      warnings.push(
        'the application has no licence file and its dependencies\' licence files are unpacked only at compile time, so LICENSE stays "CLOSED" (BitBake needs LIC_FILES_CHKSUM for anything else); the dependencies\' licences are in BEAM_DEP_LICENSE',
      );
      return { ...app, warnings: [...app.warnings] };
    }
    warnings.push('the application has no licence file: LICENSE is "CLOSED" for it, with the licences of the dependencies it ships');
    return { license: conjunction(['CLOSED', ...depLicenses]), files, warnings: [...app.warnings] };
  }
  const license = conjunction([app.license, ...depLicenses]);
  if (!/^[A-Za-z0-9.+\- &|()]+$/.test(license)) throw new Error(`internal: combined licence ${JSON.stringify(license)}`);
  const spdxParts = [app.spdx, ...deps.map((d) => d.spdx)].filter((s): s is string => s !== undefined);
  const spdx = app.spdx === undefined ? undefined : [...new Set(spdxParts)].map((s) => (spdxParts.length > 1 && /\s(AND|OR|WITH)\s/.test(s) ? `(${s})` : s)).join(' AND ');
  return { license, ...(spdx !== undefined ? { spdx } : {}), files, warnings: [...app.warnings] };
}

function incLines(deps: DepFacts[], buildTool: Project['buildTool'], files: LicenseFile[]): BbText[] {
  if (deps.length === 0) return [];
  const out: BbText[] = [
    comments([
      'Verified by beambake recipe --vendor: each Hex dependency\'s licence (its metadata.config,',
      'in BitBake syntax; the recipe\'s LICENSE includes them all), description and home page.',
      ...(buildTool === 'rebar3'
        ? [
            'rebar3 unpacks Hex tarballs itself in do_compile, after do_populate_lic: their licence',
            'files cannot be in LIC_FILES_CHKSUM, so LICENSE is all BitBake knows of them.',
          ]
        : []),
    ]),
  ];
  for (const d of deps) {
    if (d.license !== undefined) out.push(assignment(`BEAM_DEP_LICENSE[${d.app}]`, d.license));
    if (d.summary !== undefined) out.push(assignment(`BEAM_DEP_SUMMARY[${d.app}]`, d.summary));
    if (d.homepage !== undefined) out.push(assignment(`BEAM_DEP_HOMEPAGE[${d.app}]`, d.homepage));
  }
  // Licences outside BitBake's common-licenses (LicenseRef-hex-...) take their text from the package.
  const refs = new Map<string, string>();
  for (const d of deps) {
    for (const ref of (d.license ?? '').match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) {
      if (!refs.has(ref) && d.files.length > 0) refs.set(ref, d.files[0]!.name);
    }
  }
  const listed = new Set(files.map((f) => f.name));
  for (const [ref, file] of [...refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (listed.has(file)) out.push(assignment(`NO_GENERIC_LICENSE[${ref}]`, file));
  }
  return out;
}

/** Everything `--vendor` adds, from a finished verification (no I/O). */
export function factsFromVerification(project: Project, appLicense: AppLicense, verification: ProjectVerification, vendorDirs: readonly string[]): VendoredFacts {
  const warnings: string[] = [];
  for (const r of verification.records) {
    const why = failure(r);
    if (why !== undefined) {
      throw new BeambakeError('VERIFY_FAILED', `${r.artifact} failed verification, nothing was written: ${why}`, {
        entry: r.app,
        ...(r.file !== undefined ? { file: r.file } : {}),
      });
    }
    if (r.result === 'fail') warnings.push(`${r.artifact}: no vendored tarball in ${vendorDirs.join(', ')}; its licence and files are not in the recipe`);
    for (const c of r.checks) if (c.result === 'warn') warnings.push(`${r.artifact}: ${c.check}: ${c.reason ?? ''}`);
  }

  const byApp = new Map<string, VerifiedHex>();
  for (const found of verification.verified) {
    const { pkg, tarball } = found;
    // verifyPackages only returns tarballs whose every check passed; these two are what pinning rests on
    if (tarball.metadata.name !== pkg.name || tarball.metadata.version !== pkg.version) throw new Error(`internal: unverified tarball for ${pkg.app}`);
    if (pkg.innerChecksum !== null && tarball.innerChecksum !== pkg.innerChecksum) throw new Error(`internal: unverified tarball for ${pkg.app}`);
    byApp.set(pkg.app, found);
  }

  const outerComputed: string[] = [];
  const packages = project.packages.map((p) => {
    const found = p.source === 'hex' ? byApp.get(p.app) : undefined;
    if (p.source !== 'hex' || !found || p.outerChecksum !== null) return p;
    outerComputed.push(p.app);
    return { ...p, outerChecksum: found.tarball.outerChecksum };
  });

  const ordered = [...byApp.values()].sort((a, b) => (a.pkg.app < b.pkg.app ? -1 : a.pkg.app > b.pkg.app ? 1 : 0));
  const deps = ordered.map((f) => depFacts(f, project.buildTool, warnings));
  const license = combinedLicense(appLicense, deps, warnings);
  return {
    project: { ...project, packages },
    license,
    deps,
    incLines: incLines(deps, project.buildTool, license.files),
    verified: ordered.map((f) => f.pkg.app),
    outerComputed: outerComputed.sort(),
    files: new Map(ordered.map((f) => [f.pkg.app, f.file])),
    warnings,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Verify the project's Hex packages against `vendorDirs` and collect what the recipe takes from them. */
export async function vendoredFacts(project: Project, appLicense: AppLicense, vendorDirs: readonly string[]): Promise<VendoredFacts> {
  // a mistyped directory would otherwise only show up as "no vendored tarball" warnings
  for (const dir of vendorDirs) {
    if (!isDirectory(dir)) throw new BeambakeError('INVALID_ARGUMENT', `--vendor ${dir}: no such directory`, { entry: '--vendor' });
  }
  return factsFromVerification(project, appLicense, await verifyPackages(project, { vendorDirs }), vendorDirs);
}
