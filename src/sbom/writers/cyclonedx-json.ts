/**
 * CycloneDX 1.6 JSON, produced as a sequence of chunks so a very large graph
 * can be written to a stream without holding the whole document. The joined
 * chunks equal `JSON.stringify(doc, null, 2) + "\n"`.
 */
import { itemsAtDepth2 } from './common.js';
import type { CanonicalGraph } from './canonical.js';
import { CDX_SPEC_VERSION, cdxComponents, cdxCompositions, cdxDependencies, cdxFormulation, cdxMetadata } from './cyclonedx-map.js';

function* array(key: string, items: Iterable<unknown>, last: boolean): Generator<string> {
  let first = true;
  for (const text of itemsAtDepth2(items)) {
    yield first ? `  ${JSON.stringify(key)}: [\n${text}` : text;
    first = false;
  }
  yield first ? `  ${JSON.stringify(key)}: []${last ? '\n' : ',\n'}` : `\n  ]${last ? '\n' : ',\n'}`;
}

function cdxHead(cg: CanonicalGraph) {
  return {
    $schema: `http://cyclonedx.org/schema/bom-${CDX_SPEC_VERSION}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion: CDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${cg.uuid}`,
    version: 1,
    metadata: cdxMetadata(cg),
  };
}

export function* cyclonedxJsonChunks(cg: CanonicalGraph): Generator<string> {
  const headJson = JSON.stringify(cdxHead(cg), null, 2);
  yield headJson.slice(0, headJson.length - 2) + ',\n';
  yield* array('components', cdxComponents(cg), false);
  const compositions = cdxCompositions(cg);
  const formulation = cdxFormulation(cg);
  yield* array('dependencies', cdxDependencies(cg), compositions.length === 0 && !formulation);
  if (compositions.length > 0) yield* array('compositions', compositions, !formulation);
  if (formulation) yield* array('formulation', formulation, true);
  yield '}\n';
}

/**
 * The same text in one piece, for a document that is held in memory anyway
 * (the layer SBOM): one JSON.stringify of the whole document takes half the
 * time of re-indenting every item's JSON, most of it on `beambake recipe`'s
 * cold start.
 */
export function cyclonedxJsonText(cg: CanonicalGraph): string {
  const compositions = cdxCompositions(cg);
  const doc = {
    ...cdxHead(cg),
    components: [...cdxComponents(cg)],
    dependencies: [...cdxDependencies(cg)],
    ...(compositions.length > 0 ? { compositions } : {}),
    ...(cdxFormulation(cg) ? { formulation: cdxFormulation(cg) } : {}),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
