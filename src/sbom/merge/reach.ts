/**
 * Reachability from the device: an SBOM whose graph does not reach a
 * component says nothing about whether the device contains it. The merge
 * follows every edge the outputs express as reaching (contains, depends on,
 * generated from; not OTHER, see REACHING_EDGES) from its source to its
 * target, so the path from the device to each component is the one the
 * output document states; it walks its own output nodes (merge.ts).
 */

export interface InputReach {
  /** Output components this input contributed to. */
  outComponents: number;
  /** Of those, how many the device reaches. */
  reachable: number;
}
