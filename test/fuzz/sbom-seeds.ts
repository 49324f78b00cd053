/**
 * Seeds for fuzzing the SBOM readers: every format `readSbom` and `sbom
 * check` read, each as a small document cut down from a real corpus file at
 * run time (nothing third-party is committed), so one mutation costs
 * milliseconds instead of the seconds a 100 KB Yocto document takes, and
 * 10,000 mutations fit in a run.
 *
 * Where each seed comes from (paths under ../shared/corpus unless noted):
 * - CycloneDX JSON 1.6: cyclonedx/mix_sbom-self/bom.cdx.json (mix_sbom's own output), first 4 components;
 *   the same cut relabelled 1.2, 1.3 and 1.5 (the readers and schemas differ per version).
 * - CycloneDX JSON 1.4: cyclonedx/yocto-meta-cyclonedx/..._bom.cdx-1.4.json and
 *   cyclonedx/openwrt/..._sbom.cdx-1.4.json, first 4 components each; test/fixtures/sbom-merge/vex-beaglebone.cdx-1.4.json (VEX).
 * - CycloneDX XML 1.1: test/fixtures/sbom-inputs/elvis.rebar3_sbom.cdx-1.1.xml (dependency-graph extension).
 * - CycloneDX XML 1.2-1.6: the mix_sbom cut written as XML per version; 1.5 also with the VEX fixture's vulnerabilities.
 * - SPDX 2.2 JSON: spdx/vulnscout/valid_v2_2.spdx.json, and Yocto create-spdx documents from
 *   spdx/vulnscout/spdx2/extracted/ (runtime-busybox, recipe-openssl, the rootfs document cut to 4 references).
 * - SPDX 2.3 JSON: valid_v2_2 relabelled 2.3.
 * - SPDX 3.0.1 JSON-LD: spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json (OpenEmbedded) with 3 of its
 *   1,097 files and the relationships among what is kept; test/fixtures/sbom-merge/vex-openembedded.spdx3.json (VEX).
 * - Yocto SPDX 2.2 deploy directory and archive (tar, tar.gz, tar.zst): index.json cut to the member
 *   documents (SHA-1s recomputed) plus the Yocto documents above, from spdx/vulnscout/spdx2/extracted/.
 * - beambake's own writer output for a 2-package project in every format it writes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProject } from '../../src/lockfiles/index.js';
import { projectToSbomGraph } from '../../src/sbom/from-project.js';
import { SBOM_FORMATS, writeSbom } from '../../src/sbom/writers/index.js';
import { writeTar } from '../../src/hex/tar.js';
import { gzipDeterministic } from '../../src/hex/tarball.js';
import { writeProject } from '../../bench/lib/generate.js';
import { corpusDir, fixturesDir } from '../helpers/paths.js';

type J = Record<string, unknown>;

/** A Yocto SPDX 2 output (index.json plus documents), packed as a directory or an archive. */
export interface YoctoSet {
  pack: 'dir' | 'tar' | 'gzip' | 'zstd';
  members: [name: string, text: string][];
}

export type SbomSeed = string | YoctoSet;

const corpusJson = (p: string): J => JSON.parse(readFileSync(join(corpusDir, p), 'utf8')) as J;
const fixture = (p: string) => readFileSync(join(fixturesDir, p), 'utf8');
const list = (v: unknown): J[] => (Array.isArray(v) ? (v as J[]) : []);
const show = (doc: J) => JSON.stringify(doc, null, 2);

/** The first `n` top-level components (without nested ones) and the dependencies among them. */
function cutCycloneDx(doc: J, n: number): J {
  const components = list(doc.components)
    .slice(0, n)
    .map(({ components: _nested, ...c }) => c);
  const kept = new Set(components.map((c) => c['bom-ref']));
  const md = doc.metadata as J | undefined;
  if (md?.component) kept.add((md.component as J)['bom-ref']);
  const dependencies = list(doc.dependencies)
    .filter((d) => kept.has(d.ref))
    .map((d) => ({ ...d, dependsOn: (Array.isArray(d.dependsOn) ? d.dependsOn : []).filter((r: unknown) => kept.has(r)) }));
  return { ...doc, components, ...(doc.dependencies ? { dependencies } : {}) };
}

const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, v: unknown) => (v === undefined || v === '' ? '' : `<${name}>${esc(v)}</${name}>`);

