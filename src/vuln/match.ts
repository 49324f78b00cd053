/**
 * Matching OSV records against subjects: Hex packages by ecosystem, name and
 * version; git dependencies by repository and commit. Records of one
 * vulnerability (an EEF CNA record and its GHSA/CVE twins, linked through
 * `id`/`aliases`) become one finding per component.
 */
import { gitLocation } from '../sbom/purls.js';
import type { LoadedRecord, OsvAffected, OsvRange } from './osv.js';
import { evalAffected, evalGit, stronger, type RangeVerdict } from './ranges.js';
import { osvSeverities, type Severity } from './severity.js';
import type { Finding, Subject, Vulnerability } from './model.js';

interface Entry {
  rec: LoadedRecord;
  affected: OsvAffected;
  range?: OsvRange;
}

export interface OsvIndex {
  hex: Map<string, Entry[]>;
  git: Map<string, Entry[]>;
}

/** Repository identity for comparing lock URLs with OSV `repo` URLs: https, no `.git`, lowercase. */
export function repoKey(url: string): string | undefined {
  const web = gitLocation(url).web;
  return web?.toLowerCase();
}

export function buildIndex(records: LoadedRecord[]): OsvIndex {
  const hex = new Map<string, Entry[]>();
  const git = new Map<string, Entry[]>();
  const push = (m: Map<string, Entry[]>, k: string, e: Entry) => {
    const l = m.get(k);
    if (l) l.push(e);
    else m.set(k, [e]);
  };
  for (const rec of records) {
    if (rec.record.withdrawn) continue;
    for (const affected of rec.record.affected ?? []) {
      if (affected.package?.ecosystem === 'Hex') push(hex, affected.package.name.toLowerCase(), { rec, affected });
      for (const range of affected.ranges ?? []) {
        if (range.type !== 'GIT' || !range.repo) continue;
        const k = repoKey(range.repo);
        if (k) push(git, k, { rec, affected, range });
      }
    }
  }
  return { hex, git };
}

/** Canonical-id preference: the Hex ecosystem's CNA, then GitHub, then any other database; CVE ids last. */
function idRank(id: string): number {
  if (id.startsWith('EEF-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  if (id.startsWith('CVE-')) return 3;
  return 2;
}

export function preferredId(ids: Iterable<string>): string {
  return [...ids].sort((a, b) => idRank(a) - idRank(b) || (a < b ? -1 : a > b ? 1 : 0))[0]!;
}

/** Union-find over record ids and aliases: returns, per record id, its group of records. */
function groupRecords(recs: LoadedRecord[]): Map<string, LoadedRecord[]> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const r of recs) {
    if (!parent.has(r.record.id)) parent.set(r.record.id, r.record.id);
    for (const a of [...(r.record.aliases ?? []), ...(r.record.upstream ?? [])]) {
      if (!parent.has(a)) parent.set(a, a);
      union(r.record.id, a);
    }
  }
  const groups = new Map<string, Set<LoadedRecord>>();
  for (const r of recs) {
    const k = find(r.record.id);
    const l = groups.get(k);
    if (l) l.add(r);
    else groups.set(k, new Set([r]));
  }
  return new Map([...groups].map(([k, v]) => [k, [...v]]));
}

