/**
 * What the SBOM-merge benches share: each side of a comparison runs in a
 * child process of its own (so peak RSS is that side's alone), started the
 * same way and reporting one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

export interface ChildResult {
  ms: number;
  maxRssKb: number;
  detail: string;
}

/** In the child: time `work` and print its result line. */
export async function reportChild(work: () => Promise<string>): Promise<void> {
  const t0 = performance.now();
  const detail = await work();
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, detail }) + '\n');
}

/** In the parent: run `script --child mode input output` with this process's Node and flags. */
export function runChild(script: string, mode: string, input: string, output: string): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, script, '--child', mode, input, output], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

/** The baseline: the file read whole with JSON.parse and written whole with JSON.stringify. */
export function jsonRoundTrip(input: string, output: string): unknown {
  const doc = JSON.parse(readFileSync(input, 'utf8')) as unknown;
  writeFileSync(output, JSON.stringify(doc));
  return doc;
}

/** Fill a file through `write`, waiting until it is on disk. */
export async function streamToFile(output: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const out = createWriteStream(output);
  await write(out);
  out.end();
  await finished(out);
}

export const mb = (kb: number) => (kb / 1024).toFixed(0);
