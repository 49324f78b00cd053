/**
 * SPDX 3.0.1 validation against the official SHACL shapes (the model file
 * `spdx-3.0.1-model.ttl`), the way the SPDX spec validates its examples:
 * `pyshacl -s spdx-model.ttl -e spdx-model.ttl`, i.e. the model is also
 * merged into the data graph so `sh:class` sees the subclass hierarchy.
 *
 * The JSON-LD document becomes RDF with jsonld.js; its `@context` is only
 * ever the local copy of the 3.0.1 context (never fetched), and any other
 * context is refused. The shapes are `owl:Class` + `sh:NodeShape`, whose
 * implicit class targets SHACL defines through `rdfs:Class`: the OWL
 * vocabulary's own `owl:Class rdfs:subClassOf rdfs:Class` is added to the
 * shapes graph so a plain SHACL engine (shacl-engine) applies them as
 * pyshacl does. Loaded lazily: only `sbom check` of SPDX 3 needs any of it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BeambakeError, ioError } from '../../util/errors.js';
import { spdxSchemasDir } from './schema.js';
import { reportedId, shaclBatches } from './shacl-batches.js';
import { importEsm } from '../../util/import-esm.js';

export const SPDX3_CONTEXT_URL = 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld';

export interface ShaclViolation {
  focusNode: string;
  path?: string;
  message: string;
  /** The SHACL constraint component, e.g. `ClassConstraintComponent`. */
  component: string;
  value?: string;
}

export interface ShaclResult {
  shapes: string;
  conforms: boolean;
  violations: ShaclViolation[];
  /** Violations beyond the first 200 (listLimit) are counted, not listed. */
  total: number;
}

export interface ShaclOptions {
  /** The model with the shapes (default: the shipped copy, or $BEAMBAKE_SCHEMAS_DIR). */
  modelPath?: string;
  contextPath?: string;
  /** Elements per validation batch for large documents (see shacl-batches.ts). */
  batchSize?: number;
  /** Violations listed (the rest are counted); default 200. */
  listLimit?: number;
}

/** Large enough that ordinary documents are validated whole; small enough to bound the engine's memory (a few hundred MB). */
export const DEFAULT_SHACL_BATCH = 1000;

interface Loaded {
  shapes: unknown;
  modelQuads: unknown[];
  context: unknown;
}

const cache = new Map<string, Promise<Loaded>>();

async function load(modelPath: string, contextPath: string): Promise<Loaded> {
  const key = `${modelPath}\u0000${contextPath}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const [{ Parser, DataFactory: df }, { default: datasetFactory }] = await Promise.all([
        import('n3'),
        importEsm<typeof import('@rdfjs/dataset')>('@rdfjs/dataset'),
      ]);
      const [ttl, ctx] = await Promise.all([
        readFile(modelPath, 'utf8').catch((e) => {
          throw ioError(e, modelPath, 'cannot load the SPDX 3 model');
        }),
        readFile(contextPath, 'utf8').catch((e) => {
          throw ioError(e, contextPath, 'cannot load the SPDX 3 context');
        }),
      ]);
      const modelQuads: unknown[] = new Parser({ format: 'text/turtle' }).parse(ttl);
      const owlClassIsClass = df.quad(
        df.namedNode('http://www.w3.org/2002/07/owl#Class'),
        df.namedNode('http://www.w3.org/2000/01/rdf-schema#subClassOf'),
        df.namedNode('http://www.w3.org/2000/01/rdf-schema#Class'),
      );
      return { shapes: datasetFactory.dataset([...modelQuads, owlClassIsClass]), modelQuads, context: JSON.parse(ctx) as unknown };
    })();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

const local = (iri: string | undefined): string | undefined => iri?.replace(/^.*[#/]/, '');

/** Validate a parsed SPDX 3 JSON-LD document; throws SBOM_UNSUPPORTED for a context other than 3.0.1's. */
export async function validateSpdx3Shacl(doc: unknown, opts: ShaclOptions = {}): Promise<ShaclResult> {
  const modelPath = opts.modelPath ?? join(spdxSchemasDir(), 'spdx-3.0.1-model.ttl');
  const contextPath = opts.contextPath ?? join(spdxSchemasDir(), 'spdx-3.0.1-context.jsonld');
  const { shapes, modelQuads, context } = await load(modelPath, contextPath);
  const [{ default: jsonld }, { default: datasetFactory }, { default: dataModel }, { default: Validator }] = await Promise.all([
    import('jsonld'),
    importEsm<typeof import('@rdfjs/dataset')>('@rdfjs/dataset'),
    importEsm<typeof import('@rdfjs/data-model')>('@rdfjs/data-model'),
    importEsm<typeof import('shacl-engine/Validator.js')>('shacl-engine/Validator.js'),
  ]);
  const documentLoader = async (url: string) => {
    if (url === SPDX3_CONTEXT_URL) return { contextUrl: null, documentUrl: url, document: context };
    throw new BeambakeError('SBOM_UNSUPPORTED', `@context ${url} is not the SPDX 3.0.1 context; only ${SPDX3_CONTEXT_URL} (shipped locally) is used, nothing is fetched`, { entry: '@context' });
  };
  const validator = new Validator(shapes, { factory: dataModel });
  const batches = shaclBatches(doc, opts.batchSize ?? DEFAULT_SHACL_BATCH) ?? [{ doc: doc as Record<string, unknown>, own: undefined }];
  const violations: ShaclViolation[] = [];
  let total = 0;
  for (const batch of batches) {
    let quads: unknown[];
    try {
      quads = await jsonld.toRDF(batch.doc, { documentLoader, base: 'urn:beambake:base:' });
    } catch (e) {
      if (e instanceof BeambakeError) throw e;
      const cause = (e as { details?: { cause?: unknown } }).details?.cause;
      if (cause instanceof BeambakeError) throw cause;
      // a document the JSON-LD algorithms reject cannot conform: a failed check (the schema report says where), not bad input
      return { shapes: 'spdx-3.0.1-model.ttl (SHACL)', conforms: false, violations: [{ focusNode: '(document)', message: `not valid JSON-LD, so no RDF graph to validate: ${(e as Error).message}`, component: 'JSON-LD' }], total: 1 };
    }
    const report = await validator.validate({ dataset: datasetFactory.dataset([...modelQuads, ...quads]) });
    for (const r of report.results) {
      const focus = r.focusNode?.term;
      // a batch answers for its own nodes (and nested blank ones), not for the stubs of other batches' elements
      if (batch.own && focus?.termType !== 'BlankNode' && !batch.own.has(focus?.value ?? '')) continue;
      total++;
      if (violations.length >= (opts.listLimit ?? 200)) continue;
      violations.push({
        focusNode: focus?.value !== undefined ? reportedId(focus.value) : '(unknown)',
        ...(r.path?.[0]?.predicates?.[0] ? { path: r.path[0].predicates[0].value } : {}),
        message: (r.message ?? []).map((m) => m.value).join(' ') || `${local(r.constraintComponent?.value) ?? 'constraint'} not satisfied`,
        component: local(r.constraintComponent?.value) ?? 'unknown',
        ...(r.value?.term ? { value: reportedId(r.value.term.value) } : {}),
      });
    }
  }
  return { shapes: 'spdx-3.0.1-model.ttl (SHACL)', conforms: total === 0, violations, total };
}
