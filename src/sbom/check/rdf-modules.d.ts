// Minimal declarations for the RDF libraries `sbom check` uses for SHACL; none ships its own types.
declare module 'n3' {
  interface Term {
    termType: string;
    value: string;
  }
  interface Quad {
    subject: Term;
    predicate: Term;
    object: Term;
    graph: Term;
  }
  export class Parser {
    constructor(options?: { format?: string; baseIRI?: string });
    parse(input: string): Quad[];
  }
  export const DataFactory: {
    namedNode(iri: string): Term;
    blankNode(name?: string): Term;
    literal(value: string, languageOrDatatype?: string | Term): Term;
    defaultGraph(): Term;
    quad(s: Term, p: Term, o: Term, g?: Term): Quad;
  };
}

declare module 'jsonld' {
  interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }
  const jsonld: {
    toRDF(input: unknown, options: { documentLoader: (url: string) => Promise<RemoteDocument>; base?: string; safe?: boolean }): Promise<unknown[]>;
  };
  export default jsonld;
}

declare module '@rdfjs/data-model' {
  const factory: unknown;
  export default factory;
}

declare module '@rdfjs/dataset' {
  const datasetFactory: { dataset(quads?: unknown[]): unknown };
  export default datasetFactory;
}

declare module 'shacl-engine/Validator.js' {
  interface Term {
    termType: string;
    value: string;
  }
  interface Result {
    focusNode?: { term?: Term };
    path?: { predicates?: Term[] }[];
    message?: Term[];
    severity?: Term;
    constraintComponent?: Term;
    value?: { term?: Term };
  }
  export default class Validator {
    constructor(shapes: unknown, options: { factory: unknown });
    validate(data: { dataset: unknown }): Promise<{ conforms: boolean; results: Result[] }>;
  }
}
