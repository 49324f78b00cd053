/** `beambake sbom merge` as a library call: read every input, merge, return the graph and the report. */
import { readSbom, type ReadOptions } from '../readers/index.js';
import { mergeSboms, type MergeOptions, type MergeResult } from './merge.js';

export { mergeSboms, type MergeOptions, type MergeResult, type Decision, type MergeCounts, type DeviceInfo } from './merge.js';
export { toOpenVex } from './openvex.js';
export { renderReport, reportJson } from './report.js';

export async function mergeFiles(paths: string[], opts: MergeOptions & ReadOptions): Promise<MergeResult> {
  const inputs = [];
  // one at a time: each reader streams its input, and reading in parallel would only add peak memory
  for (const p of paths) inputs.push(await readSbom(p, opts));
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
