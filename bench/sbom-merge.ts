/**
 * Scale benchmark for `beambake sbom merge`: generates a Yocto-like SPDX 3
 * JSON-LD graph (builds, source and binary packages, files, relationships,
 * OpenEmbedded extensions) of at least 200,000 elements, then measures in
 * child processes, started the same way:
 *   baseline: JSON.parse + JSON.stringify of the file (read whole, written whole)
 *   merge:    streaming read + merge + CycloneDX 1.6 JSON streamed to a file
 *   write:    the same merge keeping files as components (a graph of ~200,000
 *             components), then each output format streamed to a file with
 *             `writeSbomToStream`, sampling RSS while it writes
 * and prints wall time and peak RSS (process.resourceUsage().maxRSS) of the
 * merge as ratios to the baseline (targets: <= 3x time, <= 3x memory), and
 * for the writer how much RSS grew while writing compared with the size of
 * the document written (streaming: far below 1x).
 *
 * Run: npm run bench -- sbom-merge   (or node --import tsx bench/sbom-merge.ts [elements])
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { seededHex as hex } from './lib/generate.js';
import { jsonRoundTrip, mb, reportChild, runChild, streamToFile, type ChildResult } from './lib/child.js';

const NS = 'http://spdx.org/spdxdocs/bench-0d7c5b8e-5b1a-5f53-9c0e-2d3f1d7c8a90';
const FILES_PER_PACKAGE = 15;
const PACKAGES_PER_RECIPE = 4;

function ext(alias: string): unknown[] {
  return [
    { type: 'https://rdf.openembedded.org/spdx/3.0/id-alias', 'https://rdf.openembedded.org/spdx/3.0/alias': alias, 'https://rdf.openembedded.org/spdx/3.0/link-name': alias.length.toString(16).padStart(64, '0') },
    { type: 'https://rdf.openembedded.org/spdx/3.0/link-extension', 'https://rdf.openembedded.org/spdx/3.0/link-spdx-id': true },
  ];
}

async function generate(path: string, minElements: number): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  let first = true;
  const emit = async (e: unknown) => {
    n++;
    if (!out.write((first ? '\n  ' : ',\n  ') + JSON.stringify(e))) await once(out, 'drain');
    first = false;
  };
  out.write('{\n "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",\n "@graph": [');
  await emit({ type: 'CreationInfo', '@id': '_:CreationInfo0', created: '2024-01-01T00:00:00Z', createdBy: [`${NS}/agent/OpenEmbedded`], specVersion: '3.0.1' });
  await emit({ type: 'Organization', spdxId: `${NS}/agent/OpenEmbedded`, creationInfo: '_:CreationInfo0', name: 'OpenEmbedded' });
  // elements per recipe: build, source, 4 relationships, and per package itself, its licence, its files with theirs, contains
  const recipes = Math.ceil(minElements / (6 + PACKAGES_PER_RECIPE * (3 + 2 * FILES_PER_PACKAGE))) + 1;
  await emit({ type: 'SpdxDocument', spdxId: `${NS}/document/image`, creationInfo: '_:CreationInfo0', name: 'core-image-bench', rootElement: [`${NS}/image`] });
  await emit({ type: 'software_Package', spdxId: `${NS}/image`, creationInfo: '_:CreationInfo0', name: 'core-image-bench', software_packageVersion: '1.0', software_primaryPurpose: 'operatingSystem' });
  await emit({ type: 'simplelicensing_LicenseExpression', spdxId: `${NS}/license/MIT`, creationInfo: '_:CreationInfo0', simplelicensing_licenseExpression: 'MIT', simplelicensing_licenseListVersion: '3.24.0' });
  for (let r = 0; r < recipes; r++) {
    const name = `recipe${r}`;
    const base = `${NS}/${name}`;
    const version = `${1 + (r % 7)}.${r % 13}.${r % 5}`;
    await emit({ type: 'build_Build', spdxId: `${base}/build/recipe`, creationInfo: '_:CreationInfo0', extension: ext(`${name}/UNIHASH/build/recipe`), name: `${name}:do_create_spdx:recipe`, build_buildType: 'http://openembedded.org/bitbake/do_create_spdx/recipe' });
    await emit({ type: 'software_Package', spdxId: `${base}/source/1`, creationInfo: '_:CreationInfo0', extension: ext(`${name}/UNIHASH/source/1`), name: `${name}-${version}.tar.gz`, verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: hex(r, 64) }], software_primaryPurpose: 'source', software_downloadLocation: `https://downloads.example.org/${name}/${name}-${version}.tar.gz` });
    await emit({ type: 'Relationship', spdxId: `${base}/relationship/in`, creationInfo: '_:CreationInfo0', from: `${base}/build/recipe`, relationshipType: 'hasInput', to: [`${base}/source/1`] });
    const deps = [1, 2, 3].map((k) => (r * 7 + k * 31) % recipes).filter((d) => d !== r);
    await emit({ type: 'LifecycleScopedRelationship', spdxId: `${base}/relationship/deps`, creationInfo: '_:CreationInfo0', from: `${base}/build/recipe`, relationshipType: 'dependsOn', scope: 'build', to: deps.map((d) => `${NS}/recipe${d}/build/recipe`) });
    const pkgs: string[] = [];
    for (let p = 0; p < PACKAGES_PER_RECIPE; p++) {
      const pid = `${base}/package/${name}-p${p}`;
      pkgs.push(pid);
      await emit({ type: 'software_Package', spdxId: pid, creationInfo: '_:CreationInfo0', extension: ext(`${name}/UNIHASH/package/${name}-p${p}`), name: p === 0 ? name : `${name}-p${p}`, software_packageVersion: version, externalIdentifier: [{ type: 'ExternalIdentifier', externalIdentifierType: 'cpe23', identifier: `cpe:2.3:*:*:${name}:${version}:*:*:*:*:*:*:*` }], software_primaryPurpose: 'library', suppliedBy: `${NS}/agent/OpenEmbedded` });
      await emit({ type: 'Relationship', spdxId: `${pid}/relationship/lic`, creationInfo: '_:CreationInfo0', from: pid, relationshipType: 'hasDeclaredLicense', to: [`${NS}/license/MIT`] });
      const files: string[] = [];
      for (let f = 0; f < FILES_PER_PACKAGE; f++) {
        const fid = `${pid}/file/${f}`;
        files.push(fid);
        await emit({ type: 'software_File', spdxId: fid, creationInfo: '_:CreationInfo0', extension: ext(`${name}/UNIHASH/package-file/${p}/${f}`), name: `/usr/lib/${name}/file${f}.so`, verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: hex(r * 1000 + p * 100 + f, 64) }], software_primaryPurpose: 'library' });
        await emit({ type: 'Relationship', spdxId: `${fid}/relationship/lic`, creationInfo: '_:CreationInfo0', from: fid, relationshipType: 'hasDeclaredLicense', to: ['NoneElement'] });
      }
      await emit({ type: 'Relationship', spdxId: `${pid}/relationship/contains`, creationInfo: '_:CreationInfo0', from: pid, relationshipType: 'contains', to: files });
    }
    await emit({ type: 'LifecycleScopedRelationship', spdxId: `${base}/relationship/out`, creationInfo: '_:CreationInfo0', from: `${base}/build/recipe`, relationshipType: 'hasOutput', scope: 'build', to: pkgs });
    await emit({ type: 'Relationship', spdxId: `${base}/relationship/image`, creationInfo: '_:CreationInfo0', from: `${NS}/image`, relationshipType: 'contains', to: [pkgs[0]!] });
  }
  out.end('\n ]\n}\n');
  await once(out, 'finish');
  return n;
}

async function child(mode: string, input: string, output: string): Promise<void> {
  await reportChild(async () => {
    if (mode === 'baseline') return `${(jsonRoundTrip(input, output) as { '@graph': unknown[] })['@graph'].length} elements`;
    if (mode !== 'merge') return writeSide(input, output, mode.slice('write:'.length));
    const { mergeFiles } = await import('../src/sbom/merge/index.js');
    const { writeSbomToStream } = await import('../src/sbom/writers/index.js');
    const r = await mergeFiles([input], { product: 'Bench', productVersion: '1', manufacturer: 'Bench' });
    await streamToFile(output, (out) => writeSbomToStream(r.graph, 'cyclonedx-json', out));
    return `in ${r.counts.in.components} components / ${r.counts.in.edges} relationships, out ${r.counts.out.components} components / ${r.counts.out.edges} edges`;
  });
}

/** Merge keeping files as components, then stream one output format (or none) to a file. */
async function writeSide(input: string, output: string, format: string): Promise<string> {
  const { mergeFiles } = await import('../src/sbom/merge/index.js');
  const { writeSbomToStream, SBOM_FORMATS } = await import('../src/sbom/writers/index.js');
  const r = await mergeFiles([input], { product: 'Bench', productVersion: '1', manufacturer: 'Bench', keepFiles: true });
  const graph = `${r.graph.components.length} components / ${r.graph.edges.length} edges`;
  const f = SBOM_FORMATS.find((x) => x === format);
  if (!f) return graph;
  await streamToFile(output, (out) => writeSbomToStream(r.graph, f, out));
  return `${graph} -> ${(statSync(output).size / 1e6).toFixed(1)} MB`;
}