function componentXml(c: J): string {
  const licenses = list(c.licenses)
    .map((l) => (l.expression ? el('expression', l.expression) : `<license>${el('id', (l.license as J)?.id) || el('name', (l.license as J)?.name)}</license>`))
    .join('');
  const hashes = list(c.hashes).map((h) => `<hash alg="${esc(h.alg)}">${esc(h.content)}</hash>`).join('');
  return (
    `<component type="${esc(c.type ?? 'library')}"${c['bom-ref'] ? ` bom-ref="${esc(c['bom-ref'])}"` : ''}>` +
    ((c.supplier as J)?.name ? `<supplier>${el('name', (c.supplier as J).name)}</supplier>` : '') +
    el('group', c.group) +
    el('name', c.name) +
    el('version', c.version ?? '') +
    el('description', c.description) +
    el('scope', c.scope) +
    (hashes ? `<hashes>${hashes}</hashes>` : '') +
    (licenses ? `<licenses>${licenses}</licenses>` : '') +
    el('cpe', c.cpe) +
    el('purl', c.purl) +
    '</component>'
  );
}

/** A CycloneDX JSON document in the XML form of `version` (what 1.2+ has: metadata, dependencies; 1.4+: vulnerabilities). */
function cycloneDxXml(doc: J, version: string): string {
  const minor = Number(version.split('.')[1]);
  const md = (doc.metadata ?? {}) as J;
  const tools = list(Array.isArray(md.tools) ? md.tools : (md.tools as J | undefined)?.components);
  const metadata =
    minor >= 2 && Object.keys(md).length > 0
      ? `<metadata>${el('timestamp', md.timestamp)}${tools.length > 0 ? `<tools>${tools.map((t) => `<tool>${el('vendor', t.vendor ?? t.group)}${el('name', t.name)}${el('version', t.version)}</tool>`).join('')}</tools>` : ''}${md.component ? componentXml(md.component as J) : ''}</metadata>`
      : '';
  const deps = list(doc.dependencies);
  const dependencies =
    minor >= 2 && deps.length > 0
      ? `<dependencies>${deps.map((d) => `<dependency ref="${esc(d.ref)}">${(d.dependsOn as unknown[]).map((r) => `<dependency ref="${esc(r)}"/>`).join('')}</dependency>`).join('')}</dependencies>`
      : '';
  const vulns = list(doc.vulnerabilities);
  const vulnerabilities =
    minor >= 4 && vulns.length > 0
      ? `<vulnerabilities>${vulns
          .map((v) => {
            const an = (v.analysis ?? {}) as J;
            const analysis = Object.keys(an).length > 0 ? `<analysis>${el('state', an.state)}${el('justification', an.justification)}${el('detail', an.detail)}</analysis>` : '';
            return `<vulnerability>${el('id', v.id)}${analysis}<affects>${list(v.affects).map((a) => `<target>${el('ref', a.ref)}</target>`).join('')}</affects></vulnerability>`;
          })
          .join('')}</vulnerabilities>`
      : '';
  const serial = typeof doc.serialNumber === 'string' ? ` serialNumber="${esc(doc.serialNumber)}"` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/${version}"${serial} version="1">\n` +
    `${metadata}\n<components>\n${list(doc.components).map(componentXml).join('\n')}\n</components>\n${dependencies}\n${vulnerabilities}\n</bom>\n`
  );
}

/** An SPDX 2 document with at most `n` packages, files and external documents, and the relationships among them. */
function cutSpdx2(doc: J, n: number): J {
  const packages = list(doc.packages).slice(0, n);
  const files = list(doc.files).slice(0, n);
  const refs = list(doc.externalDocumentRefs).slice(0, n);
  const local = new Set(['SPDXRef-DOCUMENT', ...packages.map((p) => p.SPDXID), ...files.map((f) => f.SPDXID)]);
  const external = new Set(refs.map((r) => r.externalDocumentId));
  const known = (id: unknown) => typeof id === 'string' && (local.has(id) || external.has(id.split(':')[0]!));
  const relationships = list(doc.relationships)
    .filter((r) => known(r.spdxElementId) && known(r.relatedSpdxElement))
    .slice(0, 3 * n);
  return { ...doc, packages, ...(doc.files ? { files } : {}), externalDocumentRefs: refs, relationships };
}

