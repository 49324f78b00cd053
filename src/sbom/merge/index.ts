/** `beambake sbom merge` as a library call: read every input, merge, return the graph and the report. */
import { readSbom, type ReadOptions } from '../readers/index.js';
import { mergeSboms, type MergeOptions, type MergeResult } from './merge.js';

export { mergeSboms, type MergeOptions, type MergeResult, type Decision, type MergeCounts, type DeviceInfo } from './merge.js';
export { toOpenVex } from './openvex.js';
export { renderReport, reportJson } from './report.js';

/** What a merge of files reports as it goes (the CLI draws it on a terminal: a large merge takes seconds). */
export interface MergeProgress {
  /** Input `index` (from 0) of `count` is read next. */
  reading(path: string, index: number, count: number): void;
  /** `bytes` more of the input being read. */
  read(bytes: number): void;
  /** Every input is read; the merge of their `components` starts. */
  merging(components: number): void;
}

export async function mergeFiles(paths: string[], opts: MergeOptions & ReadOptions, progress?: MergeProgress): Promise<MergeResult> {
  const inputs = [];
  const readOpts: ReadOptions = progress ? { ...opts, onBytes: (n) => progress.read(n) } : opts;
  // one at a time: each reader streams its input, and reading in parallel would only add peak memory
  for (const [k, p] of paths.entries()) {
    progress?.reading(p, k, paths.length);
    inputs.push(await readSbom(p, readOpts));
  }
  progress?.merging(inputs.reduce((n, i) => n + i.graph.components.length, 0));
  return mergeSboms(inputs, opts);
}

/** The newest creation time of the inputs, for documents that need a timestamp when SOURCE_DATE_EPOCH is unset. */
export function newestInputTime(r: MergeResult): string | undefined {
  let best: number | undefined;
  for (const i of r.inputs) {
    const t = i.created ? Date.parse(i.created) : NaN;
    if (!Number.isNaN(t) && (best === undefined || t > best)) best = t;
  }
  return best === undefined ? undefined : new Date(best).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