const run = (mode: string, input: string, output: string): ChildResult => runChild(fileURLToPath(import.meta.url), mode, input, output);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2]!, args[3]!);
  const minElements = Number(args[0] ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'beambake-bench-merge-'));
  try {
    const input = join(dir, 'yocto-like.spdx3.json');
    const n = await generate(input, minElements);
    if (n < minElements) throw new Error(`generated only ${n} elements`);
    const size = statSync(input).size / 1e6;
    console.log(`input: ${n} SPDX 3 elements, ${size.toFixed(1)} MB`);
    const base = run('baseline', input, join(dir, 'baseline.json'));
    const merge = run('merge', input, join(dir, 'merged.cdx.json'));
    console.log(`baseline JSON.parse+stringify: ${base.detail}; ${(base.ms / 1000).toFixed(1)} s, peak RSS ${mb(base.maxRssKb)} MB`);
    console.log(`merge (streamed read, merge, streamed CycloneDX write): ${merge.detail}; ${(merge.ms / 1000).toFixed(1)} s, peak RSS ${mb(merge.maxRssKb)} MB`);
    const t = merge.ms / base.ms;
    const m = merge.maxRssKb / base.maxRssKb;
    console.log(`time   ratio ${t.toFixed(2)}x (target <= 3x) ${t <= 3 ? 'ok' : 'OVER'}`);
    console.log(`memory ratio ${m.toFixed(2)}x (target <= 3x) ${m <= 3 ? 'ok' : 'OVER'}`);

    // writer side: the large graph (files kept as components) written in each format, against merging it alone
    const alone = run('write:none', input, join(dir, 'kept'));
    console.log(`write  merge keeping files: ${alone.detail}; peak RSS ${mb(alone.maxRssKb)} MB (${(alone.maxRssKb / base.maxRssKb).toFixed(2)}x the baseline)`);
    for (const format of ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json']) {
      const w = run(`write:${format}`, input, join(dir, `kept.${format}`));
      const docMb = Number(/-> ([\d.]+) MB/.exec(w.detail)?.[1]);
      const extraMb = Math.max(0, w.maxRssKb - alone.maxRssKb) / 1024;
      const ratio = extraMb / docMb;
      console.log(
        `write  ${format.padEnd(14)} ${docMb.toFixed(1)} MB document; peak RSS ${mb(w.maxRssKb)} MB = +${extraMb.toFixed(0)} MB over merging alone = ${ratio.toFixed(2)}x the document (streamed: target < 0.5x) ${ratio < 0.5 ? 'ok' : 'OVER'}; ${(w.maxRssKb / base.maxRssKb).toFixed(2)}x the baseline`,
      );
      rmSync(join(dir, `kept.${format}`), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
