/** `--fail-on`: affected, untriaged findings at or above a severity. */
import type { Finding } from './model.js';
import { gateRating, reaches, type Rating } from './severity.js';

export type Threshold = Exclude<Rating, 'unknown' | 'none'>;
export const THRESHOLDS: Threshold[] = ['low', 'medium', 'high', 'critical'];

export function failingFindings(findings: Finding[], threshold: Threshold): Finding[] {
  return findings.filter((f) => f.status === 'affected' && !f.triaged && reaches(gateRating(f.vuln.severities), threshold));
}
