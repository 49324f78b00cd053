/**
 * `beambake recipe` as a library call: read the project, resolve where the
 * application itself comes from, render the layer files, then write them
 * atomically or compare them (`check`).
 */
import { packageVersion } from '../util/package.js';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { BeambakeError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import { inScopes, type Project, type Scope } from '../model.js';
import { resolveAppSource, type AppSource } from './appsource.js';
import { diffLayer, layerConfIsOurs, templateFiles, writeLayer, type LayerFile, type LayerPlan } from './layer.js';
import { appLicense } from './license.js';
import { DEFAULT_RELEASE, releaseInfo } from './releases.js';
import { collectionName, renderLayerConf, renderRecipe, type RenderedRecipe } from './render.js';
import { assignment, comments, type BbText } from './template.js';
import * as v from './validate.js';
import { recipeName } from './names.js';
import { shadowNotice } from './shadow.js';

export { YOCTO_RELEASES } from './releases.js';

export interface RecipeOptions {
  /** Project directory or lockfile. */
  path: string;
  /** Layer directory to write or check. */
  outDir: string;
  yocto?: string;
  source?: string;
  branch?: string;
  allowUnpinned?: boolean;
  check?: boolean;
  /**
   * With `check`: compare everything but the application's own `SRCREV`. A
   * layer committed inside the application's repository moves HEAD with
   * every commit, so that one line can never be current there.
   */
  ignoreAppRevision?: boolean;
  /** `NAME=URL` pairs. */
  repoUrls?: string[];
  appName?: string;
  appVersion?: string;
  /** SPDX expression overriding what the project declares. */
  license?: string;
  /** `--release NAME`: only this release's recipe (default: one per release the project defines). */
  release?: string;
  /** Scopes beyond prod whose dependencies the recipe fetches too (`--include-scope`). */
  includeScopes?: readonly Scope[];
  /** A project already read (tests, other commands); otherwise readProject(path). */
  project?: Project;
  extraRecipeLines?: BbText[];
  extraIncLines?: BbText[];
  /**
   * `--vendor`: directories of vendored Hex tarballs. Every tarball found is
   * verified; licences, licence files, descriptions and missing outer
   * checksums then come from the verified ones (see vendored.ts).
   */
  vendorDirs?: string[];
  /**
   * `--assume-gleam-native`: a layer of the build provides gleam-native, so a Gleam
   * recipe is written for a release whose meta-erlang has none.
   */
  assumeGleamNative?: boolean;
}

export interface RecipeResult {
  layerDir: string;
  /** The first (or only) recipe written. */
  recipe: RenderedRecipe;
  /** Every recipe written: one per release when the project defines releases. */
  recipes: RenderedRecipe[];
  /** The layer SBOM (CycloneDX 1.6 JSON) of the first recipe, relative to the layer. */
  sbomPath: string;
  sbomPaths: string[];
  /** Files written (or compared), relative to the layer. */
  files: string[];
  warnings: string[];
  /** Dependencies left out by scope (dev/test), sorted by app. */
  leftOut: { app: string; scope: Scope }[];
  /** With `check`: true when the layer on disk differs (or does not exist). */
  stale?: boolean;
  /** With `check`: the layer directory does not exist at all (then `diff` is empty). */
  missing?: boolean;
  diff?: string;
}

export function beambakeVersion(): string {
  return packageVersion();
}

export function parseRepoUrls(pairs: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new BeambakeError('INVALID_ARGUMENT', `--hex-repo wants NAME=URL, got ${JSON.stringify(pair.slice(0, 80))}`, { entry: '--hex-repo' });
    }
    out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

async function loadProject(opts: RecipeOptions): Promise<Project> {
  if (opts.project) return opts.project;
  const { readProject } = await import('../lockfiles/index.js');
  return readProject(opts.path, {
    ...(opts.appName !== undefined ? { appName: opts.appName } : {}),
    ...(opts.appVersion !== undefined ? { appVersion: opts.appVersion } : {}),
  });
}

function declaredLicenses(project: Project): string[] | undefined {
  const l = (project as Project & { licenses?: unknown }).licenses;
  return Array.isArray(l) && l.every((x) => typeof x === 'string') ? (l as string[]) : undefined;
}

function description(project: Project): string | undefined {
  const d = (project as Project & { description?: unknown }).description;
  return typeof d === 'string' && /^[A-Za-z0-9 .,:()/+_@&!?'-]{1,200}$/.test(d) ? d : undefined;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/**
 * A recipe needs a name and a version. One the build computes from git
 * (`{vsn, git}`, relx `semver`) is computed here the same way, from the
 * checkout the recipe is made from; anything else unknown is an error naming
 * the flag that supplies it.
 */
async function withIdentity(project: Project, warnings: string[]): Promise<Project> {
  if (project.name !== undefined && project.version !== undefined) return project;
  const src = project.versionSource;
  if (project.name !== undefined && (src?.kind === 'git' || src?.kind === 'semver')) {
    const { gitDescribeVersion } = await import('../project/version.js');
    const found = gitDescribeVersion(resolve(project.directory ?? dirname(project.lockfile)));
    if (found) {
      warnings.push(`version ${found.version} computed as rebar3 does for {vsn, ${src.kind}} (${found.how}); --app-version overrides it`);
      return { ...project, version: found.version };
    }
  }
  throw new BeambakeError('PROJECT_UNREADABLE', project.identityProblem ?? 'the project name or version is unknown; pass --app-name / --app-version', {
    file: project.projectFile ?? project.directory ?? project.lockfile,
  });
}

/** One recipe to write: the project as a whole, or one of its releases. */
interface Target {
  project: Project;
  /** The release this recipe builds (BEAM_MIX_RELEASE / BEAM_REBAR3_RELEASE), with its own applications. */
  release?: { name: string; apps: string[]; packages?: string[] };
}

/**
 * A project that defines releases (relx, mix.exs `releases:`) gets one recipe
 * per release (or the one `--release` names), named and versioned as the
 * release; any other project one recipe named after itself.
 */
async function recipeTargets(read: Project, opts: RecipeOptions, warnings: string[]): Promise<Target[]> {
  const releases = read.releases ?? [];
  if (releases.length === 0) {
    if (opts.release !== undefined) {
      throw new BeambakeError('INVALID_ARGUMENT', `--release ${opts.release}: the project defines no releases (relx in rebar.config, releases: in mix.exs)`, {
        file: read.projectFile ?? read.directory ?? read.lockfile,
      });
    }
    return [{ project: await withIdentity(read, warnings) }];
  }
  const chosen = opts.release === undefined ? releases : releases.filter((r) => r.name === opts.release);
  if (chosen.length === 0) {
    throw new BeambakeError('INVALID_ARGUMENT', `--release ${opts.release}: no such release (the project defines ${releases.map((r) => r.name).join(', ')})`, {
      file: read.projectFile ?? read.directory ?? read.lockfile,
    });
  }
  const out: Target[] = [];
  for (const r of chosen) {
    const version = opts.appVersion ?? r.version;
    // --app-name names the recipe of the one release written; BEAM_*_RELEASE stays the release's name.
    const name = chosen.length === 1 && opts.appName !== undefined ? opts.appName : r.name;
    const identified = await withIdentity(
      {
        ...read,
        name,
        ...(version !== undefined ? { version } : { version: undefined }),
        ...(r.versionSource ? { versionSource: r.versionSource } : {}),
        identityProblem: `release ${r.name}: the version is computed when the project builds and cannot be derived here; pass --app-version`,
      },
      warnings,
    );
    out.push({ project: identified, release: { name: r.name, apps: r.apps, ...(r.packages ? { packages: r.packages } : {}) } });
  }
  return out;
}

/**
 * beambake-gleam.bbclass builds with gleam-native, which only meta-erlang master (wrynose) has.
 * beambake does not ship one: gleam is a Rust program of ~800 pinned crates that needs a newer
 * Rust than scarthgap's, so a backported recipe could not be built or tested here.
 */
function gleamNativeMissing(project: Project, release: string): BeambakeError {
  return new BeambakeError(
    'INVALID_ARGUMENT',
    `Gleam recipes build with gleam-native, which meta-erlang provides only on its master branch (Yocto wrynose), not for ${release}: ` +
      'use --yocto wrynose, or add a layer that provides gleam-native and pass --assume-gleam-native',
    { file: project.lockfile },
  );
}

export async function recipe(opts: RecipeOptions): Promise<RecipeResult> {
  const release = releaseInfo(opts.yocto ?? DEFAULT_RELEASE);
  const repoUrls = parseRepoUrls(opts.repoUrls);
  const identityWarnings: string[] = [];
  const read = await loadProject(opts);
  if (read.buildTool === 'gleam' && !release.metaErlangGleamNative && !opts.assumeGleamNative) throw gleamNativeMissing(read, release.name);
  const targets = await recipeTargets(read, opts, identityWarnings);
  // Only what the build needs: prod (compile-time-only deps included) and the scopes asked for.
  const scopes = new Set(opts.includeScopes ?? []);
  const leftOut = read.packages.filter((p) => !inScopes(p, scopes, { build: true })).map((p) => ({ app: p.app, scope: p.scope ?? 'prod' }));
  const project: Project = { ...read, packages: read.packages.filter((p) => inScopes(p, scopes, { build: true })) };
  const lockfile = resolve(project.lockfile);
  const projectDir = resolve(project.directory ?? dirname(lockfile));
  let lockData: Buffer;
  try {
    lockData = readFileSync(lockfile);
  } catch {
    lockData = Buffer.alloc(0);
  }
  const input = { path: toPosix(relative(projectDir, lockfile)) || basename(lockfile), sha256: sha256Hex(lockData) };

  const { source, warnings: sourceWarnings } = resolveAppSource({
    projectDir,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
  });
  const ownLicense = appLicense(projectDir, {
    ...(opts.license !== undefined ? { spdx: opts.license } : {}),
    ...(declaredLicenses(project) ? { declared: declaredLicenses(project)! } : {}),
  });
  // Loaded only with --vendor: it brings the verifier and the SPDX licence list.
  const vendored =
    opts.vendorDirs !== undefined && opts.vendorDirs.length > 0
      ? await (await import('./vendored.js')).vendoredFacts(project, ownLicense, opts.vendorDirs)
      : undefined;
  const pinned = vendored?.project ?? project;
  const license = vendored?.license ?? ownLicense;
  const layerDir = resolve(opts.outDir);
  const version = beambakeVersion();
  const extraIncLines = [...(opts.extraIncLines ?? []), ...(vendored?.incLines ?? [])];
  const warnings = [...project.warnings, ...identityWarnings, ...sourceWarnings, ...license.warnings, ...(vendored?.warnings ?? [])];

  const outputs: { rendered: RenderedRecipe; sbom: { path: string; text: string } }[] = [];
  for (const target of targets) {
    const one: Project = { ...pinned, name: target.project.name, version: target.project.version };
    const releaseLine = target.release
      ? [assignment(project.buildTool === 'mix' ? 'BEAM_MIX_RELEASE' : 'BEAM_REBAR3_RELEASE', v.appName(target.release.name, { entry: 'release', field: 'name' }))]
      : [];
    const shadow = shadowNotice(recipeName(one.name!), project);
    if (shadow) warnings.push(shadow);
    const extraRecipeLines = [...releaseLine, ...(shadow ? [comments([`Note: ${shadow}.`])] : []), ...(opts.extraRecipeLines ?? [])];
    const rendered = renderRecipe(one, {
      release,
      appSource: source,
      license,
      repoUrls,
      allowUnpinned: opts.allowUnpinned ?? false,
      input,
      beambakeVersion: version,
      collection: collectionName(basename(layerDir)),
      ...(description(project) ? { summary: description(project)! } : {}),
      ...(extraRecipeLines.length > 0 ? { extraRecipeLines } : {}),
      ...(extraIncLines.length > 0 ? { extraIncLines } : {}),
      ...(vendored ? { vendor: { verified: vendored.verified, outerComputed: vendored.outerComputed } } : {}),
    });
    if (rendered.summary.unpinned.length > 0 && outputs.length === 0) {
      warnings.push(`UNPINNED (--allow-unpinned): ${rendered.summary.unpinned.join(', ')} have no outer checksum; nothing verifies their tarballs`);
    }
    // The release's SBOM lists what that release holds, when the project says (a Mix umbrella's children declare it).
    const held = target.release?.packages ? new Set(target.release.packages) : undefined;
    const sbomProject = held ? { ...one, packages: one.packages.filter((p) => held.has(p.app) || (p.scope ?? 'prod') !== 'prod' || p.runtime === false) } : one;
    const sbom = await layerSbom(sbomProject, rendered, repoUrls, vendored?.files, [...scopes], target.release?.apps);
    outputs.push({ rendered, sbom });
  }

  const plan = await planLayer(layerDir, outputs, release.name, version, warnings);
  const files = plan.files.map((f) => f.path);
  const first = outputs[0]!;
  const result = {
    layerDir,
    recipe: first.rendered,
    recipes: outputs.map((o) => o.rendered),
    sbomPath: first.sbom.path,
    sbomPaths: outputs.map((o) => o.sbom.path),
    files,
    warnings,
    leftOut,
  };
  if (opts.check) {
    if (!existsSync(layerDir)) return { ...result, stale: true, missing: true, diff: '' };
    if (opts.ignoreAppRevision) for (const o of outputs) await keepAppRevisionOnDisk(layerDir, plan, o.rendered.recipePath);
    const diff = await diffLayer(layerDir, plan);
    return { ...result, stale: diff.length > 0, diff };
  }
  await writeLayer(layerDir, plan);
  return result;
}

/** The application's own revision in a recipe (`SRCREV_<name>` lines are dependencies). */
const APP_SRCREV = /^SRCREV = "([0-9a-f]{40})"$/m;

/**
 * `--check --ignore-app-revision`: the application's revision (in SRCREV, the
 * purl in SPDX_PACKAGE_URLS, the summary comment, the layer SBOM) is taken
 * from the recipe on disk into every planned file, so the comparison covers
 * everything else. Dependencies' SRCREV_<name> revisions stay compared.
 */
async function keepAppRevisionOnDisk(layerDir: string, plan: LayerPlan, recipePath: string): Promise<void> {
  const recipeFile = plan.files.find((f) => f.path === recipePath);
  if (!recipeFile) return;
  let onDisk: string;
  try {
    onDisk = await fsp.readFile(join(layerDir, recipePath), 'utf8');
  } catch {
    return; // no recipe there: the diff reports it
  }
  const oldRev = APP_SRCREV.exec(onDisk)?.[1];
  const newRev = APP_SRCREV.exec(recipeFile.data.toString('utf8'))?.[1];
  if (oldRev === undefined || newRev === undefined || oldRev === newRev) return;
  for (const f of plan.files) {
    const text = f.data.toString('utf8');
    if (text.includes(newRev)) f.data = Buffer.from(text.split(newRev).join(oldRev), 'utf8');
  }
}

/**
 * `recipes-beam/<pn>/<pn>.cdx.json`: the SBOM of what the recipe pins.
 * The SBOM code is imported here, not at the top, so commands that never
 * write a layer do not load it. No host tools are asked (versions of ERTS
 * and OTP applications stay unstated) and the only timestamp is
 * SOURCE_DATE_EPOCH, so the file is byte-identical across runs and machines.
 */
async function layerSbom(
  project: Project,
  rendered: RenderedRecipe,
  repoUrls: ReadonlyMap<string, string>,
  vendorFiles: ReadonlyMap<string, string> | undefined,
  includeScopes: Scope[],
  releaseApps?: string[],
) {
  const { renderLayerSbom } = await import('../sbom/from-project.js');
  // What the layer fetches: compile-time-only and asked-for dev/test deps appear as scope "excluded".
  const text = await renderLayerSbom(project, {
    includeScopes,
    includeBuildOnly: true,
    ...(releaseApps ? { releaseApps } : {}),
    ...(repoUrls.size > 0 ? { hexRepoUrls: Object.fromEntries(repoUrls) } : {}),
    ...(vendorFiles ? { vendorFiles } : {}),
  });
  return { path: `${dirname(rendered.recipePath)}/${rendered.pn}.cdx.json`, text };
}

async function planLayer(
  layerDir: string,
  outputs: { rendered: RenderedRecipe; sbom: { path: string; text: string } }[],
  yocto: string,
  version: string,
  warnings: string[],
): Promise<LayerPlan> {
  const text = (path: string, s: string): LayerFile => ({ path, data: Buffer.from(s, 'utf8'), executable: false });
  const templates = templateFiles();
  const files: LayerFile[] = [...templates.files];
  for (const { rendered, sbom } of outputs) {
    files.push(text(rendered.recipePath, rendered.recipe), text(rendered.incPath, rendered.inc), text(sbom.path, sbom.text));
  }
  if (layerConfIsOurs(layerDir)) {
    files.push(text('conf/layer.conf', renderLayerConf({ release: releaseInfo(yocto), beambakeVersion: version, collection: collectionName(basename(layerDir)) })));
  } else {
    warnings.push(`${join(layerDir, 'conf', 'layer.conf')} was not written by beambake; left as it is (check LAYERDEPENDS and LAYERSERIES_COMPAT yourself)`);
  }
  if (!templates.files.some((f) => f.path.startsWith('classes/'))) {
    warnings.push('meta-beam-templates/classes/ is empty: the layer has no beambake classes yet');
  }
  // Layers from beambake before recipes were named the OpenEmbedded way kept them in
  // recipes-beam/<app>/ (`hello_beam_0.1.0.bb`, which BitBake misreads): that directory is ours
  // too, so regenerating removes the old recipe instead of leaving BitBake two.
  const ownedDirs = [
    ...new Set(
      outputs.flatMap(({ rendered }) => {
        const recipeDir = dirname(rendered.recipePath);
        const legacyDir = `recipes-beam/${rendered.app}`;
        return legacyDir === recipeDir ? [recipeDir] : [recipeDir, legacyDir];
      }),
    ),
  ].sort();
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), ownedDirs, ownedEntries: templates.entries };
}

export type { AppSource, RenderedRecipe };
