/**
 * Licence expressions as the writers need them: is this a valid SPDX
 * expression, and can it be written as a plain list of licence ids
 * (CycloneDX allows several ids OR exactly one expression, never two
 * expressions, so declared + concluded compound licences need care).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type parseType from 'spdx-expression-parse';
import { isListedSpdxId } from '../../util/spdx-ids.js';

type Info = ReturnType<typeof parseType>;

// Both are required on first use, not imported: this module is on `beambake recipe`'s path (the
// layer SBOM), and a lockfile without licences never needs them (~20 ms of CommonJS loading).
// Not the library's index: it loads every model and serializer (~100 ms).
const lazyRequire = createRequire(import.meta.url);
let parse: typeof parseType | undefined;
let isSupportedSpdxId: ((id: string) => boolean) | undefined;

/**
 * The same `enum`, space-separated, put into dist/bin/cli.cjs by
 * scripts/bundle.mjs from the library it bundles against: the bin then neither
 * resolves the package nor parses its JSON on `beambake recipe`'s path.
 * Undefined when running from dist/src.
 */
declare const __CYCLONEDX_SPDX_IDS__: string | undefined;

const cache = new Map<string, Info | null>();

/** The parsed expression, or null when the text is not a valid SPDX licence expression. */
export function parseSpdx(expr: string): Info | null {
  let hit = cache.get(expr);
  if (hit === undefined) {
    // One licence id of the list the parser itself checks against (current and deprecated ids) parses
    // to `{license}`: most components say just that, and the parser's modules are not loaded for it.
    if (isListedSpdxId(expr)) hit = { license: expr };
    else {
      try {
        parse ??= lazyRequire('spdx-expression-parse') as typeof parseType;
        hit = parse(expr);
      } catch {
        hit = null;
      }
    }
    cache.set(expr, hit);
  }
  return hit;
}

export function isSpdxExpression(expr: string | undefined): boolean {
  return expr !== undefined && parseSpdx(expr) !== null;
}

/** "NONE" and "NOASSERTION" are valid SPDX 2 values but say nothing about a licence. */
export function isLicenseFact(expr: string | undefined): expr is string {
  return expr !== undefined && expr !== '' && expr !== 'NONE' && expr !== 'NOASSERTION';
}

/** Licence ids the CycloneDX schema enumerates (the library's bundled SPDX list). */
export function isCyclonedxLicenseId(id: string): boolean {
  isSupportedSpdxId ??= cyclonedxSpdxIds();
  return isSupportedSpdxId(id);
}

/**
 * The ids of an AND-only expression of plain licences known to CycloneDX
 * (no OR, WITH, `+` or LicenseRef), or null when it needs the expression form.
 */
export function conjunctiveIds(expr: string): string[] | null {
  const info = parseSpdx(expr);
  if (!info) return null;
  const ids: string[] = [];
  const walk = (i: Info): boolean => {
    if ('conjunction' in i) return i.conjunction === 'and' && walk(i.left) && walk(i.right);
    if (i.plus || i.exception || !isCyclonedxLicenseId(i.license)) return false;
    ids.push(i.license);
    return true;
  };
  return walk(info) ? [...new Set(ids)] : null;
}

/**
 * The library's `isSupportedSpdxId` is membership in the `enum` of its bundled
 * spdx.SNAPSHOT.schema.json; that module also builds a lower-case lookup table
 * we never use (~10 ms at start-up), so the same file is read directly. Should
 * a library version move the file, its own function is used.
 */
function cyclonedxSpdxIds(): (id: string) => boolean {
  const list = typeof __CYCLONEDX_SPDX_IDS__ === 'string' ? __CYCLONEDX_SPDX_IDS__.split(' ') : schemaEnum();
  if (list) {
    const ids = new Set(list);
    return (id) => ids.has(id);
  }
  return (lazyRequire('@cyclonedx/cyclonedx-library/SPDX') as { isSupportedSpdxId: (id: string) => boolean }).isSupportedSpdxId;
}

/** The `enum` of the library's spdx.SNAPSHOT.schema.json, or undefined when the file is not where it was. */
function schemaEnum(): unknown[] | undefined {
  try {
    const lib = dirname(lazyRequire.resolve('@cyclonedx/cyclonedx-library/package.json'));
    const schema = lazyRequire(join(lib, 'res', 'schema', 'spdx.SNAPSHOT.schema.json')) as { enum?: unknown };
    return Array.isArray(schema.enum) ? schema.enum : undefined;
  } catch {
    return undefined;
  }
}
