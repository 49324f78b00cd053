/**
 * What every reader hands to the merge: the input as a component graph whose
 * ids are global "origin keys" (document namespace + local id, or an SPDX 3
 * IRI), plus an account of every input element that did not become a
 * component or an edge and why. The merge checks that account (MERGE_LOSS).
 */
import type { Edge, SbomGraph } from '../model.js';

export type InputFormat =
  | 'spdx2-json'
  | 'yocto-spdx2-dir'
  | 'yocto-spdx2-archive'
  | 'spdx3-jsonld'
  | 'cyclonedx-json'
  | 'cyclonedx-xml';

/** Input elements (or relationships) set aside for one reason, counted, with a few examples. */
export interface Folded {
  kind: 'component' | 'edge';
  reason: string;
  count: number;
  examples: string[];
}

export interface InputSbom {
  /** Path as the user gave it. */
  file: string;
  format: InputFormat;
  /** e.g. "SPDX-2.2", "3.0.1", "CycloneDX 1.4". */
  specVersion: string;
  /** Stable identity: SPDX namespace, CycloneDX serial number, or sha256 of the bytes. */
  key: string;
  /** Components carry origin-key ids; edges may name ids that no component here has (unresolved references). */
  graph: SbomGraph;
  /** Ids of this input's top-level components (what DESCRIBES / rootElement / metadata.component name). */
  roots: string[];
  /**
   * Where the reader knows them, the ends of each edge as positions in
   * `graph.components`: edge k runs from `edgeEnds[2k]` to `edgeEnds[2k + 1]`,
   * -1 for an end that is no component of this input (the merge resolves that
   * one by its id). Saves the merge a lookup by id per edge end.
   */
  edgeEnds?: Int32Array;
  /** Other names an element is referenced by (OpenEmbedded SPDX 3 `id-alias`): alias -> id. */
  aliases: Map<string, string>;
  /** Everything not carried over as a component or an edge, with the reason. */
  folded: Folded[];
  /** Package-like elements read (components plus folded ones) and relationships read (edges plus folded ones). */
  counts: { components: number; edges: number };
  /** Notes about how roots were chosen and similar reader decisions, for --explain. */
  notes: string[];
  /**
   * Edges the format implies without stating them as relationships, each with
   * the convention it comes from (CycloneDX: top-level components belong to
   * `metadata.component`). Not counted among the relationships read.
   */
  impliedEdges?: (Edge & { reason: string })[];
  /** Components the input itself leaves unlinked on purpose, with the reason (for the reachability check). */
  detached?: Map<string, string>;
}

/** Accumulates folded elements by reason, keeping the first few examples. */
export class FoldLog {
  private readonly byReason = new Map<string, Folded>();

  add(kind: Folded['kind'], reason: string, example: string, count = 1): void {
    const key = `${kind}\u0000${reason}`;
    let f = this.byReason.get(key);
    if (!f) {
      f = { kind, reason, count: 0, examples: [] };
      this.byReason.set(key, f);
    }
    f.count += count;
    if (f.examples.length < 3) f.examples.push(example);
  }

  list(): Folded[] {
    return [...this.byReason.values()].sort((a, b) =>
      a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0,
    );
  }

  total(kind: Folded['kind']): number {
    let n = 0;
    for (const f of this.byReason.values()) if (f.kind === kind) n += f.count;
    return n;
  }
}

export interface ReadOptions {
  /** Keep SPDX files as components instead of folding them into their package. */
  keepFiles?: boolean;
  /** Told the size of each piece of the input as it is read (for progress): bytes of the file, or of an archive before decompression. */
  onBytes?: (n: number) => void;
}
