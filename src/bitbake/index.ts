/**
 * `beambake recipe` as a library call: read the project, resolve where the
 * application itself comes from, render the layer files, then write them
 * atomically or compare them (`check`).
 */
import { packageVersion } from '../util/package.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BeambakeError } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import type { Project } from '../model.js';
import { resolveAppSource, type AppSource } from './appsource.js';
import { diffLayer, layerConfIsOurs, templateFiles, writeLayer, type LayerFile, type LayerPlan } from './layer.js';
import { appLicense } from './license.js';
import { DEFAULT_RELEASE, releaseInfo } from './releases.js';
import { collectionName, renderLayerConf, renderRecipe, type RenderedRecipe } from './render.js';
import { type BbText } from './template.js';

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
}

export interface RecipeResult {
  layerDir: string;
  recipe: RenderedRecipe;
  /** The layer SBOM (CycloneDX 1.6 JSON), relative to the layer. */
  sbomPath: string;
  /** Files written (or compared), relative to the layer. */
  files: string[];
  warnings: string[];
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

export async function recipe(opts: RecipeOptions): Promise<RecipeResult> {
  const release = releaseInfo(opts.yocto ?? DEFAULT_RELEASE);
  const repoUrls = parseRepoUrls(opts.repoUrls);
  const project = await loadProject(opts);
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
  const rendered = renderRecipe(pinned, {
    release,
    appSource: source,
    license,
    repoUrls,
    allowUnpinned: opts.allowUnpinned ?? false,
    input,
    beambakeVersion: version,
    collection: collectionName(basename(layerDir)),
    ...(description(project) ? { summary: description(project)! } : {}),
    ...(opts.extraRecipeLines ? { extraRecipeLines: opts.extraRecipeLines } : {}),
    ...(extraIncLines.length > 0 ? { extraIncLines } : {}),
    ...(vendored ? { vendor: { verified: vendored.verified, outerComputed: vendored.outerComputed } } : {}),
  });
  const warnings = [...project.warnings, ...sourceWarnings, ...license.warnings, ...(vendored?.warnings ?? [])];
  if (rendered.summary.unpinned.length > 0) {
    warnings.push(`UNPINNED (--allow-unpinned): ${rendered.summary.unpinned.join(', ')} have no outer checksum; nothing verifies their tarballs`);
  }

  const sbom = await layerSbom(pinned, rendered, repoUrls, vendored?.files);
  const plan = await planLayer(layerDir, rendered, sbom, release.name, version, warnings);
  const files = plan.files.map((f) => f.path);
  if (opts.check) {
    if (!existsSync(layerDir)) return { layerDir, recipe: rendered, sbomPath: sbom.path, files, warnings, stale: true, missing: true, diff: '' };
    if (opts.ignoreAppRevision) await keepAppRevisionOnDisk(layerDir, plan, rendered.recipePath);
    const diff = await diffLayer(layerDir, plan);
    return { layerDir, recipe: rendered, sbomPath: sbom.path, files, warnings, stale: diff.length > 0, diff };
  }
  await writeLayer(layerDir, plan);
  return { layerDir, recipe: rendered, sbomPath: sbom.path, files, warnings };
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
    onDisk = await readFile(join(layerDir, recipePath), 'utf8');
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
async function layerSbom(project: Project, rendered: RenderedRecipe, repoUrls: ReadonlyMap<string, string>, vendorFiles?: ReadonlyMap<string, string>) {
  const { renderLayerSbom } = await import('../sbom/from-project.js');
  const text = await renderLayerSbom(project, {
    ...(repoUrls.size > 0 ? { hexRepoUrls: Object.fromEntries(repoUrls) } : {}),
    ...(vendorFiles ? { vendorFiles } : {}),
  });
  return { path: `${dirname(rendered.recipePath)}/${rendered.pn}.cdx.json`, text };
}

async function planLayer(
  layerDir: string,
  rendered: RenderedRecipe,
  sbom: { path: string; text: string },
  yocto: string,
  version: string,
  warnings: string[],
): Promise<LayerPlan> {
  const text = (path: string, s: string): LayerFile => ({ path, data: Buffer.from(s, 'utf8'), executable: false });
  const templates = templateFiles();
  const files: LayerFile[] = [...templates.files, text(rendered.recipePath, rendered.recipe), text(rendered.incPath, rendered.inc), text(sbom.path, sbom.text)];
  if (await layerConfIsOurs(layerDir)) {
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
  const recipeDir = dirname(rendered.recipePath);
  const legacyDir = `recipes-beam/${rendered.app}`;
  const ownedDirs = legacyDir === recipeDir ? [recipeDir] : [recipeDir, legacyDir];
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), ownedDirs, ownedEntries: templates.entries };
}

export type { AppSource, RenderedRecipe };
