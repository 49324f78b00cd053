/**
 * CycloneDX 1.1-1.6 as a component graph. Both the JSON reader (streaming)
 * and the XML reader (which first reshapes the XML tree into the JSON form)
 * feed component, dependency and vulnerability objects of the JSON shape in
 * here one at a time.
 */
import { createHash } from 'node:crypto';
import { emptyComponent, type Component, type Composition, type Edge, type ExternalRefType, type Hash, type LicenseText, type Party, type VexStatement } from '../model.js';
import { BeambakeError } from '../../util/errors.js';
import { arr, componentsInIdOrder, componentType, isObj, normCpe, normHash, parseSpdxParty, str, withHash, type Positioned } from './common.js';
import { appended } from '../../util/small-array.js';
import { FoldLog, type InputFormat, type InputSbom } from './types.js';
import { flatJoin } from '../../util/flat.js';

const REF_TYPES = new Set<ExternalRefType>(['website', 'vcs', 'distribution', 'issue-tracker', 'documentation', 'license', 'source-distribution', 'bom']);
const VEX_STATE: Record<string, VexStatement['status']> = {
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
  false_positive: 'not_affected',
  not_affected: 'not_affected',
};
const JUSTIFICATION: Record<string, string> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_not_in_execute_path',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

function pushUnique(list: string[], v: string): void {
  if (!list.includes(v)) list.push(v);
}

function party(v: unknown): Party | undefined {
  if (!isObj(v)) return undefined;
  const raw = str(v.name);
  // some generators put SPDX 2 supplier syntax ("Organization: X ()") into CycloneDX
  const parsed = raw ? parseSpdxParty(raw) : undefined;
  const name = parsed?.name ?? raw;
  const urls = v.url === undefined ? [] : arr(v.url).filter((u): u is string => typeof u === 'string' && u !== '');
  const email = (v.contact === undefined ? undefined : arr(v.contact).map((c) => (isObj(c) ? str(c.email) : undefined)).find((e) => e)) ?? parsed?.email;
  if (!name && urls.length === 0 && !email) return undefined;
  return { ...(name ? { name } : {}), ...(urls.length > 0 ? { urls } : {}), ...(email ? { email } : {}) };
}

/**
 * One reference (a bom-ref, or the content id of a component without one):
 * its id, made once and shared by the component and every edge naming it (so
 * later maps find equal keys by identity), and the links that finish() walks
 * to find what the document's root reaches, without a map keyed by id.
 */
interface Ref extends Positioned {
  id: string;
  /** Targets of the edges from here. */
  out: Ref[] | undefined;
  /** Some edge points here. */
  target: boolean;
  reached: boolean;
  /** Where the component with this reference was read (a second one is an error): see `entryAt`. */
  where: Where | undefined;
}

/**
 * Where a component was read: a number k is `components[k]`, the usual case, kept as a number so a
 * large SBOM makes no text per component that only an error would print.
 */
type Where = string | number;
const entryAt = (where: Where): string => (typeof where === 'number' ? `components[${where}]` : where);

/** Builds one input from CycloneDX objects in JSON shape, in document order. */
export class CycloneDxBuilder {
  /** The references of the components read, in document order. */
  private readonly owners: Ref[] = [];
  private readonly edges: Edge[] = [];
  /** The two ends of each edge, in the order of `edges` (InputSbom.edgeEnds once the components are sorted). */
  private readonly ends: Ref[] = [];
  private readonly topLevel: Ref[] = [];
  private readonly vex: VexStatement[] = [];
  private readonly compositions: Composition[] = [];
  private readonly seenContent = new Map<string, number>();
  private readonly licenseTexts: LicenseText[] = [];
  private readonly fold = new FoldLog();
  private edgeCount = 0;
  private root: Ref | undefined;
  /** The document key, when known before any id was made (a serial number ahead of the components). */
  private early: string | undefined;
  /** An id was made before the key was known: finish() completes them. */
  private provisional = false;
  private readonly refs = new Map<string, Ref>();
  key = '';
  metadata: Record<string, unknown> = {};
  specVersion = '';
  serialNumber: string | undefined;

