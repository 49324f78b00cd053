import { createHash } from 'node:crypto';
import type { Finding, Subject, VulnResult } from '../model.js';

export interface WriteOptions {
  /** Author / publisher of the document. */
  author: string;
  /** Publisher namespace URL (CSAF needs one). */
  authorUrl?: string;
  toolVersion: string;
}

export type Json = Record<string, unknown>;

export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** A UUID (version 5 layout) derived from content: same inputs, same serial number. */
export function contentUuid(value: unknown): string {
  const h = digest(value);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function productId(s: Subject): string {
  return s.purl ?? s.ref;
}

/** Findings grouped by vulnerability id, in order. */
export function byVulnerability(r: VulnResult): [string, Finding[]][] {
  const m = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const l = m.get(f.vuln.id);
    if (l) l.push(f);
    else m.set(f.vuln.id, [f]);
  }
  return [...m.entries()];
}

export function subjectLabel(r: VulnResult): string {
  return `${r.target.name}${r.target.version ? ` ${r.target.version}` : ''}`;
}
