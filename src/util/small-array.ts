/**
 * Lists that stay short. Most lists of a large SBOM's graph hold one or two
 * items (a component's hash and source, a node's edges), and V8 grows an
 * array on push to at least 16 slots: 110,000 components with a few such lists
 * each kept tens of MB of empty slots alive for the garbage collector to copy.
 */

/** `list` with `x` at its end: a new array of exactly that size while it is short, the same array (pushed) from four items on. */
export function appended<T>(list: T[], x: T): T[] {
  switch (list.length) {
    case 0:
      return [x];
    case 1:
      return [list[0]!, x];
    case 2:
      return [list[0]!, list[1]!, x];
    default:
      list.push(x);
      return list;
  }
}