  constructor(
    private readonly file: string,
    private readonly format: InputFormat,
  ) {}

  private localId(o: Record<string, unknown>): string {
    const ref = str(o['bom-ref']);
    if (ref) return ref;
    // no bom-ref (allowed before 1.5 when nothing refers to it): name it by its content
    const content = JSON.stringify([o.type, o.group, o.name, o.version, o.purl, o.cpe]);
    const n = (this.seenContent.get(content) ?? 0) + 1;
    this.seenContent.set(content, n);
    return `content:${createHash('sha256').update(content).digest('hex').slice(0, 16)}${n > 1 ? `-${n}` : ''}`;
  }

  /**
   * The serial number, when the reader has it before the first component (most documents put it
   * first): if it is the key (cdxKey), ids are final as they are made instead of each being
   * rebuilt in finish().
   */
  serialNumberSeen(serial: unknown): void {
    const key = usableSerial(serial);
    if (key !== undefined && !this.provisional && this.early === undefined) this.early = key;
  }

  /** Otherwise ids are made final in finish(): the serial number (or the content hash) may come after the components. */
  private ref(local: string): Ref {
    let r = this.refs.get(local);
    if (r === undefined) {
      let id: string;
      if (this.early !== undefined) id = flatJoin(this.early, '#', local);
      else {
        this.provisional = true;
        id = `\u0001${local}`;
      }
      this.refs.set(local, (r = { id, out: undefined, target: false, reached: false, where: undefined, component: undefined, index: -1 }));
    }
    return r;
  }

  gid(local: string): string {
    return this.ref(local).id;
  }

  private link(from: Ref, to: Ref, e: Edge): void {
    this.edgeCount++;
    this.edges.push(e);
    this.ends.push(from, to);
    from.out = appended(from.out ?? [], to);
    to.target = true;
  }

  /** Marks what `start` reaches over the edges read. */
  private walk(start: Ref): void {
    if (start.reached) return;
    start.reached = true;
    const stack = [start];
    while (stack.length > 0) {
      for (const t of stack.pop()!.out ?? []) if (!t.reached) (t.reached = true), stack.push(t);
    }
  }

  private fin(id: string): string {
    if (id.startsWith('\u0001')) return flatJoin(this.key, '#', id.slice(1));
    // a second serialNumber member replaced the one the ids were made with
    if (this.early !== undefined && id.startsWith(`${this.early}#`)) return flatJoin(this.key, '#', id.slice(this.early.length + 1));
    return id;
  }

