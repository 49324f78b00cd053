/**
 * import() of a package that is only an ES module (shacl-engine, @rdfjs/*).
 *
 * The bundled bin runs the CLI through node:vm (for V8's code cache), where
 * import() has no module loader on Node 20 without a flag; scripts/bundle.mjs
 * turns the other import()s of packages into require(), which would hand
 * these ones over as a namespace in place of their default export. So the bin
 * lends its own import() (src/cli/bin.ts), and everything else (tsc's output,
 * the sources) uses the language's.
 */
export const BIN_IMPORT = Symbol.for('beambake.importEsm');

export function importEsm<T>(specifier: string): Promise<T> {
  const viaBin = (globalThis as { [BIN_IMPORT]?: (s: string) => Promise<unknown> })[BIN_IMPORT];
  return (viaBin ? viaBin(specifier) : import(specifier)) as Promise<T>;
}
