/**
 * The SPDX licence list (`spdx-license-ids`) as sets, built on first use: the
 * current ids, and the deprecated ones `spdx-expression-parse` still accepts.
 * One copy for the Hex licence normaliser and the SBOM writers.
 */
import currentIds from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };

let current: ReadonlySet<string> | undefined;
let deprecated: ReadonlySet<string> | undefined;

/** The current ids, in the list's order. */
export const spdxIdList: readonly string[] = currentIds;

export function currentSpdxIds(): ReadonlySet<string> {
  return (current ??= new Set(currentIds));
}

export function deprecatedSpdxIds(): ReadonlySet<string> {
  return (deprecated ??= new Set(deprecatedIds));
}

/** Whether `id` is on the list, current or deprecated: a one-id expression spdx-expression-parse takes. */
export function isListedSpdxId(id: string): boolean {
  return currentSpdxIds().has(id) || deprecatedSpdxIds().has(id);
}
