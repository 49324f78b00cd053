/**
 * What `beambake vuln` knows after matching: the subject (a project or an
 * SBOM), its components, and one finding per vulnerability and component.
 * Writers (OpenVEX, CycloneDX VEX, CSAF, JSON, text) only read this.
 */
import type { Severity } from './severity.js';

export type VexStatus = 'affected' | 'not_affected' | 'fixed' | 'under_investigation';

/** OpenVEX (and CSAF flag) justifications for `not_affected`. */
export const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type Justification = (typeof JUSTIFICATIONS)[number];

/** A component vulnerabilities can be matched against. */
export interface Subject {
  /** Stable id: the SBOM component id, or the purl for a project package. */
  ref: string;
  name: string;
  version?: string;
  purl?: string;
  cpe?: string;
  /** The component's bom-ref in a CycloneDX SBOM input. */
  bomRef?: string;
  /** A public Hex package (hexpm repository). */
  hex?: { name: string; version: string };
  /** A git dependency: repository URL as https, locked commit, tag when the lock names one. */
  git?: { repo: string; rev: string; tag?: string };
}

export interface Target {
  kind: 'project' | 'sbom';
  name: string;
  version?: string;
  /** The lockfile or SBOM files read. */
  files: string[];
  /** CycloneDX serial number of the SBOM (for BOM-Links), when the input was one CycloneDX SBOM. */
  serialNumber?: string;
  manufacturer?: string;
  manufacturerUrl?: string;
  subjects: Subject[];
  /** Facts about what was (not) read, printed as notes. */
  notes: string[];
}

export interface Vulnerability {
  /** Canonical id: the EEF CNA record first, then GitHub's, then others (see match.ts). */
  id: string;
  /** Every other id of the same vulnerability, sorted. */
  aliases: string[];
  summary?: string;
  severities: Severity[];
  /** Advisory URLs. */
  references: string[];
  /** Where the facts came from: OSV record files, cve-check or SBOM files. */
  origins: string[];
}

export type FindingSource = 'osv' | 'yocto-cve-check' | 'sbom-vex' | 'triage';

export interface Finding {
  vuln: Vulnerability;
  subject: Subject;
  status: VexStatus;
  /** For `affected`: the version to upgrade to; for `fixed`: the fix this version contains. */
  fixedVersion?: string;
  justification?: Justification;
  /** Impact statement (not_affected), action (affected) or notes (others). */
  statement?: string;
  source: FindingSource;
  /** A user decision (triage file or VEX input) set the status. */
  triaged: boolean;
}

export interface VulnResult {
  target: Target;
  findings: Finding[];
  /** OSV records that failed validation, with the reason. */
  rejected: { origin: string; problem: string }[];
  records: number;
  files: number;
  /** Triage decisions that matched no finding. */
  unusedDecisions: string[];
  /** ISO timestamp for the documents: SOURCE_DATE_EPOCH, else the newest record `modified`. */
  timestamp: string;
}

const order = (x: string, y: string) => (x === y ? 0 : x < y ? -1 : 1);

export function compareFindings(a: Finding, b: Finding): number {
  return order(a.vuln.id, b.vuln.id) || order(a.subject.purl ?? a.subject.ref, b.subject.purl ?? b.subject.ref) || order(a.status, b.status);
}
