/**
 * CycloneDX XML (1.1-1.6; 1.1 with its dependency-graph extension) through fast-xml-parser. The XML tree is reshaped
 * into the JSON form and handed to the same builder as the JSON reader. XML
 * is read whole: fast-xml-parser has no streaming mode.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseXml } from '../../util/xml.js';
import { BeambakeError, ioError } from '../../util/errors.js';
import { arr, isObj } from './common.js';
import { CycloneDxBuilder, cdxKey, checkSpec } from './cyclonedx.js';
import type { InputSbom } from './types.js';

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

/**
 * CycloneDX never uses a DTD; a document type declaration can define entities that add, change or
 * (unexpanded) drop text, so a document with one is refused, naming where it is.
 */
export function refuseDtd(xml: string, file: string): void {
  const at = xml.search(/<!DOCTYPE/i);
  if (at < 0) return;
  const before = xml.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  throw new BeambakeError('SBOM_UNSUPPORTED', 'XML with a document type declaration (DTD, entities) is not accepted: CycloneDX XML has none, and entities could change the text', { file, line, column });
}

/** Refuse a DTD or XML that is not well-formed, at the line and column fast-xml-parser's validator names. */
export function checkWellFormed(xml: string, file: string): void {
  refuseDtd(xml, file);
  const r = XMLValidator.validate(xml);
  if (r !== true) {
    throw new BeambakeError('SBOM_PARSE', `invalid XML: ${r.err.msg}`, { file, line: r.err.line, column: r.err.col });
  }
}

export async function readCycloneDxXml(file: string): Promise<InputSbom> {
  const bytes = await readFile(file).catch((e) => {
    throw ioError(e, file, 'cannot read');
  });
  const xml = bytes.toString('utf8');
  checkWellFormed(xml, file);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ARRAYS.has(name),
  });
  const doc = parseXml(parser, xml, file) as X;
  const bom = doc.bom;
  if (!isObj(bom)) throw new BeambakeError('SBOM_UNSUPPORTED', 'the root element is not <bom>', { file });
  const ns = String(bom.xmlns ?? '');
  const m = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/.exec(ns);
  if (!m) throw new BeambakeError('SBOM_UNSUPPORTED', `unknown CycloneDX namespace ${JSON.stringify(ns)}`, { file, entry: 'bom' });
  const b = new CycloneDxBuilder(file, 'cyclonedx-xml');
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
  const comps = isObj(bom.components) ? arr(bom.components.component) : [];
  comps.forEach((c, i) => b.addTopLevel(component(c), i));
  // CycloneDX 1.2+ `dependencies`; 1.1 puts the graph in the dependency-graph extension (`dg:dependencies`, as rebar3_sbom writes)
  const dgPrefix = Object.keys(bom).find((k) => /^[A-Za-z_][\w.-]*:dependencies$/.test(k) && isObj(bom[k]) && String((bom[k] as X)[`xmlns:${k.split(':')[0]}`] ?? '').startsWith('http://cyclonedx.org/schema/ext/dependency-graph/'))?.split(':')[0];
  const depKey = dgPrefix ? `${dgPrefix}:dependency` : 'dependency';
  const depsEl = dgPrefix ? bom[`${dgPrefix}:dependencies`] : bom.dependencies;
  const deps = isObj(depsEl) ? arr(depsEl[depKey]) : [];
  deps.forEach((d, i) =>
    b.addDependency(isObj(d) ? { ref: d.ref, dependsOn: arr(d[depKey]).map((x) => (isObj(x) ? x.ref : undefined)), provides: arr(d.provides).map((x) => (isObj(x) ? x.ref : undefined)) } : d, i),
  );
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
  b.key = cdxKey(bom.serialNumber, createHash('sha256').update(bytes).digest('hex'));
  return b.finish();
}
