/**
 * SBOM writers: one component graph in, one document out, in CycloneDX 1.6
 * (JSON, XML), SPDX 3.0.1 JSON-LD or SPDX 2.3 JSON. Output is deterministic:
 * components and edges sorted, identifiers derived from content, the only
 * timestamp the graph's own (SOURCE_DATE_EPOCH upstream).
 *
 * Each writer is a generator of text chunks, so `writeSbomToStream` can emit
 * a very large graph without building the document string.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { SbomGraph } from '../model.js';
import { canonicalize, type CanonicalGraph } from './canonical.js';
import { cyclonedxJsonChunks } from './cyclonedx-json.js';
import { cyclonedxXmlChunks } from './cyclonedx-xml.js';
import { spdx2Chunks } from './spdx2.js';
import { spdx3Chunks } from './spdx3.js';
import { BeambakeError } from '../../util/errors.js';
import { joinedPieces } from '../../util/flat.js';

export const SBOM_FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** Conventional file suffix per format (`app.cdx.json`, `app.spdx3.json`, ...). */
export const SBOM_SUFFIX: Record<SbomFormat, string> = {
  'cyclonedx-json': '.cdx.json',
  'cyclonedx-xml': '.cdx.xml',
  'spdx3-json': '.spdx3.json',
  'spdx2-json': '.spdx.json',
};

const WRITERS: Record<SbomFormat, (cg: CanonicalGraph) => Generator<string>> = {
  'cyclonedx-json': cyclonedxJsonChunks,
  'cyclonedx-xml': cyclonedxXmlChunks,
  'spdx3-json': spdx3Chunks,
  'spdx2-json': spdx2Chunks,
};

function writerFor(format: SbomFormat): (cg: CanonicalGraph) => Generator<string> {
  const w = WRITERS[format];
  if (!w) throw new BeambakeError('INVALID_ARGUMENT', `unknown SBOM format "${format}" (expected one of ${SBOM_FORMATS.join(', ')})`);
  return w;
}

/** The chunks of the document; joined they are exactly `writeSbom`'s result. */
export function sbomChunks(graph: SbomGraph, format: SbomFormat): Generator<string> {
  return writerFor(format)(canonicalize(graph));
}

export function writeSbom(graph: SbomGraph, format: SbomFormat): string {
  let out = '';
  for (const chunk of sbomChunks(graph, format)) out += chunk;
  return out;
}

/** Bytes a stream may hold queued before the writer waits for it to drain. */
const STREAM_QUEUE = 1 << 22;

/**
 * Write the document to a stream, honouring backpressure, batching small
 * chunks. The graph is checked before the first byte is written, so an invalid
 * graph never leaves half a document behind. The writer waits only once
 * several MiB are queued, not at the stream's 16 KiB mark: making the next
 * chunks overlaps the file system writing the last ones (waiting at every
 * chunk left the process idle for a sixth of a large merge's writing).
 */
export async function writeSbomToStream(graph: SbomGraph, format: SbomFormat, stream: Writable): Promise<void> {
  const chunks = sbomChunks(graph, format);
  // between waits nothing else listens: an error (a full disk) is kept and ends the writing
  let failed: unknown;
  const onError = (e: unknown): void => {
    failed ??= e;
  };
  stream.on('error', onError);
  try {
    for (const piece of joinedPieces(chunks, 1 << 20)) {
      if (failed !== undefined) throw failed;
      stream.write(piece);
      // a turn of the event loop lets the stream start its next write while the next megabyte is made
      if (stream.writableLength >= STREAM_QUEUE) await once(stream, 'drain');
      else await new Promise(setImmediate);
    }
    if (stream.writableNeedDrain) await once(stream, 'drain');
    if (failed !== undefined) throw failed;
  } finally {
    stream.off('error', onError);
  }
}
