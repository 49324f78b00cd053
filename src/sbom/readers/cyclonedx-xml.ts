/**
 * CycloneDX XML (1.1-1.6; 1.1 with its dependency-graph extension), streamed
 * (see xml-stream.ts): each component and dependency element is reshaped into
 * the JSON form and handed to the same builder as the JSON reader as soon as
 * it is read.
 */
import { createHash } from 'node:crypto';
import { BeambakeError } from '../../util/errors.js';
import { readXmlStream } from './xml-stream.js';
import { arr, isObj } from './common.js';
import { CycloneDxBuilder, cdxKey, checkSpec } from './cyclonedx.js';
import type { InputSbom, ReadOptions } from './types.js';

type X = Record<string, unknown>;

const ARRAYS = new Set(['component', 'dependency', 'dg:dependency', 'hash', 'license', 'expression', 'reference', 'property', 'tool', 'author', 'url', 'contact', 'vulnerability', 'target', 'composition', 'assembly', 'service']);

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObj(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

function party(v: unknown): X | undefined {
  if (!isObj(v)) return undefined;
  return { name: text(v.name), url: arr(v.url).map(text), contact: arr(v.contact).map((c) => (isObj(c) ? { email: text(c.email) } : {})) };
}

function component(c: unknown): X {
  if (!isObj(c)) return {};
  const lic = isObj(c.licenses) ? c.licenses : {};
  return {
    type: c.type,
    'bom-ref': c['bom-ref'],
    name: text(c.name),
    version: text(c.version),
    group: text(c.group),
    description: text(c.description),
    copyright: text(c.copyright),
    purl: text(c.purl),
    cpe: text(c.cpe),
    author: text(c.author),
    authors: isObj(c.authors) ? arr(c.authors.author).map((a) => ({ name: isObj(a) ? text(a.name) : text(a) })) : [],
    publisher: text(c.publisher),
    scope: text(c.scope),
    supplier: party(c.supplier),
    manufacturer: party(c.manufacturer),
    hashes: isObj(c.hashes) ? arr(c.hashes.hash).map((h) => ({ alg: isObj(h) ? h.alg : undefined, content: text(h) })) : [],
    licenses: [
      ...arr(lic.license).map((l) => ({ license: isObj(l) ? { id: text(l.id), name: text(l.name), acknowledgement: l.acknowledgement } : {} })),
      ...arr(lic.expression).map((e) => ({ expression: text(e), acknowledgement: isObj(e) ? e.acknowledgement : undefined })),
    ],
    externalReferences: isObj(c.externalReferences)
      ? arr(c.externalReferences.reference).map((r) =>
          isObj(r) ? { type: r.type, url: text(arr(r.url)[0]), comment: text(r.comment), hashes: isObj(r.hashes) ? arr(r.hashes.hash).map((h) => ({ alg: isObj(h) ? h.alg : undefined, content: text(h) })) : [] } : {},
        )
      : [],
    properties: isObj(c.properties) ? arr(c.properties.property).map((p) => (isObj(p) ? { name: p.name, value: text(p) ?? '' } : {})) : [],
    components: isObj(c.components) ? arr(c.components.component).map(component) : [],
  };
}

const BOM_NS = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;
const DEPENDENCY_GRAPH_NS = 'http://cyclonedx.org/schema/ext/dependency-graph/';

/** The dependency's list of targets: `dependency` children, or `PREFIX:dependency` in the 1.1 dependency-graph extension. */
function dependencyEntry(d: unknown): unknown {
  if (!isObj(d)) return d;
  const key = Object.keys(d).find((k) => k === 'dependency' || k.endsWith(':dependency'));
  return { ref: d.ref, dependsOn: arr(key ? d[key] : undefined).map((x) => (isObj(x) ? x.ref : undefined)), provides: arr(d.provides).map((x) => (isObj(x) ? x.ref : undefined)) };
}

export async function readCycloneDxXml(file: string, opts: ReadOptions = {}): Promise<InputSbom> {
  const b = new CycloneDxBuilder(file, 'cyclonedx-xml');
  const hash = createHash('sha256');
  // components and dependencies are built as they stream past; the rest is a small tree
  const doc = await readXmlStream(
    file,
    {
      arrays: ARRAYS,
      streamed: (path, uri) =>
        (path === 'bom/components/component' && BOM_NS.test(uri)) || (path === 'bom/dependencies/dependency' && (BOM_NS.test(uri) || uri.startsWith(DEPENDENCY_GRAPH_NS))),
      onElement: (path, _uri, value, i) => {
        if (path === 'bom/components/component') b.addTopLevel(component(value), i);
        else b.addDependency(dependencyEntry(value), i);
      },
      // the serial number is an attribute of <bom>: known before the components
      onRoot: (attrs) => b.serialNumberSeen(attrs.serialNumber),
    },
    (chunk) => {
      hash.update(chunk);
      opts.onBytes?.(chunk.length);
    },
  );
  if (doc.name !== 'bom') throw new BeambakeError('SBOM_UNSUPPORTED', 'the root element is not <bom>', { file });
  const bom = doc.value;
  const m = BOM_NS.exec(doc.uri);
  if (!m) throw new BeambakeError('SBOM_UNSUPPORTED', `unknown CycloneDX namespace ${JSON.stringify(doc.uri)}`, { file, entry: 'bom' });
  b.specVersion = checkSpec(file, undefined, m[1]);
  const md = isObj(bom.metadata) ? bom.metadata : {};
  const tools = isObj(md.tools)
    ? [...arr(md.tools.tool), ...(isObj(md.tools.components) ? arr(md.tools.components.component) : [])].map((t) =>
        isObj(t) ? { name: text(t.name), version: text(t.version), vendor: text(t.vendor) } : {},
      )
    : [];
  b.metadata = {
    timestamp: text(md.timestamp),
    tools,
    authors: isObj(md.authors) ? arr(md.authors.author).map(party) : [],
    manufacturer: party(md.manufacturer) ?? party(md.manufacture),
    supplier: party(md.supplier),
    // `component` is parsed as a list everywhere (components/component); metadata holds exactly one
    ...(isObj(arr(md.component)[0]) ? { component: component(arr(md.component)[0]) } : {}),
  };
  const vulns = isObj(bom.vulnerabilities) ? arr(bom.vulnerabilities.vulnerability) : [];
  vulns.forEach((v, i) => {
    if (!isObj(v)) return;
    const an = isObj(v.analysis) ? v.analysis : {};
    b.addVulnerability(
      {
        id: text(v.id),
        analysis: { state: text(an.state), justification: text(an.justification), detail: text(an.detail) },
        affects: isObj(v.affects) ? arr(v.affects.target).map((t) => ({ ref: isObj(t) ? text(t.ref) : undefined })) : [],
      },
      i,
    );
  });
  const comp = isObj(bom.compositions) ? arr(bom.compositions.composition) : [];
  for (const c of comp) {
    if (!isObj(c)) continue;
    const refs = (list: unknown[]) => list.map((a) => (isObj(a) ? a.ref : text(a)));
    b.addComposition({
      aggregate: text(c.aggregate),
      assemblies: isObj(c.assemblies) ? refs(arr(c.assemblies.assembly)) : [],
      dependencies: isObj(c.dependencies) ? refs(arr(c.dependencies.dependency)) : [],
    });
  }
  b.serialNumber = typeof bom.serialNumber === 'string' ? bom.serialNumber : undefined;
  b.key = cdxKey(bom.serialNumber, hash.digest('hex'));
  return b.finish();
}
