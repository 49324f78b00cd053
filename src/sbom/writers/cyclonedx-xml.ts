/**
 * CycloneDX 1.6 XML from the same objects the JSON writer uses
 * (`cyclonedx-map.ts`), element order as the XSD's sequences require.
 * Streams per component like the JSON writer.
 */
import type { CanonicalGraph } from './canonical.js';
import { CDX_SPEC_VERSION, cdxFormulation, cdxComponents, cdxCompositions, cdxDependencies, cdxMetadata, type Json } from './cyclonedx-map.js';

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd'); // not representable in XML 1.0 at all
}

class Xml {
  private out: string[] = [];
  constructor(private depth: number) {}
  private pad(): string {
    return '  '.repeat(this.depth);
  }
  open(name: string, attrs: Record<string, string | undefined> = {}): void {
    this.out.push(`${this.pad()}<${name}${attrText(attrs)}>\n`);
    this.depth++;
  }
  close(name: string): void {
    this.depth--;
    this.out.push(`${this.pad()}</${name}>\n`);
  }
  leaf(name: string, text: string | undefined, attrs: Record<string, string | undefined> = {}): void {
    if (text === undefined) return;
    this.out.push(`${this.pad()}<${name}${attrText(attrs)}>${esc(text)}</${name}>\n`);
  }
  empty(name: string, attrs: Record<string, string | undefined>): void {
    this.out.push(`${this.pad()}<${name}${attrText(attrs)}/>\n`);
  }
  text(): string {
    return this.out.join('');
  }
}

