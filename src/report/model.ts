/**
 * Everything the technical-file report shows, gathered once from the device
 * SBOM and the optional vulnerability, verification and conformance inputs;
 * the HTML and Markdown renderers only format it.
 */
import type { CheckReport } from '../sbom/check/index.js';

export interface ComponentRow {
  id: string;
  name: string;
  version: string;
  type: string;
  supplier: string;
  /** Concluded, else declared licence; "" when unknown. */
  license: string;
  purl: string;
  cpe: string;
  /** `ALG:hex` pairs. */
  hashes: string[];
  /** The input document the component came from (`beambake:origin`), shortened. */
  input: string;
  /** The top-level part of the device (its direct child) the component is reached through. */
  layer: string;
}

export interface GraphNode {
  id: string;
  label: string;
  /** Components this node stands for (1 for a component; more for a collapsed group). */
  count: number;
  kind: 'device' | 'layer' | 'component' | 'more';
}

export interface GraphPicture {
  nodes: GraphNode[];
  edges: [from: string, to: string][];
  /** Depth of each node (column). */
  depth: Map<string, number>;
  collapsed: boolean;
}

export interface VulnRow {
  id: string;
  aliases: string[];
  component: string;
  status: string;
  severity: string;
  fixedVersion: string;
  justification: string;
  statement: string;
}

export interface VerifyRow {
  artifact: string;
  result: string;
  checks: { check: string; result: string; reason?: string }[];
}

export interface ReportData {
  title: string;
  product: { name: string; version: string; manufacturer: string; manufacturerUrl: string; contact: string };
  sbom: { file: string; format: string; specVersion: string; serialNumber: string; timestamp: string; sha256: string; tools: string[] };
  components: ComponentRow[];
  edges: number;
  byLayer: [string, number][];
  byType: [string, number][];
  byLicense: [string, number][];
  unknownLicense: ComponentRow[];
  graph: GraphPicture;
  vulns?: { file: string; rows: VulnRow[] };
  verify?: { files: string[]; rows: VerifyRow[] };
  check?: CheckReport;
  /** When the report was made: SOURCE_DATE_EPOCH, else the SBOM's timestamp. */
  generated: string;
  toolVersion: string;
}

export function countBy<T>(items: T[], key: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const i of items) {
    const k = key(i);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