/** The SPDX 3 graph without most files: everything else, `files` files, and what relates the kept elements. */
function cutSpdx3(doc: J, files: number): J {
  const graph = list(doc['@graph']);
  const isRel = (e: J) => 'from' in e && Array.isArray(e.to);
  const fileIds = new Set(graph.filter((e) => e.type === 'software_File').slice(files).map((e) => e.spdxId));
  const kept = graph.filter((e) => !fileIds.has(e.spdxId) && !isRel(e));
  const ids = new Set(kept.map((e) => e.spdxId ?? e['@id']));
  // relationships from kept elements, to kept elements plus two references to what is not here (they stay unresolved)
  const rels = graph
    .filter((e) => isRel(e) && ids.has(e.from))
    .map((e) => {
      const to = e.to as string[];
      return { ...e, to: [...to.filter((t) => ids.has(t)), ...to.filter((t) => !ids.has(t) && !fileIds.has(t)).slice(0, 2)] };
    })
    .filter((e) => e.to.length > 0);
  return { ...doc, '@graph': [...kept, ...rels] };
}

/** What beambake itself writes, in every format, for a small generated project. */
async function writerOutputs(): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'beambake-fuzz-seed-'));
  try {
    const project = await readProject(writeProject(join(work, 'p'), 'mix', 2));
    const graph = await projectToSbomGraph(project, {});
    return SBOM_FORMATS.map((f) => writeSbom(graph, f));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function yoctoSets(): YoctoSet[] {
  const dir = 'spdx/vulnscout/spdx2/extracted';
  const docs: [string, string][] = [
    ['runtime-busybox.spdx.json', show(corpusJson(`${dir}/runtime-busybox.spdx.json`))],
    ['recipe-openssl.spdx.json', show(corpusJson(`${dir}/recipe-openssl.spdx.json`))],
    ['core-image-minimal-beaglebone-yocto.rootfs.spdx.json', show(cutSpdx2(corpusJson(`${dir}/core-image-minimal-beaglebone-yocto.rootfs-20250728170920.spdx.json`), 4))],
  ];
  const index = corpusJson(`${dir}/index.json`);
  const byName = new Map(list(index.documents).map((d) => [d.filename, d]));
  const entries = docs.map(([name, text]) => ({
    ...(byName.get(name) ?? { documentNamespace: (JSON.parse(text) as J).documentNamespace, filename: name }),
    sha1: createHash('sha1').update(text).digest('hex'),
  }));
  const members: [string, string][] = [['index.json', show({ documents: entries })], ...docs];
  return (['dir', 'tar', 'gzip', 'zstd'] as const).map((pack) => ({ pack, members }));
}

export async function sbomSeeds(): Promise<SbomSeed[]> {
  const mixSbom = cutCycloneDx(corpusJson('cyclonedx/mix_sbom-self/bom.cdx.json'), 4);
  const vexCdx = JSON.parse(fixture('sbom-merge/vex-beaglebone.cdx-1.4.json')) as J;
  const spdx22 = corpusJson('spdx/vulnscout/valid_v2_2.spdx.json');
  return [
    // CycloneDX JSON
    show(mixSbom),
    ...['1.2', '1.3', '1.5'].map((v) => show({ ...mixSbom, specVersion: v })),
    show(cutCycloneDx(corpusJson('cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json'), 4)),
    show(cutCycloneDx(corpusJson('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json'), 4)),
    show(vexCdx),
    // CycloneDX XML
    fixture('sbom-inputs/elvis.rebar3_sbom.cdx-1.1.xml'),
    ...['1.2', '1.3', '1.4', '1.5', '1.6'].map((v) => cycloneDxXml(mixSbom, v)),
    cycloneDxXml(vexCdx, '1.5'),
    // SPDX 2
    show(spdx22),
    show({ ...spdx22, spdxVersion: 'SPDX-2.3' }),
    // SPDX 3
    show(cutSpdx3(corpusJson('spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json'), 3)),
    fixture('sbom-merge/vex-openembedded.spdx3.json'),
    ...(await writerOutputs()),
    // Yocto SPDX 2.2: single documents, and whole outputs as a directory and as archives
    ...yoctoSets().flatMap((s) => (s.pack === 'dir' ? [...s.members.slice(1).map(([, t]) => t), s] : [s])),
  ];
}

/** The bytes of a packed Yocto set (`dir` has none: it is written as files). */
export function packYocto(set: YoctoSet): Buffer {
  const tar = writeTar(set.members.map(([path, text]) => ({ path, content: Buffer.from(text) })));
  if (set.pack === 'gzip') return gzipDeterministic(tar);
  if (set.pack === 'zstd') {
    const z = spawnSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 26 });
    // .ci/run installs zstd; without it this seed is a plain tar again and the zstd path goes unfuzzed
    return z.status === 0 ? z.stdout : tar;
  }
  return tar;
}
