/**
 * Project model -> SBOM component graph: the application as the root, every
 * locked package with purl, version, supplier/creator where known, SHA-256
 * (the lock's outer checksum) and, for vendored tarballs, SHA-512 of the file
 * and licences and links from its metadata; ERTS and the OTP/Elixir
 * applications the release includes; dependency edges and a completeness
 * statement per component.
 *
 * Completeness: a package's direct dependencies are "complete" when the lock
 * lists them (mix.lock Hex entries, Gleam manifests), "unknown" otherwise
 * (rebar.lock, git and path entries, OTP applications); "incomplete" when the
 * lock names a dependency that is not locked.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { inScopes, type GitPackage, type HexPackage, type Package, type PathPackage, type Project, type Scope } from '../model.js';
import { hexDownloadFilename, hexTarballName } from '../bitbake/names.js';
import { BeambakeError } from '../util/errors.js';
import { hashFile } from '../util/hash.js';
import type { HexTarball } from '../hex/tarball.js';
import type { LicenseExpression } from '../hex/license.js';
import { isoSeconds, sourceDateEpoch } from '../util/time.js';
import { emptyComponent, type Component, type CompositionAggregate, type Edge, type Party, type SbomGraph } from './model.js';
import { ELIXIR_APPS, hostVersions, otpApplications, type HostVersions } from './otp-apps.js';
import { gitLocation, gitPurl, hexPurl, hexTarballUrl, otpPurl } from './purls.js';
// `beambake recipe` writes the layer SBOM on every run, so only what every run needs is imported
// statically: the tarball reader and the SPDX licence list load only for vendored tarballs, and
// only the CycloneDX JSON writer (not writers/index.js with all four formats) for the layer file.
import { canonicalize } from './writers/canonical.js';
import { cyclonedxJsonText } from './writers/cyclonedx-json.js';
import { joinInside } from '../validate/lock.js';

export interface ProjectSbomOptions {
  /** Directories with vendored Hex tarballs (`NAME-VERSION.tar` or the layer's `hex-NAME-VERSION.tar`), first match wins. */
  vendorDir?: string | readonly string[];
  /** Tarballs already verified against the lock, by app (`beambake recipe --vendor`); looked up before `vendorDir`. */
  vendorFiles?: ReadonlyMap<string, string>;
  /** Target OTP release (e.g. "26" or "26.2.5"), recorded on ERTS and the OTP applications. */
  otpVersion?: string;
  ertsVersion?: string;
  elixirVersion?: string;
  /** Versions of the OTP application set, when known (e.g. from the target sysroot). */
  appVersions?: Record<string, string>;
  /** Ask the host `erl`/`elixir` for the versions not given. */
  hostOtp?: boolean;
  /** Applications to add to what the project file states. */
  extraApplications?: string[];
  /** The creator of the SBOM (BSI: needs an e-mail or URL). */
  author?: Party;
  /** The creator of the application; defaults to `author`. */
  manufacturer?: Party;
  /** URLs of self-hosted Hex repositories by repository name. */
  hexRepoUrls?: Record<string, string>;
  /**
   * Scopes beyond prod to list (`--include-scope dev,test`), as CycloneDX scope
   * `excluded` components reached by DEV/TEST/BUILD dependency edges. By default
   * the SBOM lists what the release holds: prod dependencies needed at run time.
   */
  includeScopes?: readonly Scope[];
  /** The project's own applications the release holds (umbrella children): components the root CONTAINS. */
  releaseApps?: string[];
  /** List compile-time-only prod dependencies too (the layer SBOM: the recipe fetches them). */
  includeBuildOnly?: boolean;
  /** Document timestamp; defaults to SOURCE_DATE_EPOCH, else none. */
  timestamp?: Date;
  env?: NodeJS.ProcessEnv;
}

const HEX_PM: Party = { name: 'Hex.pm', urls: ['https://hex.pm'] };
const ERLANG_OTP: Party = { name: 'Ericsson AB (Erlang/OTP)', urls: ['https://www.erlang.org'] };
const ELIXIR: Party = { name: 'The Elixir Team', urls: ['https://elixir-lang.org'] };
const BSI_ARCHIVE = [
  { name: 'bsi:component:archive', value: 'archive' },
  { name: 'bsi:component:executable', value: 'non-executable' },
  { name: 'bsi:component:structured', value: 'structured' },
];

