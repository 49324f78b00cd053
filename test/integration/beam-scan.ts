/**
 * Looking for build paths in compiled .beam files the way beambake_deps scan-buildpaths does: a
 * plain byte search misses a path that sits only in a compressed part, so every compressed part
 * is searched too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';

/** Every .beam under `dir` (none when it does not exist), sorted absolute paths. */
export function beamFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...beamFiles(p));
    else if (name.endsWith('.beam')) out.push(p);
  }
  return out.sort();
}

/** Every .beam of a whole release: more than `min` of them, or a scan of them would prove nothing. */
export function releaseBeamFiles(release: string, min: number): string[] {
  const beams = beamFiles(release);
  assert.ok(beams.length > min, `expected the whole release, found ${beams.length} .beam files`);
  return beams;
}

/** The bytes of a .beam plus every compressed part (whole-file gzip, LitT literals, compressed external terms). */
function beamViews(raw: Buffer): Buffer[] {
  const data = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const views = [raw, data];
  if (data.subarray(0, 4).toString('latin1') !== 'FOR1' || data.subarray(8, 12).toString('latin1') !== 'BEAM') return views;
  const compressedTerm = Buffer.from([131, 80]);
  for (let pos = 12; pos + 8 <= data.length; ) {
    const id = data.subarray(pos, pos + 4).toString('latin1');
    const size = data.readUInt32BE(pos + 4);
    const body = data.subarray(pos + 8, pos + 8 + size);
    if (id === 'LitT' && size > 4 && body.readUInt32BE(0) !== 0) views.push(inflateSync(body.subarray(4)));
    for (let at = body.indexOf(compressedTerm); at >= 0; at = body.indexOf(compressedTerm, at + 2)) {
      try {
        views.push(inflateSync(body.subarray(at + 6)));
      } catch {
        // not a compressed term after all
      }
    }
    pos += 8 + ((size + 3) & ~3);
  }
  return views;
}

export function beamMentions(file: string, needle: string): boolean {
  return beamViews(readFileSync(file)).some((v) => v.includes(needle));
}

/** The files among `files` whose bytes or compressed parts hold `needle`. */
export function beamsMentioning(files: string[], needle: string): string[] {
  return files.filter((f) => beamMentions(f, needle));
}