function attrText(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function entity(x: Xml, tag: string, e: unknown): void {
  if (!e) return;
  const o = e as Json;
  x.open(tag);
  x.leaf('name', str(o.name));
  for (const u of (o.url as string[] | undefined) ?? []) x.leaf('url', u);
  for (const c of arr(o.contact)) {
    x.open('contact');
    x.leaf('name', str(c.name));
    x.leaf('email', str(c.email));
    x.close('contact');
  }
  x.close(tag);
}

function hashes(x: Xml, hs: unknown): void {
  if (!Array.isArray(hs)) return;
  x.open('hashes');
  for (const h of hs as Json[]) x.leaf('hash', str(h.content), { alg: str(h.alg) });
  x.close('hashes');
}

/** `<authors>` of a component or of the metadata: the same element in both places. */
function authors(x: Xml, list: unknown): void {
  if (!Array.isArray(list)) return;
  x.open('authors');
  for (const a of list as Json[]) {
    x.open('author');
    x.leaf('name', str(a.name));
    x.leaf('email', str(a.email));
    x.close('author');
  }
  x.close('authors');
}

function component(x: Xml, c: Json): void {
  x.open('component', { type: str(c.type), 'bom-ref': str(c['bom-ref']) });
  entity(x, 'supplier', c.supplier);
  entity(x, 'manufacturer', c.manufacturer);
  authors(x, c.authors);
  x.leaf('name', str(c.name));
  x.leaf('version', str(c.version));
  x.leaf('description', str(c.description));
  x.leaf('scope', str(c.scope));
  hashes(x, c.hashes);
  if (Array.isArray(c.licenses)) {
    x.open('licenses');
    for (const l of c.licenses as Json[]) {
      if (l.expression !== undefined) {
        x.leaf('expression', str(l.expression), { acknowledgement: str(l.acknowledgement) });
        continue;
      }
      const lic = l.license as Json;
      x.open('license', { acknowledgement: str(lic.acknowledgement) });
      x.leaf('id', str(lic.id));
      x.leaf('name', str(lic.name));
      x.close('license');
    }
    x.close('licenses');
  }
  x.leaf('copyright', str(c.copyright));
  x.leaf('cpe', str(c.cpe));
  x.leaf('purl', str(c.purl));
  if (Array.isArray(c.externalReferences)) {
    x.open('externalReferences');
    for (const r of c.externalReferences as Json[]) {
      x.open('reference', { type: str(r.type) });
      x.leaf('url', str(r.url));
      x.leaf('comment', str(r.comment));
      hashes(x, r.hashes);
      x.close('reference');
    }
    x.close('externalReferences');
  }
  properties(x, c.properties);
  x.close('component');
}

function properties(x: Xml, props: unknown): void {
  if (!Array.isArray(props)) return;
  x.open('properties');
  for (const p of props as Json[]) x.leaf('property', str(p.value), { name: str(p.name) });
  x.close('properties');
}

function metadata(x: Xml, m: Json): void {
  x.open('metadata');
  x.leaf('timestamp', str(m.timestamp));
  const tools = (m.tools as Json | undefined)?.components;
  if (Array.isArray(tools)) {
    x.open('tools');
    x.open('components');
    for (const t of tools as Json[]) component(x, t);
    x.close('components');
    x.close('tools');
  }
  authors(x, m.authors);
  if (m.component) component(x, m.component as Json);
  entity(x, 'manufacturer', m.manufacturer);
  entity(x, 'supplier', m.supplier);
  x.close('metadata');
}

export function* cyclonedxXmlChunks(cg: CanonicalGraph): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<bom xmlns="http://cyclonedx.org/schema/bom/${CDX_SPEC_VERSION}" serialNumber="urn:uuid:${cg.uuid}" version="1">\n`;
  const head = new Xml(1);
  metadata(head, cdxMetadata(cg));
  yield head.text();
  yield '  <components>\n';
  for (const c of cdxComponents(cg)) {
    const x = new Xml(2);
    component(x, c);
    yield x.text();
  }
  yield '  </components>\n';
  yield '  <dependencies>\n';
  for (const d of cdxDependencies(cg)) {
    const x = new Xml(2);
    const deps = (d.dependsOn as string[] | undefined) ?? [];
    if (deps.length === 0) x.empty('dependency', { ref: str(d.ref) });
    else {
      x.open('dependency', { ref: str(d.ref) });
      for (const to of deps) x.empty('dependency', { ref: to });
      x.close('dependency');
    }
    yield x.text();
  }
  yield '  </dependencies>\n';
  const compositions = cdxCompositions(cg);
  if (compositions.length > 0) {
    const x = new Xml(1);
    x.open('compositions');
    for (const c of compositions) {
      x.open('composition');
      x.leaf('aggregate', str(c.aggregate));
      x.open('dependencies');
      for (const ref of c.dependencies as string[]) x.empty('dependency', { ref });
      x.close('dependencies');
      x.close('composition');
    }
    x.close('compositions');
    yield x.text();
  }
  const formulation = cdxFormulation(cg);
  if (formulation) {
    const x = new Xml(1);
    x.open('formulation');
    for (const f of formulation) {
      x.open('formula', { 'bom-ref': str(f['bom-ref']) });
      x.open('workflows');
      for (const w of f.workflows as Json[]) {
        x.open('workflow', { 'bom-ref': str(w['bom-ref']) });
        x.leaf('uid', str(w.uid));
        x.leaf('name', str(w.name));
        x.open('taskTypes');
        for (const t of w.taskTypes as string[]) x.leaf('taskType', t);
        x.close('taskTypes');
        for (const kind of ['input', 'output'] as const) {
          const list = w[`${kind}s`] as Json[] | undefined;
          if (!list) continue;
          x.open(`${kind}s`);
          for (const r of list) {
            x.open(kind);
            x.open('resource');
            x.leaf('ref', str((r.resource as Json).ref));
            x.close('resource');
            x.close(kind);
          }
          x.close(`${kind}s`);
        }
        properties(x, w.properties);
        x.close('workflow');
      }
      x.close('workflows');
      x.close('formula');
    }
    x.close('formulation');
    yield x.text();
  }
  yield '</bom>\n';
}
