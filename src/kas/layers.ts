/**
 * What `beambake kas` needs to know about the layers it adds, read from disk:
 * the releases each layer declares (LAYERSERIES_COMPAT, so a layer written for
 * another release is refused before kas or BitBake see it), the recipes whose
 * packages go into the image, and the Hex hosts the generated recipes fetch
 * from (for the mirror lines). Also where kas resolves the layer paths from.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BeambakeError } from '../util/errors.js';
import { readText } from '../util/files.js';

export interface LayerFacts {
  /** Absolute layer directory. */
  dir: string;
  /** BBFILE_COLLECTIONS names with the releases their LAYERSERIES_COMPAT lists, and where. */
  collections: { name: string; series: string[]; line: number }[];
  /** PN of each recipe in the layer (BitBake's rule: the file name up to the first `_`). */
  recipes: string[];
  /** `https://host/` prefixes of the Hex tarballs the layer's generated recipes fetch. */
  hexUrlPrefixes: string[];
}

const SERIES_LINE = /^\s*LAYERSERIES_COMPAT_([A-Za-z0-9_.+-]+)\s*(\?\?=|\?=|:=|\+=|=)\s*"([^"]*)"/;
const PN = /^[a-z0-9][a-z0-9+.-]*$/;

export function inspectLayer(dir: string): LayerFacts {
  const abs = resolve(dir);
  const confPath = join(abs, 'conf', 'layer.conf');
  const conf = readText(confPath, 'cannot read the layer configuration');
  const byName = new Map<string, { name: string; series: string[]; line: number }>();
  conf.split('\n').forEach((text, i) => {
    const m = SERIES_LINE.exec(text);
    if (!m) return;
    const series = m[3]!.split(/\s+/).filter(Boolean);
    const prev = byName.get(m[1]!);
    if (prev && m[2] === '+=') prev.series.push(...series);
    else byName.set(m[1]!, { name: m[1]!, series, line: i + 1 });
  });
  return { dir: abs, collections: [...byName.values()], recipes: recipesOf(abs), hexUrlPrefixes: hexPrefixesOf(abs) };
}

/**
 * Refuse a layer that does not declare `release`: BitBake would stop at its
 * layer.conf ("is not compatible with the core layer") after kas cloned everything.
 */
export function checkSeries(layer: LayerFacts, release: string): void {
  const file = join(layer.dir, 'conf', 'layer.conf');
  if (layer.collections.length === 0) {
    throw new BeambakeError('LAYER_INCOMPATIBLE', `sets no LAYERSERIES_COMPAT, so BitBake cannot tell whether it works with ${release}`, { file });
  }
  for (const c of layer.collections) {
    if (!c.series.includes(release)) {
      throw new BeambakeError(
        'LAYER_INCOMPATIBLE',
        `LAYERSERIES_COMPAT_${c.name} is "${c.series.join(' ')}", not ${release}: regenerate the layer with beambake recipe --yocto ${release}, or use --yocto ${c.series[c.series.length - 1] ?? release}`,
        { file, line: c.line },
      );
    }
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

/** `recipes-*\/*\/*.bb`, the BBFILES pattern of generated layers. */
function recipeFiles(layerDir: string): string[] {
  const out: string[] = [];
  for (const group of subdirs(layerDir).filter((n) => n.startsWith('recipes-'))) {
    for (const r of subdirs(join(layerDir, group))) {
      for (const f of readdirSync(join(layerDir, group, r)).sort()) if (f.endsWith('.bb')) out.push(join(layerDir, group, r, f));
    }
  }
  return out;
}

function recipesOf(layerDir: string): string[] {
  const names = new Set<string>();
  for (const file of recipeFiles(layerDir)) {
    const base = file.slice(file.lastIndexOf(sep) + 1, -'.bb'.length);
    const pn = base.split('_')[0]!;
    if (!PN.test(pn)) {
      throw new BeambakeError('UNSAFE_VALUE', `recipe name ${JSON.stringify(pn.slice(0, 80))} is not a package name kas can add to IMAGE_INSTALL`, { file });
    }
    names.add(pn);
  }
  return [...names].sort();
}

/** Hosts of the `hex-*.tar` downloads in the generated `*-beam-deps.inc` files. */
function hexPrefixesOf(layerDir: string): string[] {
  const prefixes = new Set<string>();
  for (const bb of recipeFiles(layerDir)) {
    const dir = dirname(bb);
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('-beam-deps.inc')) continue;
      for (const m of readText(join(dir, f)).matchAll(/\b(https:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?\/)[^\s;"]*;downloadfilename=hex-/g)) prefixes.add(m[1]!);
    }
  }
  return [...prefixes].sort();
}

/**
 * The directory kas resolves the layers of a repository entry without `url`
 * and `path` against: the top of the git checkout holding the kas file (the
 * super-project's for a submodule), else the kas file's directory. Same rule
 * and same git command as kas's Repo.get_root_path.
 */
export function kasRootFor(kasFile: string): string {
  let dir = dirname(resolve(kasFile));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const r = spawnSync('git', ['rev-parse', '--show-toplevel', '--show-superproject-working-tree'], { cwd: dir, encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim().split('\n').sort()[0]!;
  const own = dirname(resolve(kasFile));
  return existsSync(own) ? realpathSync(own) : own;
}

/** `layer` relative to `root`, `/`-separated, as a kas layer name. */
export function layerPathFrom(root: string, layer: string): string {
  const rel = relative(root, realpathSync(layer)).split(sep).join('/');
  return rel === '' ? '.' : rel;
}
