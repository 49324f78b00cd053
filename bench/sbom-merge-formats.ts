/**
 * Scale benchmark for `beambake sbom merge` on every input format: one
 * generated firmware graph of 110,000 components and 220,000 dependency edges
 * (the size of the vendor CycloneDX SBOM in the device SBOM issue: 51.5 MB as
 * CycloneDX JSON) is written as CycloneDX 1.6 JSON, CycloneDX 1.6 XML, SPDX
 * 3.0.1 JSON-LD and SPDX 2.3 JSON by beambake's own writers, then each file is
 * measured in child processes started the same way:
 *   baseline: JSON.parse + JSON.stringify of the file (for the XML input, of
 *             the CycloneDX JSON of the same graph: there is no JSON.parse of XML)
 *   merge:    read + merge + CycloneDX 1.6 JSON streamed to a file
 *   (XML only) the streaming XML parser alone, the floor of any XML reader
 *   (CycloneDX JSON only) a minimal merge: what any merge of this input must
 *             at least do, with none of beambake's checks (see minimalMerge)
 * and prints wall time and peak RSS of the merge as ratios to the baseline
 * (target: <= 3x time and <= 3x memory for every input format). Each pair is
 * run BENCH_RUNS times (default 3), interleaved, and the fastest run of each
 * side is compared.
 *
 * Run: npm run bench -- sbom-merge-formats   (or node dist/bench/sbom-merge-formats.js [components])
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Component, Edge, SbomGraph } from '../src/sbom/model.js';
import { seededHex as hex } from './lib/generate.js';
import { jsonRoundTrip, mb, reportChild, runChild, streamToFile, type ChildResult } from './lib/child.js';

const LICENSES = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-2.0-only', 'LGPL-2.1-or-later', 'ISC', 'Zlib'];

/** The firmware graph: n components, 2n dependency edges (a chain through all of them, so every one is reachable, plus one pseudo-random edge each). */
function firmwareGraph(n: number): SbomGraph {
  const components: Component[] = [];
  const edges: Edge[] = [];
  const root: Component = { id: 'firmware', type: 'firmware', name: 'vendor-firmware', version: '4.2.0', cpes: [], authors: [], hashes: [], licenses: {}, externalRefs: [], properties: [], sources: [], supplier: { name: 'Vendor GmbH', urls: ['https://vendor.example'] } };
  components.push(root);
  for (let i = 0; i < n; i++) {
    const name = `lib${hex(i, 6)}-${i}`;
    const version = `${1 + (i % 9)}.${i % 17}.${i % 5}`;
    components.push({
      id: `c${i}`,
      type: 'library',
      name,
      version,
      purl: `pkg:generic/${name}@${version}`,
      cpes: [],
      supplier: { name: `Supplier ${i % 97}` },
      authors: [],
      hashes: [{ alg: 'SHA-256', value: hex(i, 64) }],
      licenses: { declared: LICENSES[i % LICENSES.length] },
      externalRefs: [],
      properties: [],
      sources: [],
    });
  }
  edges.push({ from: 'firmware', to: 'c0', type: 'DEPENDS_ON' });
  for (let i = 0; i < n; i++) {
    edges.push({ from: `c${i}`, to: `c${(i + 1) % n}`, type: 'DEPENDS_ON' });
    const j = (i * 7919 + 13) % n;
    edges.push({ from: `c${i}`, to: `c${j === i || j === (i + 1) % n ? (j + 2) % n : j}`, type: 'DEPENDS_ON' });
  }
  edges.pop(); // 220,000 edges for 110,000 components with the root edge
  return {
    metadata: { name: 'vendor-firmware 4.2.0', root: 'firmware', timestamp: '2024-01-01T00:00:00Z', authors: [{ name: 'Vendor GmbH', urls: ['https://vendor.example'] }], tools: [{ name: 'bench' }], serialNumber: 'urn:uuid:6b1f0c2e-4d3a-4f5b-8c7d-9e0a1b2c3d4e' },
    components,
    edges,
    compositions: [],
    vex: [],
  };
}

