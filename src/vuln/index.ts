/**
 * `beambake vuln`: read the subject (a project or SBOMs), load and validate
 * OSV records, match, add the Yocto side (cve-check JSON, VEX already in the
 * SBOMs), apply the user's triage, and hand the result to a writer.
 */
import { isoSeconds, sourceDateEpoch } from '../util/time.js';
import { loadOsv } from './osv.js';
import { buildIndex, matchOsv, repoKey } from './match.js';
import { componentSubject, projectTarget } from './subjects.js';
import { readCveCheck } from './yocto.js';
import { applyTriage, readOpenVex, readTriage, type Decision } from './triage.js';
import { compareFindings, JUSTIFICATIONS, type Finding, type Justification, type Subject, type Target, type Vulnerability, type VulnResult } from './model.js';
import type { VexStatement } from '../sbom/model.js';

export interface VulnOptions {
  /** A project directory or lockfile, or SBOM files (decided by the caller). */
  project?: string;
  sboms?: string[];
  projectIdentity?: { appName?: string; appVersion?: string };
  /** Dependency scopes beyond prod to match (`--include-scope`). */
  includeScopes?: ('dev' | 'test')[];
  osv: string[];
  cveCheck?: string[];
  triage?: string[];
  /** OpenVEX documents whose statements pass through (the Yocto side exported by `sbom merge --vex`). */
  vex?: string[];
  env?: NodeJS.ProcessEnv;
}

const PRECEDENCE: Record<Finding['source'], number> = { osv: 0, 'yocto-cve-check': 1, 'sbom-vex': 2, triage: 3 };

async function sbomTarget(files: string[]): Promise<{ target: Target; vex: VexStatement[] }> {
  const { readSbom } = await import('../sbom/readers/index.js');
  const subjects: Subject[] = [];
  const vex: VexStatement[] = [];
  let name = '';
  let version: string | undefined;
  let serialNumber: string | undefined;
  let manufacturer: string | undefined;
  let manufacturerUrl: string | undefined;
  for (const f of files) {
    const input = await readSbom(f);
    const g = input.graph;
    const cdxKey = input.format.startsWith('cyclonedx') && input.key.startsWith('urn:uuid:') ? input.key : undefined;
    for (const c of g.components) subjects.push(componentSubject(c, cdxKey && c.id.startsWith(`${cdxKey}#`) ? c.id.slice(cdxKey.length + 1) : undefined));
    vex.push(...g.vex);
    if (!name) {
      const root = g.components.find((c) => c.id === (g.metadata.root ?? input.roots[0]));
      name = root?.name ?? g.metadata.name;
      version = root?.version;
      const m = g.metadata.manufacturer ?? root?.manufacturer ?? root?.supplier;
      manufacturer = m?.name;
      manufacturerUrl = m?.urls?.[0];
      if (files.length === 1) serialNumber = cdxKey;
    }
  }
  const target: Target = { kind: 'sbom', name, ...(version ? { version } : {}), files, subjects, notes: [] };
  if (serialNumber) target.serialNumber = serialNumber;
  if (manufacturer) target.manufacturer = manufacturer;
  if (manufacturerUrl) target.manufacturerUrl = manufacturerUrl;
  return { target, vex };
}

/** SPDX 3 / CycloneDX justification names as the readers give them, to OpenVEX's. */
function openVexJustification(j: string | undefined): Justification | undefined {
  if (!j) return undefined;
  if ((JUSTIFICATIONS as readonly string[]).includes(j)) return j as Justification;
  const map: Record<string, Justification> = {
    componentNotPresent: 'component_not_present',
    vulnerableCodeNotPresent: 'vulnerable_code_not_present',
    vulnerableCodeNotInExecutePath: 'vulnerable_code_not_in_execute_path',
    vulnerableCodeCannotBeControlledByAdversary: 'vulnerable_code_cannot_be_controlled_by_adversary',
    inlineMitigationsAlreadyExist: 'inline_mitigations_already_exist',
    code_not_present: 'vulnerable_code_not_present',
    code_not_reachable: 'vulnerable_code_not_in_execute_path',
    protected_by_mitigating_control: 'inline_mitigations_already_exist',
  };
  return map[j];
}

function sbomVexFindings(vex: VexStatement[], subjects: Map<string, Subject>, known: Map<string, Vulnerability>, file: string): Finding[] {
  const out: Finding[] = [];
  for (const v of vex) {
    const vuln = known.get(v.vulnerability) ?? { id: v.vulnerability, aliases: [], severities: [], references: [], origins: [file] };
    known.set(v.vulnerability, vuln);
    for (const p of v.products) {
      const subject = subjects.get(p) ?? { ref: p, name: p.split('#').pop() ?? p };
      const base = { vuln, subject, source: 'sbom-vex' as const, triaged: false };
      if (v.status === 'not_affected') {
        const j = openVexJustification(v.justification);
        if (j || v.statement) out.push({ ...base, status: 'not_affected', ...(j ? { justification: j } : {}), ...(v.statement ? { statement: v.statement } : {}), triaged: true });
        // a bare "not affected" with no reason is not carried over as one
        else out.push({ ...base, status: 'under_investigation', statement: 'The input SBOM said not affected without a justification.' });
      } else out.push({ ...base, status: v.status, ...(v.statement ? { statement: v.statement } : {}) });
    }
  }
  return out;
}

