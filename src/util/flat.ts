/**
 * The parts as one flat string. A template literal or `+` makes a rope (a
 * tree of the pieces) that every later hash, comparison and JSON.stringify
 * has to walk or copy first; ids are made once and then read many times over
 * in a large SBOM (stringifying components with rope ids took half again as
 * long). Array join writes the characters into one string.
 */
export function flatJoin(...parts: string[]): string {
  return parts.join('');
}

/**
 * The chunks joined into pieces of at least `size` characters (the last one may be shorter): a
 * writer hands a file or stream one piece per write instead of one per small chunk.
 */
export function* joinedPieces(chunks: Iterable<string>, size: number): Generator<string> {
  let buf = '';
  for (const chunk of chunks) {
    buf += chunk;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}