interface Built {
  component: Component;
  /** The lock states this package's dependencies. */
  depsStated: boolean;
}

async function findVendored(dirs: string | readonly string[], pkg: HexPackage): Promise<string | undefined> {
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    for (const name of [hexTarballName(pkg), hexDownloadFilename(pkg)]) {
      const p = joinInside(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

/** The creator link of a Hex package: its source repository if linked, else its home page. */
function creatorFromLinks(links: Record<string, string>): Party | undefined {
  const entries = Object.entries(links).filter(([, u]) => /^https?:\/\//.test(u));
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const pick = entries.find(([k]) => /github|gitlab|source|repo|codeberg|bitbucket/i.test(k)) ?? entries.find(([k]) => /home|website|site/i.test(k)) ?? entries[0];
  return pick ? { urls: [pick[1]] } : undefined;
}

/** A vendored tarball of a Hex package, read and checked against the lock. */
interface Vendored {
  tarball: HexTarball;
  sha512: string;
  license: LicenseExpression;
}

/** The package's vendored tarball (`--vendor`), when there is one; a tarball that does not match the lock is an error. */
async function vendoredTarball(pkg: HexPackage, opts: ProjectSbomOptions): Promise<Vendored | undefined> {
  const file = opts.vendorFiles?.get(pkg.app) ?? (opts.vendorDir ? await findVendored(opts.vendorDir, pkg) : undefined);
  if (!file) return undefined;
  const [{ readHexTarball }, { hexLicenseExpression }] = await Promise.all([import('../hex/tarball.js'), import('../hex/license.js')]);
  const tarball = await readHexTarball(file);
  if (pkg.outerChecksum && tarball.outerChecksum !== pkg.outerChecksum) {
    throw new BeambakeError('CHECKSUM_MISMATCH', `SHA-256 ${tarball.outerChecksum} does not match the lock's ${pkg.outerChecksum}`, { file, entry: pkg.app });
  }
  const { sha512 } = await hashFile(file, ['sha512']);
  return { tarball, sha512, license: hexLicenseExpression(tarball.metadata.licenses) };
}

/** Synchronous (the tarball, if any, is read before): without --vendor, no await per package. */
function hexComponent(pkg: HexPackage, opts: ProjectSbomOptions, tool: Project['buildTool'], vendored: Vendored | undefined): Built {
  const repoUrl = opts.hexRepoUrls?.[pkg.repository];
  const purl = hexPurl(pkg.name, pkg.version, pkg.repository, repoUrl);
  const c = emptyComponent(purl, pkg.name, 'library');
  c.version = pkg.version;
  c.purl = purl;
  c.filename = hexTarballName(pkg);
  c.supplier = pkg.repository === 'hexpm' || pkg.repository.startsWith('hexpm:') ? HEX_PM : { name: pkg.repository, urls: repoUrl ? [repoUrl] : undefined };
  const url = hexTarballUrl(pkg.name, pkg.version, pkg.repository, repoUrl);
  if (url) c.downloadLocation = url;
  if (pkg.outerChecksum) c.hashes.push({ alg: 'SHA-256', value: pkg.outerChecksum });
  if (pkg.repository === 'hexpm') c.externalRefs.push({ type: 'website', url: `https://hex.pm/packages/${pkg.name}/${pkg.version}` });
  c.properties.push(...BSI_ARCHIVE, { name: 'beambake:source', value: 'hex' }, { name: 'beambake:hex:repository', value: pkg.repository });
  if (pkg.app !== pkg.name) c.properties.push({ name: 'beambake:otp_app', value: pkg.app });
  if (pkg.buildTools.length > 0) c.properties.push({ name: 'beambake:build_tools', value: pkg.buildTools.join(',') });
  if (pkg.innerChecksum) c.properties.push({ name: 'beambake:hex:inner_checksum', value: pkg.innerChecksum });

  const tarballHashes = [...c.hashes];
  if (vendored) {
    const { tarball: tb, sha512, license: lic } = vendored;
    if (!pkg.outerChecksum) c.hashes.push({ alg: 'SHA-256', value: tb.outerChecksum });
    c.hashes.push({ alg: 'SHA-512', value: sha512 });
    tarballHashes.splice(0, tarballHashes.length, ...c.hashes);
    if (lic.expression !== null) {
      c.licenses.declared = lic.expression;
      // An unmodified package is distributed under what its creator declared.
      if (lic.complete) c.licenses.concluded = lic.expression;
    }
    c.description = tb.metadata.description;
    c.manufacturer = creatorFromLinks(tb.metadata.links);
    for (const [title, link] of Object.entries(tb.metadata.links).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!/^https?:\/\//.test(link)) continue;
      const type = /github|gitlab|source|repo|codeberg|bitbucket/i.test(title) ? 'vcs' : /issue|bug/i.test(title) ? 'issue-tracker' : /doc/i.test(title) ? 'documentation' : 'website';
      c.externalRefs.push({ type, url: link, comment: title });
    }
    if (tb.metadata.maintainers) c.authors.push(...tb.metadata.maintainers);
  }
  if (url) {
    c.externalRefs.push({ type: 'distribution', url, hashes: tarballHashes.length > 0 ? tarballHashes : undefined });
    // A Hex tarball is the package's source: the deployable and the source archive are the same file.
    c.externalRefs.push({ type: 'source-distribution', url });
  }
  // mix.lock's Hex tuples and Gleam manifests list dependencies; rebar.lock does not.
  return { component: c, depsStated: tool !== 'rebar3' };
}

function gitComponent(pkg: GitPackage, tool: Project['buildTool']): Built {
  // Several apps of one repository at one commit (rebar3 git_subdir, mix subdir:/sparse:) are
  // different components: the purl subpath names the directory, so their ids differ too.
  const purl = gitPurl(pkg.app, pkg.url, pkg.rev, pkg.subdir ?? pkg.sparse);
  const c = emptyComponent(purl, pkg.app, 'library');
  c.version = pkg.rev;
  c.purl = purl;
  c.downloadLocation = `git+${pkg.url}@${pkg.rev}${pkg.subdir ? `#${pkg.subdir}` : ''}`;
  const loc = gitLocation(pkg.url);
  if (loc.web) {
    c.manufacturer = { urls: [loc.web] };
    c.externalRefs.push({ type: 'vcs', url: pkg.url });
    c.externalRefs.push({ type: 'source-distribution', url: loc.githubOwner ? `${loc.web}/tree/${pkg.rev}` : loc.web });
  }
  if (loc.githubOwner) c.supplier = { name: loc.githubOwner, urls: [`https://github.com/${loc.githubOwner}`] };
  c.properties.push({ name: 'beambake:source', value: 'git' });
  for (const k of ['ref', 'tag', 'branch', 'subdir', 'sparse'] as const) {
    if (pkg[k] !== undefined) c.properties.push({ name: `beambake:git:${k}`, value: String(pkg[k]) });
  }
  // Gleam manifests list requirements for every source; mix.lock and rebar.lock do not for git.
  return { component: c, depsStated: tool === 'gleam' };
}

function pathComponent(pkg: PathPackage, tool: Project['buildTool']): Built {
  const purl = otpPurl(pkg.app, pkg.version);
  const c = emptyComponent(purl, pkg.app, 'library');
  c.version = pkg.version;
  c.purl = purl;
  c.properties.push({ name: 'beambake:source', value: 'path' }, { name: 'beambake:path', value: pkg.path });
  return { component: c, depsStated: tool === 'gleam' };
}

function packageComponent(pkg: Package, opts: ProjectSbomOptions, tool: Project['buildTool'], vendored: Vendored | undefined): Built {
  switch (pkg.source) {
    case 'hex':
      return hexComponent(pkg, opts, tool, vendored);
    case 'git':
      return gitComponent(pkg, tool);
    case 'path':
      return pathComponent(pkg, tool);
  }
}

function otpComponents(project: Project, opts: ProjectSbomOptions): { erts: Component; apps: Component[]; complete: boolean } {
  const set = otpApplications(project, opts.extraApplications);
  let host: HostVersions = { apps: {} };
  if (opts.hostOtp) host = hostVersions(set.apps);
  const otpRelease = opts.otpVersion ?? host.otpRelease;
  const elixirVersion = opts.elixirVersion ?? host.elixir;
  const ertsVersion = opts.ertsVersion ?? opts.appVersions?.erts ?? host.erts;
  const mk = (app: string, version: string | undefined, elixir: boolean): Component => {
    const purl = otpPurl(app, version, elixir ? 'elixir' : 'otp');
    const c = emptyComponent(`otp:${app}`, app, app === 'erts' ? 'platform' : 'library');
    c.version = version;
    c.purl = purl;
    c.manufacturer = c.supplier = elixir ? ELIXIR : ERLANG_OTP;
    // Erlang/OTP (since OTP 18) and Elixir are Apache-2.0 throughout.
    c.licenses = { declared: 'Apache-2.0', concluded: 'Apache-2.0' };
    c.externalRefs.push({ type: 'vcs', url: elixir ? 'https://github.com/elixir-lang/elixir' : 'https://github.com/erlang/otp' });
    c.properties.push({ name: 'beambake:source', value: elixir ? 'elixir' : 'otp' });
    if (!elixir && otpRelease) c.properties.push({ name: 'beambake:otp_release', value: otpRelease });
    return c;
  };
  const apps = set.apps.map((a) => {
    const elixir = ELIXIR_APPS.has(a);
    return mk(a, opts.appVersions?.[a] ?? host.apps[a] ?? (elixir ? elixirVersion : undefined), elixir);
  });
  return { erts: mk('erts', ertsVersion, false), apps, complete: set.statedCompletely };
}

/** The root's edge to a direct dependency says its scope (SPDX 2: DEV_/TEST_/BUILD_DEPENDENCY_OF; SPDX 3: lifecycle scope). */
function rootEdgeType(pkg: Package): Pick<Edge, 'type' | 'originalType'> {
  const scope = pkg.scope ?? 'prod';
  if (scope === 'test') return { type: 'DEV_DEPENDS_ON', originalType: 'TEST_DEPENDENCY_OF' };
  if (scope === 'dev') return { type: 'DEV_DEPENDS_ON' };
  if (pkg.runtime === false) return { type: 'BUILD_DEPENDS_ON' };
  return { type: 'DEPENDS_ON' };
}

export const PROP_REQUIRED_BY = 'beambake:required-by';

/**
 * A locked package no edge leads to is a dependency of a dependency that the lock does not name
 * (rebar.lock gives each package a level, not the package that requires it; a lock without
 * dependency lists says no more). It is still part of what the project needs: the root depends on
 * it, and the component says that the package that requires it is unknown. Without the edge the
 * SBOM would hold components nothing links to the product (BSI TR-03183-2 asks for that path).
 */
function linkIndirectDependencies(root: Component, built: { pkg: Package; b: Built }[], edges: Edge[]): void {
  const out = new Map<string, string[]>();
  const targets = new Set<string>();
  for (const e of edges) {
    const l = out.get(e.from);
    if (l) l.push(e.to);
    else out.set(e.from, [e.to]);
    if (e.from !== root.id) targets.add(e.to);
  }
  const reached = new Set<string>();
  const reach = (id: string): void => {
    const stack = [id];
    reached.add(id);
    while (stack.length > 0) for (const to of out.get(stack.pop()!) ?? []) if (!reached.has(to)) (reached.add(to), stack.push(to));
  };
  reach(root.id);
  // the tops of what is left first (nothing depends on them), then any cycle nothing outside it reaches
  for (const top of [true, false]) {
    for (const { pkg, b } of built) {
      const id = b.component.id;
      if (reached.has(id) || (top && targets.has(id))) continue;
      edges.push({ from: root.id, to: id, ...rootEdgeType(pkg) });
      b.component.properties.push({ name: PROP_REQUIRED_BY, value: 'unknown: an indirect dependency, and the lock does not say of which package' });
      reach(id);
    }
  }
}

export async function projectToSbomGraph(project: Project, opts: ProjectSbomOptions = {}): Promise<SbomGraph> {
  const timestamp = opts.timestamp ?? sourceDateEpoch(opts.env);
  // A bare lockfile names no project: the SBOM still needs a root, named after the directory and marked so.
  const name = project.name ?? (basename(resolve(project.directory ?? dirname(project.lockfile || '.'))) || 'unknown');
  const rootPurl = otpPurl(name, project.version);
  const root = emptyComponent(rootPurl, name, 'application');
  root.version = project.version;
  if (project.name === undefined) root.properties.push({ name: 'beambake:name', value: 'unknown (the directory name stands in)' });
  if (project.version === undefined) root.properties.push({ name: 'beambake:version', value: 'unknown' });
  root.purl = rootPurl;
  root.manufacturer = opts.manufacturer ?? opts.author;
  root.supplier = opts.manufacturer ?? opts.author;
  root.properties.push({ name: 'beambake:build_tool', value: project.buildTool });

  const edges: Edge[] = [];
  const aggregates = new Map<string, CompositionAggregate>();
  const byApp = new Map<string, string>();
  const built: { pkg: Package; b: Built }[] = [];
  const wanted = new Set(opts.includeScopes ?? []);
  const vendoring = Boolean(opts.vendorDir || opts.vendorFiles);
  for (const pkg of project.packages) {
    if (!inScopes(pkg, wanted, { build: opts.includeBuildOnly ?? false })) continue;
    const vendored = vendoring && pkg.source === 'hex' ? await vendoredTarball(pkg, opts) : undefined;
    const b = packageComponent(pkg, opts, project.buildTool, vendored);
    const scope = pkg.scope ?? 'prod';
    b.component.properties.push({ name: 'beambake:scope', value: pkg.runtime === false ? `${scope}-build-only` : scope });
    // Not in the release: listed so the build is documented, marked so no one counts it as device content.
    if (scope !== 'prod' || pkg.runtime === false) b.component.properties.push({ name: 'cdx:scope', value: 'excluded' });
    built.push({ pkg, b });
    byApp.set(pkg.app, b.component.id);
  }
  // The lock reader leaves out a dependency the lock does not hold; such a package's list is incomplete.
  const unlocked = new Set((project.unlocked ?? []).map((u) => u.requiredBy));
  // A locked package left out by scope is an optional dependency of what stays (else it would share its scope).
  const locked = new Set(project.packages.map((p) => p.app));
  for (const { pkg, b } of built) {
    let missing = unlocked.has(pkg.app);
    for (const dep of pkg.dependencies) {
      const to = byApp.get(dep);
      if (to) edges.push({ from: b.component.id, to, type: 'DEPENDS_ON' });
      else if (!locked.has(dep)) missing = true;
    }
    aggregates.set(b.component.id, !b.depsStated ? 'unknown' : missing ? 'incomplete' : 'complete');
    if (pkg.direct) edges.push({ from: root.id, to: b.component.id, ...rootEdgeType(pkg) });
  }
  linkIndirectDependencies(root, built, edges);

  // The release's own applications: first-party, at the release's version, inside the root.
  const own: Component[] = [];
  for (const app of opts.releaseApps ?? []) {
    const purl = otpPurl(app, project.version);
    const c = emptyComponent(`own:${app}`, app, 'library');
    c.version = project.version;
    c.purl = purl;
    c.supplier = root.supplier;
    c.manufacturer = root.manufacturer;
    c.properties.push({ name: 'beambake:source', value: 'project' });
    own.push(c);
    edges.push({ from: root.id, to: c.id, type: 'CONTAINS' });
  }

  const otp = otpComponents(project, opts);
  for (const c of [otp.erts, ...otp.apps]) {
    edges.push({ from: root.id, to: c.id, type: 'DEPENDS_ON' });
    aggregates.set(c.id, 'unknown');
  }
  // The root's direct dependencies are known when the project file named them and its application list was readable.
  const rootKnown = (project.packages.length === 0 || project.packages.some((p) => p.direct)) && otp.complete;
  aggregates.set(root.id, rootKnown ? 'complete' : 'incomplete');

  const components = [root, ...own, ...built.map((x) => x.b.component), otp.erts, ...otp.apps];
  const byAggregate = new Map<CompositionAggregate, string[]>();
  for (const [id, agg] of aggregates) {
    const ids = byAggregate.get(agg);
    if (ids) ids.push(id);
    else byAggregate.set(agg, [id]);
  }
  return {
    metadata: {
      name: project.version !== undefined ? `${name}-${project.version}` : name,
      root: root.id,
      timestamp: timestamp ? isoSeconds(timestamp) : undefined,
      authors: opts.author ? [opts.author] : [],
      manufacturer: opts.manufacturer ?? opts.author,
      tools: [{ name: 'beambake' }],
    },
    components,
    edges,
    compositions: [...byAggregate].map(([aggregate, assemblies]) => ({ aggregate, assemblies })),
    vex: [],
  };
}

/** The layer's `<app>.cdx.json`: CycloneDX 1.6 JSON of the project (what `beambake recipe` writes). */
export async function renderLayerSbom(project: Project, opts: ProjectSbomOptions = {}): Promise<string> {
  // the same text as writeSbom(graph, 'cyclonedx-json')
  return cyclonedxJsonText(canonicalize(await projectToSbomGraph(project, opts)));
}