export function vulnerabilityOf(recs: LoadedRecord[]): Vulnerability {
  const ids = new Set<string>();
  for (const r of recs) {
    ids.add(r.record.id);
    for (const a of r.record.aliases ?? []) ids.add(a);
  }
  const own = recs.map((r) => r.record.id);
  const id = preferredId(own);
  const main = recs.find((r) => r.record.id === id)!.record;
  const severities: Severity[] = [];
  const seen = new Set<string>();
  for (const r of [main, ...recs.map((x) => x.record).filter((x) => x !== main)]) {
    const list = [...(r.severity ?? []), ...(r.affected ?? []).flatMap((a) => a.severity ?? [])];
    for (const s of osvSeverities(list, r.database_specific?.severity)) {
      const k = `${s.method}:${s.vector ?? s.rating}`;
      if (!seen.has(k)) {
        seen.add(k);
        severities.push(s);
      }
    }
  }
  const references = new Set<string>();
  for (const r of recs) for (const ref of r.record.references ?? []) if (ref.type === 'ADVISORY' || ref.type === 'WEB') references.add(ref.url);
  ids.delete(id);
  return {
    id,
    aliases: [...ids].sort(),
    ...(main.summary ? { summary: main.summary } : recs.find((r) => r.record.summary) ? { summary: recs.find((r) => r.record.summary)!.record.summary! } : {}),
    severities,
    references: [...references].sort().slice(0, 20),
    origins: recs.map((r) => r.origin).sort(),
  };
}

function verdictFor(subject: Subject, e: Entry): RangeVerdict {
  if (e.range) return evalGit(subject.git!.rev, subject.git!.tag, e.range, e.affected.versions);
  return evalAffected(subject.hex!.version, e.affected);
}

/** Findings of the OSV records for the subjects. */
export function matchOsv(subjects: Subject[], index: OsvIndex): Finding[] {
  // per subject: record -> verdict
  const hits: { subject: Subject; rec: LoadedRecord; verdict: RangeVerdict }[] = [];
  for (const subject of subjects) {
    const entries = subject.hex ? index.hex.get(subject.hex.name.toLowerCase()) : subject.git ? index.git.get(repoKey(subject.git.repo) ?? '') : undefined;
    if (!entries) continue;
    const perRecord = new Map<LoadedRecord, RangeVerdict>();
    for (const e of entries) {
      const v = verdictFor(subject, e);
      perRecord.set(e.rec, stronger(perRecord.get(e.rec) ?? { kind: 'none' }, v));
    }
    for (const [rec, verdict] of perRecord) if (verdict.kind !== 'none') hits.push({ subject, rec, verdict });
  }
  const groups = groupRecords([...new Set(hits.map((h) => h.rec))]);
  const groupOf = new Map<LoadedRecord, LoadedRecord[]>();
  for (const g of groups.values()) for (const r of g) groupOf.set(r, g);
  const vulns = new Map<LoadedRecord[], Vulnerability>();
  const perFinding = new Map<string, { subject: Subject; group: LoadedRecord[]; verdict: RangeVerdict }>();
  for (const h of hits) {
    const group = groupOf.get(h.rec)!;
    const k = `${h.subject.ref}\u0000${group[0]!.record.id}`;
    const cur = perFinding.get(k);
    if (cur) cur.verdict = stronger(cur.verdict, h.verdict);
    else perFinding.set(k, { subject: h.subject, group, verdict: h.verdict });
  }
  const findings: Finding[] = [];
  for (const { subject, group, verdict } of perFinding.values()) {
    let vuln = vulns.get(group);
    if (!vuln) vulns.set(group, (vuln = vulnerabilityOf(group)));
    const base = { vuln, subject, source: 'osv' as const, triaged: false };
    if (verdict.kind === 'affected') {
      findings.push({
        ...base,
        status: 'affected',
        ...(verdict.fixed ? { fixedVersion: verdict.fixed, statement: `Upgrade ${subject.name} to ${verdict.fixed} or later.` } : { statement: `No fixed version of ${subject.name} is known; remove or replace it, or triage the vulnerability.` }),
      });
    } else if (verdict.kind === 'fixed') {
      findings.push({ ...base, status: 'fixed', fixedVersion: verdict.fixed, statement: `${subject.version ?? subject.name} contains the fix (${verdict.fixed}).` });
    } else if (verdict.kind === 'unknown') {
      findings.push({ ...base, status: 'under_investigation', statement: `Cannot be decided offline: ${verdict.reason}.` });
    }
  }
  return findings;
}