  /** Add a component (and its nested components, as CONTAINS edges); returns its reference. */
  addComponent(o: unknown, where: Where, parent?: Ref): Ref {
    if (!isObj(o)) throw new BeambakeError('SBOM_PARSE', 'component is not an object', { file: this.file, entry: entryAt(where) });
    const name = str(o.name);
    if (!name) throw new BeambakeError('SBOM_PARSE', 'component without a name', { file: this.file, entry: entryAt(where) });
    const local = this.localId(o);
    const self = this.ref(local);
    const id = self.id;
    const ref = str(o['bom-ref']);
    if (self.where !== undefined) {
      // a content id (no bom-ref) that a bom-ref of the document spells out is as ambiguous as a bom-ref used twice
      const what = ref ? `bom-ref "${ref}" is used twice` : `the component has no bom-ref, and the id made from its content (${local}) is a bom-ref`;
      throw new BeambakeError('SBOM_DUPLICATE_ID', `${what} (first at ${entryAt(self.where)}): references to it would be ambiguous`, { file: this.file, entry: entryAt(where) });
    }
    self.where = where;
    const c = emptyComponent(id, name, componentType(o.type));
    if (str(o.version)) c.version = String(o.version);
    if (str(o.group)) c.properties.push({ name: 'cdx:group', value: String(o.group) });
    if (str(o.purl)) {
      c.purl = String(o.purl);
      // mix_sbom and others put the tarball hash into the purl (`?checksum=sha256:...`): make it a hash fact
      const q = /[?&]checksums?=([^&#]+)/.exec(c.purl);
      for (const cs of q ? decodeURIComponent(q[1]!).split(',') : []) {
        const [alg, value] = cs.split(':');
        c.hashes = withHash(c.hashes, normHash(alg, value));
      }
    }
    const cpe = normCpe(o.cpe);
    if (cpe) c.cpes.push(cpe);
    for (const h of arr(o.hashes)) if (isObj(h)) c.hashes = withHash(c.hashes, normHash(h.alg, h.content));
    const declared: string[] = [];
    const concluded: string[] = [];
    for (const l of arr(o.licenses)) {
      if (!isObj(l)) continue;
      const lic = isObj(l.license) ? l.license : undefined;
      const expr = str(l.expression) ?? (lic ? str(lic.id) ?? str(lic.name) : undefined);
      if (!expr) continue;
      const ack = str(l.acknowledgement) ?? (lic ? str(lic.acknowledgement) : undefined);
      (ack === 'concluded' ? concluded : declared).push(expr);
    }
    const join = (xs: string[]) => (xs.length === 1 ? xs[0]! : xs.map((x) => (/\s/.test(x) ? `(${x})` : x)).join(' AND '));
    if (declared.length > 0) c.licenses.declared = join(declared);
    if (concluded.length > 0) c.licenses.concluded = join(concluded);
    // CycloneDX 1.6 `manufacturer` is the component's creator (BSI), `supplier` who delivers it: kept apart
    const supplier = party(o.supplier);
    if (supplier) c.supplier = supplier;
    const manufacturer = party(o.manufacturer);
    if (manufacturer) c.manufacturer = manufacturer;
    if (str(o.author)) c.authors.push(String(o.author));
    for (const a of arr(o.authors)) if (isObj(a) && str(a.name)) c.authors.push(String(a.name));
    if (str(o.publisher)) c.properties.push({ name: 'cdx:publisher', value: String(o.publisher) });
    if (str(o.description)) c.description = String(o.description);
    if (str(o.copyright)) c.copyright = String(o.copyright);
    if (str(o.scope) && o.scope !== 'required') c.properties.push({ name: 'cdx:scope', value: String(o.scope) });
    for (const r of arr(o.externalReferences)) {
      if (!isObj(r) || !str(r.url)) continue;
      const t = String(r.type ?? 'other') as ExternalRefType;
      const type = REF_TYPES.has(t) ? t : 'other';
      let refHashes: Hash[] = [];
      for (const h of arr(r.hashes)) if (isObj(h)) refHashes = withHash(refHashes, normHash(h.alg, h.content));
      c.externalRefs.push({
        type,
        url: String(r.url),
        ...(type === 'other' && t !== 'other' ? { comment: String(r.type) } : str(r.comment) ? { comment: String(r.comment) } : {}),
        ...(refHashes.length > 0 ? { hashes: refHashes } : {}),
      });
      if (t === 'distribution' && !c.downloadLocation) c.downloadLocation = String(r.url);
    }
    for (const p of arr(o.properties)) {
      if (!isObj(p) || !str(p.name)) continue;
      const name = String(p.name);
      const value = String(p.value ?? '');
      // facts CycloneDX has no field for, as beambake's writer (and BSI for the filename) puts them into properties
      if (name === 'bsi:component:filename' && value && !c.filename) c.filename = value;
      else if (name === 'beambake:cpe' && normCpe(value)) pushUnique(c.cpes, normCpe(value)!);
      else if (name === 'beambake:license:declared' && value && !c.licenses.declared) c.licenses.declared = value;
      else if (name.startsWith('beambake:license-text:LicenseRef-') && value) {
        const id = name.slice('beambake:license-text:'.length);
        if (!this.licenseTexts.some((l) => l.id === id)) this.licenseTexts.push({ id, text: value, name: value });
      }
      else c.properties.push({ name, value });
    }
    c.sources = appended(c.sources, this.file);
    self.component = c;
    this.owners.push(self);
    if (parent) this.link(parent, self, { from: parent.id, to: id, type: 'CONTAINS', originalType: 'nested component' });
    if (o.components !== undefined) for (const [i, child] of arr(o.components).entries()) this.addComponent(child, `${entryAt(where)}.components[${i}]`, self);
    return self;
  }

  addTopLevel(o: unknown, i: number): void {
    this.topLevel.push(this.addComponent(o, i));
  }

  setRoot(o: unknown): void {
    this.root = this.addComponent(o, 'metadata.component');
  }

  addDependency(d: unknown, i: number): void {
    if (!isObj(d) || !str(d.ref)) throw new BeambakeError('SBOM_PARSE', 'dependency without "ref"', { file: this.file, entry: `dependencies[${i}]` });
    const from = this.ref(String(d.ref));
    for (const t of arr(d.dependsOn)) {
      if (typeof t !== 'string') continue;
      const to = this.ref(t);
      this.link(from, to, { from: from.id, to: to.id, type: 'DEPENDS_ON' });
    }
    for (const t of arr(d.provides)) {
      if (typeof t !== 'string') continue;
      const to = this.ref(t);
      this.link(from, to, { from: from.id, to: to.id, type: 'OTHER', originalType: 'provides' });
    }
  }

  addVulnerability(v: unknown, i: number): void {
    if (!isObj(v)) throw new BeambakeError('SBOM_PARSE', 'vulnerability is not an object', { file: this.file, entry: `vulnerabilities[${i}]` });
    const id = str(v.id);
    const analysis = isObj(v.analysis) ? v.analysis : {};
    const status = VEX_STATE[String(analysis.state ?? '')];
    if (!id || !status) return;
    // a BOM-Link (`urn:cdx:SERIAL/VERSION#ref`) names a component of another BOM: kept as written for the merge to resolve
    const products = arr(v.affects)
      .map((a) => (isObj(a) && str(a.ref) ? (String(a.ref).startsWith('urn:cdx:') ? String(a.ref) : this.gid(String(a.ref))) : undefined))
      .filter((x): x is string => !!x);
    const stmt: VexStatement = { vulnerability: id, status, products };
    const j = JUSTIFICATION[String(analysis.justification ?? '')];
    if (j) stmt.justification = j;
    if (str(analysis.detail)) stmt.statement = String(analysis.detail);
    this.vex.push(stmt);
  }

  addComposition(c: unknown): void {
    if (!isObj(c)) return;
    const aggregate = String(c.aggregate ?? 'unknown') as Composition['aggregate'];
    const ok = ['complete', 'incomplete', 'incomplete_first_party_only', 'unknown'].includes(aggregate);
    // `dependencies` states how complete each listed component's dependency list is; `assemblies` its parts
    const refs = [...arr(c.dependencies), ...arr(c.assemblies)].filter((x): x is string => typeof x === 'string');
    this.compositions.push({ aggregate: ok ? aggregate : 'unknown', assemblies: [...new Set(refs)].map((x) => this.gid(x)) });
  }

  finish(): InputSbom {
    const md = this.metadata;
    if (isObj(md.component) && !this.root) this.setRoot(md.component);
    if (!this.key) throw new Error('CycloneDxBuilder.finish() before the key was set');
    if (this.provisional || (this.early !== undefined && this.early !== this.key)) {
      // each id made final once, on its reference: the component and its edges still share one string
      for (const r of this.refs.values()) r.id = this.fin(r.id);
      for (const r of this.owners) r.component!.id = r.id;
      this.edges.forEach((e, k) => {
        e.from = this.ends[2 * k]!.id;
        e.to = this.ends[2 * k + 1]!.id;
      });
      for (const v of this.vex) v.products = v.products.map((p) => this.fin(p));
      for (const c of this.compositions) c.assemblies = c.assemblies.map((a) => this.fin(a));
    }
    const notes: string[] = [];
    const implied: (Edge & { reason: string })[] = [];
    let roots: string[];
    const root = this.root;
    if (root) {
      const rootId = root.id;
      roots = [rootId];
      // the CycloneDX convention: components listed at top level belong to metadata.component
      this.walk(root);
      for (const t of this.topLevel) {
        if (t.reached || t === root) continue;
        implied.push({ from: rootId, to: t.id, type: 'CONTAINS', originalType: 'top-level component', reason: 'a top-level component belongs to metadata.component (CycloneDX convention); no dependency links it' });
        this.walk(t);
      }
      if (implied.length > 0) notes.push(`${this.file}: ${implied.length} top-level component(s) that nothing in the dependency graph links hang under metadata.component`);
    } else {
      const starts = this.topLevel.filter((t) => !t.target);
      for (const t of starts) this.walk(t);
      // top-level components only reachable through a dependency cycle among themselves hang under the device too
      for (const t of this.topLevel) if (!t.reached) (starts.push(t), this.walk(t));
      roots = starts.map((t) => t.id);
      notes.push(`${this.file}: no metadata.component; the ${roots.length} top-level component(s) nothing depends on hang under the device`);
    }
    const tools: { name: string; version?: string; vendor?: string }[] = [];
    const toolList = isObj(md.tools) ? [...arr(md.tools.components), ...arr(md.tools.services)] : arr(md.tools);
    for (const t of toolList) {
      if (isObj(t) && str(t.name)) tools.push({ name: String(t.name), ...(str(t.version) ? { version: String(t.version) } : {}), ...(str(t.vendor) ? { vendor: String(t.vendor) } : {}) });
    }
    const { components: comps, edgeEnds } = componentsInIdOrder(this.owners, this.ends);
    const manufacturer = party(md.manufacturer) ?? party(md.manufacture);
    const supplier = party(md.supplier);
    return {
      file: this.file,
      format: this.format,
      specVersion: `CycloneDX ${this.specVersion}`,
      key: this.key,
      graph: {
        metadata: {
          name: (isObj(md.component) && str(md.component.name)) || this.file,
          ...(str(md.timestamp) ? { timestamp: String(md.timestamp) } : {}),
          authors: arr(md.authors).map(party).filter((p): p is Party => !!p),
          ...(manufacturer ? { manufacturer } : {}),
          ...(supplier ? { supplier } : {}),
          tools,
          ...(this.serialNumber ? { serialNumber: this.serialNumber } : {}),
        },
        components: comps,
        edges: this.edges,
        compositions: this.compositions,
        vex: this.vex,
        ...(this.licenseTexts.length > 0 ? { licenseTexts: this.licenseTexts.sort((a, b) => (a.id < b.id ? -1 : 1)) } : {}),
      },
      roots: roots.sort(),
      edgeEnds,
      aliases: new Map(),
      folded: this.fold.list(),
      counts: { components: comps.length, edges: this.edgeCount },
      notes,
      ...(implied.length > 0 ? { impliedEdges: implied } : {}),
    };
  }
}

/** The serial number when it can be the document key: not missing, not the all-zero placeholder. */
export function usableSerial(serial: unknown): string | undefined {
  const s = str(serial);
  return s && !/^urn:uuid:0{8}-0{4}-0{4}-0{4}-0{12}$/.test(s) ? s : undefined;
}

/** A usable document key: the serial number, else the hash of the document's bytes. */
export function cdxKey(serial: unknown, contentSha256: string): string {
  return usableSerial(serial) ?? `sha256:${contentSha256}`;
}

export function checkSpec(file: string, bomFormat: unknown, specVersion: unknown): string {
  if (bomFormat !== undefined && bomFormat !== 'CycloneDX') {
    throw new BeambakeError('SBOM_UNSUPPORTED', `bomFormat is ${JSON.stringify(bomFormat)}, expected "CycloneDX"`, { file, entry: 'bomFormat' });
  }
  const v = String(specVersion ?? '');
  if (!/^1\.[1-6]$/.test(v)) {
    throw new BeambakeError('SBOM_UNSUPPORTED', `CycloneDX specVersion ${JSON.stringify(specVersion)} is not supported (1.1 to 1.6)`, { file, entry: 'specVersion' });
  }
  return v;
}
