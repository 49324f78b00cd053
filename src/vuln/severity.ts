/**
 * Severity from CVSS vectors: base scores computed by ae-cvss-calculator
 * (CVSS 2.0, 3.0, 3.1 and 4.0 as FIRST specifies them) and the FIRST
 * qualitative scale (CVSS v3/v4: none 0, low 0.1-3.9, medium 4.0-6.9, high
 * 7.0-8.9, critical 9.0-10.0).
 */
import { createRequire } from 'node:module';
import type { OsvSeverity } from './osv.js';

export type Rating = 'none' | 'low' | 'medium' | 'high' | 'critical' | 'unknown';

export interface Severity {
  rating: Rating;
  score?: number;
  /** CVSSv4, CVSSv31, CVSSv3, CVSSv2 (CycloneDX method names), or "yocto" / "advisory" for a score without vector. */
  method: string;
  vector?: string;
}

export const RATING_ORDER: Rating[] = ['none', 'low', 'medium', 'high', 'critical'];

export function ratingOf(score: number): Rating {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

interface CvssModule {
  Cvss2: new (v: string) => Scored;
  Cvss3P0: new (v: string) => Scored;
  Cvss3P1: new (v: string) => Scored;
  Cvss4P0: new (v: string) => Scored;
}
interface Scored {
  calculateScores(): { base?: number; overall?: number };
}

let cvss: CvssModule | undefined;
function lib(): CvssModule {
  // a webpack CommonJS bundle without an ESM entry
  cvss ??= createRequire(import.meta.url)('ae-cvss-calculator') as CvssModule;
  return cvss;
}

const cache = new Map<string, Severity | undefined>();

/** Score one CVSS vector; undefined when it is not a vector this library reads. */
export function scoreVector(vector: string): Severity | undefined {
  if (cache.has(vector)) return cache.get(vector);
  let out: Severity | undefined;
  try {
    const m = lib();
    let s: Scored | undefined;
    let method = '';
    if (vector.startsWith('CVSS:4.0/')) [s, method] = [new m.Cvss4P0(vector), 'CVSSv4'];
    else if (vector.startsWith('CVSS:3.1/')) [s, method] = [new m.Cvss3P1(vector), 'CVSSv31'];
    else if (vector.startsWith('CVSS:3.0/')) [s, method] = [new m.Cvss3P0(vector), 'CVSSv3'];
    else if (/^(\(?AV:[LAN]\/AC:[HML]\/Au:[MSN])/.test(vector)) [s, method] = [new m.Cvss2(vector), 'CVSSv2'];
    if (s) {
      const base = s.calculateScores().base;
      if (typeof base === 'number' && Number.isFinite(base)) out = { rating: ratingOf(base), score: base, method, vector };
    }
  } catch {
    out = undefined;
  }
  cache.set(vector, out);
  return out;
}

const METHOD_RANK: Record<string, number> = { CVSSv4: 4, CVSSv31: 3, CVSSv3: 2, CVSSv2: 1 };

/**
 * The severities of an OSV record (its own and its affected entries'), newest
 * CVSS version first; with no vector, a textual rating from
 * `database_specific.severity` (GitHub advisories) as method "advisory".
 */
export function osvSeverities(list: OsvSeverity[], dbSeverity: unknown): Severity[] {
  const out: Severity[] = [];
  const seen = new Set<string>();
  for (const s of list) {
    if (seen.has(s.score)) continue;
    seen.add(s.score);
    const x = scoreVector(s.score);
    if (x) out.push(x);
  }
  out.sort((a, b) => (METHOD_RANK[b.method] ?? 0) - (METHOD_RANK[a.method] ?? 0) || (b.score ?? 0) - (a.score ?? 0));
  if (out.length === 0 && typeof dbSeverity === 'string') {
    const r = dbSeverity.toLowerCase() === 'moderate' ? 'medium' : dbSeverity.toLowerCase();
    if ((RATING_ORDER as string[]).includes(r)) out.push({ rating: r as Rating, method: 'advisory' });
  }
  return out;
}

/** The rating a gate compares: the highest of the given severities; unknown when there is none. */
export function gateRating(list: Severity[]): Rating {
  let best: Rating = 'unknown';
  for (const s of list) if (best === 'unknown' || RATING_ORDER.indexOf(s.rating) > RATING_ORDER.indexOf(best)) best = s.rating;
  return best;
}

/**
 * Whether a rating reaches a --fail-on threshold. An unknown severity counts
 * as reaching every threshold: a gate must not pass a vulnerability because
 * nobody scored it.
 */
export function reaches(r: Rating, threshold: Exclude<Rating, 'unknown' | 'none'>): boolean {
  if (r === 'unknown') return true;
  return RATING_ORDER.indexOf(r) >= RATING_ORDER.indexOf(threshold);
}