function openVexFindings(ds: Decision[], subjects: Subject[], known: Map<string, Vulnerability>, file: string): Finding[] {
  const index = new Map<string, Subject>();
  for (const s of subjects) for (const k of [s.ref, s.purl, s.cpe]) if (k && !index.has(k)) index.set(k, s);
  const out: Finding[] = [];
  for (const d of ds) {
    const vuln = known.get(d.vulnerability) ?? { id: d.vulnerability, aliases: [], severities: [], references: [], origins: [file] };
    known.set(d.vulnerability, vuln);
    for (const p of d.products) {
      const subject = index.get(p) ?? { ref: p, name: p.split('#').pop() ?? p };
      out.push({
        vuln,
        subject,
        status: d.status,
        ...(d.justification ? { justification: d.justification } : {}),
        ...(d.statement ? { statement: d.statement } : {}),
        source: 'sbom-vex',
        triaged: d.status === 'not_affected',
      });
    }
  }
  return out;
}

export async function runVuln(opts: VulnOptions): Promise<VulnResult> {
  let target: Target;
  let vex: VexStatement[] = [];
  if (opts.sboms && opts.sboms.length > 0) ({ target, vex } = await sbomTarget(opts.sboms));
  else {
    const { readProject } = await import('../lockfiles/index.js');
    target = projectTarget(await readProject(opts.project ?? '.', opts.projectIdentity ?? {}), opts.includeScopes ?? []);
  }
  const decisions = [];
  for (const t of opts.triage ?? []) decisions.push(...(await readTriage(t)));
  // keep only records about the subject's Hex packages and git repositories: the rest are validated and counted
  const hexNames = new Set(target.subjects.filter((s) => s.hex).map((s) => s.hex!.name.toLowerCase()));
  const repos = new Set(target.subjects.filter((s) => s.git).map((s) => repoKey(s.git!.repo)));
  const load = await loadOsv(opts.osv, (r) =>
    (r.affected ?? []).some(
      (a) => (a.package?.ecosystem === 'Hex' && hexNames.has(a.package.name.toLowerCase())) || (a.ranges ?? []).some((g) => g.type === 'GIT' && g.repo !== undefined && repos.has(repoKey(g.repo))),
    ),
  );
  const findings = matchOsv(target.subjects, buildIndex(load.records));

  // ids and aliases of matched vulnerabilities, so Yocto and SBOM statements about a CVE join its OSV twin
  const known = new Map<string, Vulnerability>();
  for (const f of findings) for (const id of [f.vuln.id, ...f.vuln.aliases]) known.set(id, f.vuln);
  const byRef = new Map(target.subjects.map((s) => [s.ref, s]));
  const extra: Finding[] = [];
  if (vex.length) extra.push(...sbomVexFindings(vex, byRef, known, target.files.join(', ')));
  for (const f of opts.vex ?? []) extra.push(...openVexFindings(readOpenVex(f), target.subjects, known, f));
  for (const f of opts.cveCheck ?? []) {
    for (const x of readCveCheck(f, target.subjects)) extra.push({ ...x, vuln: known.get(x.vuln.id) ?? x.vuln });
  }
  // one finding per vulnerability and component: user/VEX statements win over matching
  const merged = new Map<string, Finding>();
  for (const f of [...findings, ...extra]) {
    const k = `${f.vuln.id}\u0000${f.subject.ref}`;
    const cur = merged.get(k);
    if (!cur || PRECEDENCE[f.source] > PRECEDENCE[cur.source]) merged.set(k, f);
  }
  const all = [...merged.values()];
  const unused = applyTriage(all, decisions);
  all.sort(compareFindings);

  const epoch = sourceDateEpoch(opts.env ?? process.env);
  const newest = load.newestModified;
  const timestamp = epoch ? isoSeconds(epoch) : newest ? isoSeconds(new Date(newest)) : '1970-01-01T00:00:00Z';
  return {
    target,
    findings: all,
    rejected: load.rejected,
    records: load.valid,
    files: load.files,
    unusedDecisions: unused.map((d) => `${d.where}: ${d.vulnerability} matched no finding`),
    timestamp,
  };
}

export { writeVuln, VULN_FORMATS, type VulnFormat } from './writers/index.js';
export { failingFindings } from './gate.js';
