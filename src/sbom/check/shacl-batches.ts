/**
 * A large SPDX 3 document validated against the SHACL shapes in batches of
 * elements, so memory stays bounded (the engine needs about 250 KB per
 * package: a 15,000-package device SBOM would not fit in Node's heap whole).
 *
 * That gives the same results as validating the whole document because every
 * SPDX 3.0.1 shape constrains a node's own properties: values' datatypes,
 * counts, patterns, node kinds, and `sh:class` of referenced nodes (no
 * `sh:node`, property paths or SPARQL). A batch therefore holds its elements,
 * the shared blank-node elements every element points at (`_:creationinfo`,
 * given an IRI so that all batches name the same node), and for each element
 * it references from another batch a stub with only that element's type, for
 * `sh:class`. Results are kept for the batch's own nodes only; the shared ones
 * are reported by the first batch. A document where this could differ (a node
 * defined in two elements, a nested blank node referenced from elsewhere) is
 * validated whole.
 */

type J = Record<string, unknown>;

export const SHARED_BLANK_PREFIX = 'urn:beambake:shacl-shared-blank:';

export interface ShaclBatch {
  doc: J;
  /** Ids of the nodes this batch reports on: its elements' (IRIs), and in the first batch the shared blank nodes' stand-in IRIs. */
  own: Set<string>;
}

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (o: J): string | undefined => (typeof o.spdxId === 'string' ? o.spdxId : typeof o['@id'] === 'string' ? o['@id'] : undefined);

/** Every node an element defines (itself and nested objects with an id), depth first. */
function definedIn(value: unknown, out: J[]): void {
  if (Array.isArray(value)) for (const v of value) definedIn(v, out);
  else if (isObj(value)) {
    if (idOf(value) !== undefined) out.push(value);
    for (const v of Object.values(value)) definedIn(v, out);
  }
}

function hasNestedObject(o: J): boolean {
  return Object.values(o).some((v) => isObj(v) || (Array.isArray(v) && v.some((x) => isObj(x) || Array.isArray(x))));
}

/** Strings of a value, recursively (references are strings in the SPDX 3 JSON-LD shape). */
function stringsIn(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (isObj(value)) for (const v of Object.values(value)) stringsIn(v, out);
}

function renamed(value: unknown, names: Map<string, string>): unknown {
  if (typeof value === 'string') return names.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => renamed(v, names));
  if (isObj(value)) {
    const out: J = {};
    for (const [k, v] of Object.entries(value)) out[k] = renamed(v, names);
    return out;
  }
  return value;
}

/** The batches, or undefined when the document is small or its shape does not allow batching. */
export function shaclBatches(doc: unknown, batchSize: number): ShaclBatch[] | undefined {
  if (!isObj(doc) || !Array.isArray(doc['@graph'])) return undefined;
  const graph = doc['@graph'] as unknown[];
  if (graph.length <= batchSize || !graph.every(isObj)) return undefined;
  const elements = graph as J[];

  // which top-level element defines each node, and its type (for stubs)
  const definer = new Map<string, number>();
  const typeOf = new Map<string, unknown>();
  for (const [i, el] of elements.entries()) {
    const nodes: J[] = [];
    definedIn(el, nodes);
    for (const n of nodes) {
      const id = idOf(n)!;
      if (definer.has(id)) return undefined; // defined twice: its properties would be split across batches
      if (n !== el && id.startsWith('_:')) return undefined; // a nested blank node others may point at
      definer.set(id, i);
      typeOf.set(id, n.type ?? n['@type']);
    }
  }
  const names = new Map<string, string>();
  const shared: J[] = [];
  const rest: J[] = [];
  for (const el of elements) {
    const id = idOf(el)!;
    if (id.startsWith('_:')) {
      if (hasNestedObject(el)) return undefined; // its nested nodes would be validated once per batch
      names.set(id, `${SHARED_BLANK_PREFIX}${encodeURIComponent(id.slice(2))}`);
      shared.push(el);
    } else rest.push(el);
  }
  const sharedDocs = shared.map((el) => renamed(el, names) as J);
  const sharedIds = new Set(names.values());

  const batches: ShaclBatch[] = [];
  for (let start = 0; start < rest.length; start += batchSize) {
    const part = rest.slice(start, start + batchSize).map((el) => renamed(el, names) as J);
    const own = new Set<string>();
    const nodes: J[] = [];
    definedIn(part, nodes);
    for (const n of nodes) own.add(idOf(n)!);
    // the nodes this batch's elements point at, and those the shared elements point at (CreationInfo createdBy)
    const refs = new Set<string>();
    stringsIn(part, refs);
    stringsIn(sharedDocs, refs);
    const stubs: J[] = [];
    for (const r of refs) {
      if (own.has(r) || sharedIds.has(r) || !definer.has(r)) continue;
      const type = typeOf.get(r);
      if (type !== undefined) stubs.push({ type, spdxId: r });
    }
    if (batches.length === 0) for (const id of sharedIds) own.add(id);
    batches.push({ doc: { '@context': doc['@context'], '@graph': [...sharedDocs, ...part, ...stubs] }, own });
  }
  return batches;
}

/** The id a result names, with a shared blank node's stand-in IRI turned back into its label. */
export function reportedId(id: string): string {
  return id.startsWith(SHARED_BLANK_PREFIX) ? `_:${decodeURIComponent(id.slice(SHARED_BLANK_PREFIX.length))}` : id;
}
