/**
 * Yocto's `cve-check` JSON (`version` "1": packages with their issues and
 * Patched / Unpatched / Ignored status) passes through with its status, so one
 * VEX document covers the BEAM side and the image's own packages. Issues map
 * to components of the device SBOM by package name and version.
 */
import { BeambakeError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { ratingOf, type Severity } from './severity.js';
import type { Finding, Justification, Subject, Vulnerability } from './model.js';

type J = Record<string, unknown>;
const isObj = (x: unknown): x is J => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Newer cve-check output gives CVE_STATUS details; these say why an Ignored CVE does not apply. */
const DETAIL_JUSTIFICATION: Record<string, Justification> = {
  'cpe-incorrect': 'component_not_present',
  'not-applicable-platform': 'component_not_present',
  'not-applicable-config': 'vulnerable_code_not_present',
  'fixed-version': 'vulnerable_code_not_present',
};

function yoctoSeverity(issue: J): Severity[] {
  const out: Severity[] = [];
  for (const [key, method] of [['scorev4', 'CVSSv4'], ['scorev3', 'CVSSv3'], ['scorev2', 'CVSSv2']] as const) {
    const n = Number(issue[key]);
    // cve-check writes "0.0" for a score NVD does not have
    if (Number.isFinite(n) && n > 0) {
      out.push({ rating: ratingOf(n), score: n, method });
      break;
    }
  }
  return out;
}

export function readCveCheck(file: string, subjects: Subject[]): Finding[] {
  const doc = readJsonFile(file, 'CVE_CHECK_INVALID');
  if (!isObj(doc) || !Array.isArray(doc.package)) {
    throw new BeambakeError('CVE_CHECK_INVALID', 'not a Yocto cve-check JSON file (no "package" list)', { file, entry: 'package' });
  }
  const byNameVersion = new Map<string, Subject>();
  const byName = new Map<string, Subject>();
  for (const s of subjects) {
    if (s.version) byNameVersion.set(`${s.name}\u0000${s.version}`, s);
    if (!byName.has(s.name)) byName.set(s.name, s);
  }
  const vulns = new Map<string, Vulnerability>();
  const out: Finding[] = [];
  doc.package.forEach((pkg, i) => {
    if (!isObj(pkg) || typeof pkg.name !== 'string') throw new BeambakeError('CVE_CHECK_INVALID', 'package without a name', { file, entry: `package[${i}]` });
    const version = typeof pkg.version === 'string' ? pkg.version : undefined;
    const subject =
      (version ? byNameVersion.get(`${pkg.name}\u0000${version}`) : undefined) ??
      byName.get(pkg.name) ?? { ref: `yocto:${pkg.name}${version ? `@${version}` : ''}`, name: pkg.name, ...(version ? { version } : {}) };
    const issues = Array.isArray(pkg.issue) ? pkg.issue : [];
    issues.forEach((issue, j) => {
      if (!isObj(issue) || typeof issue.id !== 'string') throw new BeambakeError('CVE_CHECK_INVALID', 'issue without an id', { file, entry: `package[${i}].issue[${j}]` });
      const status = String(issue.status ?? '');
      let vuln = vulns.get(issue.id);
      if (!vuln) {
        vuln = {
          id: issue.id,
          aliases: [],
          ...(typeof issue.summary === 'string' ? { summary: issue.summary.trim() } : {}),
          severities: yoctoSeverity(issue),
          references: typeof issue.link === 'string' ? [issue.link] : [],
          origins: [file],
        };
        vulns.set(issue.id, vuln);
      }
      const base = { vuln, subject, source: 'yocto-cve-check' as const, triaged: false };
      const detail = typeof issue.detail === 'string' ? issue.detail : undefined;
      const description = typeof issue.description === 'string' ? issue.description : undefined;
      if (status === 'Patched') out.push({ ...base, status: 'fixed', statement: `Yocto cve-check: Patched${detail ? ` (${detail})` : ''}.` });
      else if (status === 'Unpatched') out.push({ ...base, status: 'affected', statement: `Yocto cve-check: Unpatched${detail ? ` (${detail})` : ''}; update the recipe or add a patch.` });
      else if (status === 'Ignored') {
        const j = detail ? DETAIL_JUSTIFICATION[detail] : undefined;
        out.push({
          ...base,
          status: 'not_affected',
          ...(j ? { justification: j } : {}),
          statement: `Yocto cve-check: Ignored by CVE_STATUS in the layer${detail ? ` (${detail})` : ''}${description ? `: ${description}` : ''}.`,
          triaged: true,
        });
      } else throw new BeambakeError('CVE_CHECK_INVALID', `unknown status "${status}" (expected Patched, Unpatched or Ignored)`, { file, entry: `package[${i}].issue[${j}]` });
    });
  });
  return out;
}