/**
 * The least any reader of the XML input can cost: the streaming parser the
 * CycloneDX XML reader uses (saxes, strict XML 1.0 with namespaces and
 * positions, as xml-stream.ts configures it), with no tree built and nothing
 * kept. Printed beside the XML ratio: the part of it no reader code can remove.
 */
async function xmlParserAlone(input: string): Promise<string> {
  const { SaxesParser } = await import('saxes');
  const { XML_PARSER_OPTIONS } = await import('../src/sbom/readers/xml-stream.js');
  const { createReadStream } = await import('node:fs');
  const { StringDecoder } = await import('node:string_decoder');
  const parser = new SaxesParser(XML_PARSER_OPTIONS);
  let elements = 0;
  parser.on('opentag', () => elements++);
  parser.on('text', () => undefined);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) parser.write(decoder.write(chunk as Buffer));
  parser.write(decoder.end());
  parser.close();
  return `${elements} elements`;
}

/**
 * The least a merge of the CycloneDX JSON input does, written as plainly as
 * possible: the file parsed whole (faster than any streaming reader), one
 * object per component with a new id, dependencies linked through a map, the
 * components sorted by id and written back as indented CycloneDX (as the
 * writer does). No identity rules, no validation, no reachability or no-loss
 * proof, no BSI/NTIA field mapping: printed beside the JSON ratio, it shows how
 * much of the 3x budget any JavaScript merge that builds objects spends before
 * doing any of that.
 */
async function minimalMerge(input: string, output: string): Promise<string> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { hash } = await import('node:crypto');
  // the document as JSON.parse gives it, untyped as the baseline reads it
  type Cdx = Record<string, any>;
  const doc = JSON.parse(readFileSync(input, 'utf8')) as Cdx;
  interface Node { id: string; o: Cdx; targets: Node[] }
  const byRef = new Map<string, Node>();
  const nodes: Node[] = (doc.components as Cdx[]).map((o) => {
    const n: Node = { id: `${o.name}-${hash('sha256', String(o['bom-ref']), 'hex').slice(0, 12)}`, o, targets: [] };
    byRef.set(o['bom-ref'], n);
    return n;
  });
  for (const d of doc.dependencies as Cdx[]) {
    const from = byRef.get(d.ref);
    for (const t of d.dependsOn ?? []) {
      const to = byRef.get(t);
      if (from && to) from.targets.push(to);
    }
  }
  nodes.sort((a, b) => (a.id < b.id ? -1 : 1));
  const components = nodes.map(({ id, o }) => ({
    type: o.type,
    'bom-ref': id,
    supplier: o.supplier,
    name: o.name,
    version: o.version,
    hashes: o.hashes?.map((h: Cdx) => ({ alg: h.alg, content: String(h.content).toLowerCase() })),
    licenses: o.licenses,
    purl: o.purl,
    properties: [{ name: 'beambake:origin', value: o['bom-ref'] }],
  }));
  const dependencies = nodes.map((n) => ({ ref: n.id, dependsOn: n.targets.map((t) => t.id).sort() }));
  writeFileSync(output, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: doc.metadata, components, dependencies }, null, 2));
  return `${components.length} components`;
}

async function child(mode: string, input: string, output: string): Promise<void> {
  await reportChild(async () => {
    if (mode === 'baseline') {
      jsonRoundTrip(input, output);
      return 'parsed and written';
    }
    if (mode === 'xml-parser') return xmlParserAlone(input);
    if (mode === 'minimal-merge') return minimalMerge(input, output);
    const { readSbom } = await import('../src/sbom/readers/index.js');
    const { mergeSboms } = await import('../src/sbom/merge/index.js');
    const { writeSbomToStream } = await import('../src/sbom/writers/index.js');
    // what `sbom merge` does (mergeFiles), in steps: the split says where the time goes
    const t0 = performance.now();
    const read = await readSbom(input);
    const t1 = performance.now();
    const r = mergeSboms([read], { product: 'Bench', productVersion: '1', manufacturer: 'Bench' });
    const t2 = performance.now();
    await streamToFile(output, (out) => writeSbomToStream(r.graph, 'cyclonedx-json', out));
    const t3 = performance.now();
    const s = (ms: number) => (ms / 1000).toFixed(1);
    return `read ${s(t1 - t0)} s, merge ${s(t2 - t1)} s, write ${s(t3 - t2)} s; in ${r.counts.in.components} components / ${r.counts.in.edges} relationships, out ${r.counts.out.components} components / ${r.counts.out.edges} edges, ${r.counts.reachable} reachable`;
  });
}

