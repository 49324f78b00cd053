/**
 * Vulnerability facts of the inputs (Yocto "CVEs fixed", SPDX 3 VEX
 * relationships, CycloneDX analyses) as an OpenVEX 0.2.0 document: BSI
 * TR-03183-2 keeps vulnerability information out of the SBOM itself.
 */
import { createHash } from 'node:crypto';
import type { Component, SbomGraph, VexStatement } from '../model.js';

export interface OpenVexOptions {
  author: string;
  /** ISO 8601; required by OpenVEX. */
  timestamp: string;
}

type Product = { '@id': string; identifiers?: { purl?: string; cpe23?: string } };

function product(c: Component | undefined, id: string, doc: string): Product {
  const identifiers: { purl?: string; cpe23?: string } = {};
  if (c?.purl) identifiers.purl = c.purl;
  if (c?.cpes[0]) identifiers.cpe23 = c.cpes[0];
  return { '@id': c?.purl ?? `${doc}#${id}`, ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}) };
}

export function toOpenVex(graph: SbomGraph, opts: OpenVexOptions): Record<string, unknown> | undefined {
  if (graph.vex.length === 0) return undefined;
  const byId = new Map(graph.components.map((c) => [c.id, c]));
  const doc = graph.metadata.serialNumber ?? 'urn:beambake:sbom';
  // one statement per vulnerability and assessment, listing every product it covers
  const groups = new Map<string, { v: VexStatement; products: Set<string>; external: Set<string> }>();
  for (const v of graph.vex) {
    const k = JSON.stringify([v.vulnerability, v.status, v.justification ?? '', v.statement ?? '']);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { v, products: new Set(), external: new Set() }));
    for (const p of v.products) g.products.add(p);
    for (const p of v.externalProducts ?? []) g.external.add(p);
  }
  const statements = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { v, products, external }]) => {
      const s: Record<string, unknown> = {
        vulnerability: { name: v.vulnerability },
        // a component's purl is its product id; a reference into a BOM that was not merged (a BOM-Link) stays as written
        products: [...[...products].sort().map((p) => product(byId.get(p), p, doc)), ...[...external].sort().map((p) => ({ '@id': p }))],
        status: v.status,
      };
      if (v.status === 'not_affected') {
        if (v.justification) s.justification = v.justification;
        if (v.statement || !v.justification) s.impact_statement = v.statement ?? 'Assessed as not affected by the input SBOM; no justification was given there.';
      } else if (v.status === 'affected') {
        s.action_statement = v.statement ?? 'No remediation was stated in the input SBOM.';
      } else if (v.statement) s.status_notes = v.statement;
      return s;
    });
  const id = createHash('sha256').update(JSON.stringify([doc, statements])).digest('hex');
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://openvex.dev/docs/beambake/vex-${id.slice(0, 32)}`,
    author: opts.author,
    role: 'Document Creator',
    timestamp: opts.timestamp,
    version: 1,
    tooling: 'beambake sbom merge',
    statements,
  };
}
