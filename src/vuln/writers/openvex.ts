/** OpenVEX 0.2.0: one statement per vulnerability and component. */
import type { Finding, VulnResult } from '../model.js';
import { digest, productId, type Json, type WriteOptions } from './common.js';

function statement(f: Finding): Json {
  const s = f.subject;
  const identifiers: Json = {};
  if (s.purl) identifiers.purl = s.purl;
  if (s.cpe) identifiers.cpe23 = s.cpe;
  const out: Json = {
    vulnerability: { name: f.vuln.id, ...(f.vuln.summary ? { description: f.vuln.summary } : {}), ...(f.vuln.aliases.length ? { aliases: f.vuln.aliases } : {}) },
    products: [{ '@id': productId(s), ...(Object.keys(identifiers).length ? { identifiers } : {}) }],
    status: f.status,
  };
  if (f.status === 'not_affected') {
    if (f.justification) out.justification = f.justification;
    if (f.statement) out.impact_statement = f.statement;
  } else if (f.status === 'affected') {
    out.action_statement = f.statement ?? (f.fixedVersion ? `Upgrade to ${f.fixedVersion} or later.` : 'No fix is known.');
  } else if (f.statement) out.status_notes = f.statement;
  return out;
}

export function toOpenVex(r: VulnResult, o: WriteOptions): Json {
  const statements = r.findings.map(statement);
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://openvex.dev/docs/beambake/vex-${digest([r.target.name, r.target.version ?? '', statements]).slice(0, 32)}`,
    author: o.author,
    role: 'Document Creator',
    timestamp: r.timestamp,
    version: 1,
    tooling: `beambake vuln ${o.toolVersion}`,
    statements,
  };
}