const run = (mode: string, input: string, output: string): ChildResult => runChild(fileURLToPath(import.meta.url), mode, input, output);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2]!, args[3]!);
  const n = Number(args[0] ?? 110_000);
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const only = args.slice(1);
  // BENCH_KEEP_DIR keeps the generated inputs (for profiling one format by hand)
  const keep = process.env.BENCH_KEEP_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'beambake-bench-formats-'));
  try {
    const { writeSbomToStream } = await import('../src/sbom/writers/index.js');
    const graph = firmwareGraph(n);
    const files: Record<string, string> = {};
    for (const [format, suffix] of [['cyclonedx-json', 'cdx.json'], ['cyclonedx-xml', 'cdx.xml'], ['spdx3-json', 'spdx3.json'], ['spdx2-json', 'spdx.json']] as const) {
      const f = join(dir, `firmware.${suffix}`);
      await streamToFile(f, (out) => writeSbomToStream(graph, format, out));
      files[format] = f;
    }
    console.log(`input: ${graph.components.length - 1} components + the firmware, ${graph.edges.length} dependency edges; fastest of ${runs} interleaved runs each`);
    let over = 0;
    for (const [format, f] of Object.entries(files)) {
      if (only.length > 0 && !only.includes(format)) continue;
      // interleaved runs, the fastest of each kept: the least disturbed by other load on the machine
      let base: ChildResult | undefined;
      let merge: ChildResult | undefined;
      let parserAlone: ChildResult | undefined;
      let minimal: ChildResult | undefined;
      for (let r = 0; r < runs; r++) {
        const b = run('baseline', format === 'cyclonedx-xml' ? files['cyclonedx-json']! : f, join(dir, 'baseline.json'));
        const m = run('merge', f, join(dir, 'merged.cdx.json'));
        if (!base || b.ms < base.ms) base = b;
        if (!merge || m.ms < merge.ms) merge = m;
        if (format === 'cyclonedx-xml') {
          const p = run('xml-parser', f, '');
          if (!parserAlone || p.ms < parserAlone.ms) parserAlone = p;
        }
        if (format === 'cyclonedx-json') {
          const p = run('minimal-merge', f, join(dir, 'minimal.cdx.json'));
          if (!minimal || p.ms < minimal.ms) minimal = p;
        }
      }
      if (!base || !merge) continue;
      const t = merge.ms / base.ms;
      const m = merge.maxRssKb / base.maxRssKb;
      if (t > 3 || m > 3) over++;
      console.log(
        `${format.padEnd(14)} ${(statSync(f).size / 1e6).toFixed(1)} MB: baseline ${(base.ms / 1000).toFixed(1)} s / ${mb(base.maxRssKb)} MB; merge ${(merge.ms / 1000).toFixed(1)} s / ${mb(merge.maxRssKb)} MB (${merge.detail}); ` +
          `time ${t.toFixed(2)}x ${t <= 3 ? 'ok' : 'OVER'}, memory ${m.toFixed(2)}x ${m <= 3 ? 'ok' : 'OVER'} (targets <= 3x)`,
      );
      if (parserAlone) {
        console.log(`${''.padEnd(14)} the XML parser alone (saxes as the reader runs it, no tree, nothing kept): ${(parserAlone.ms / 1000).toFixed(1)} s, ${(parserAlone.ms / base.ms).toFixed(2)}x the baseline`);
      }
      if (minimal) {
        console.log(`${''.padEnd(14)} a minimal merge (parse whole, re-id, link, sort, stringify; no identity, checks or field mapping): ${(minimal.ms / 1000).toFixed(1)} s / ${mb(minimal.maxRssKb)} MB, ${(minimal.ms / base.ms).toFixed(2)}x the baseline`);
      }
    }
    if (over > 0) console.log(`${over} input format(s) over the 3x target`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
