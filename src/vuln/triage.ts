/**
 * User decisions about vulnerabilities: a `--triage FILE` of decisions (JSON
 * or YAML) or an OpenVEX document. `not_affected` is only ever stated from
 * here (or from a VEX input), and only with one of the OpenVEX
 * justifications: matching never concludes it on its own.
 *
 * ```yaml
 * decisions:
 *   - vulnerability: EEF-CVE-2026-56812     # any id or alias
 *     products: [pkg:hex/phoenix@1.8.7]     # purl (with or without @version) or name; omitted: every component
 *     status: not_affected
 *     justification: vulnerable_code_not_in_execute_path
 *     statement: The JavaScript presence client is not shipped.
 * ```
 */
import { readText } from '../util/files.js';
import { BeambakeError } from '../util/errors.js';
import { JUSTIFICATIONS, type Finding, type Justification, type Subject, type VexStatus } from './model.js';

export interface Decision {
  vulnerability: string;
  /** Empty: every component. */
  products: string[];
  status: VexStatus;
  justification?: Justification;
  statement?: string;
  /** `file: decisions[i]` for messages. */
  where: string;
}

type J = Record<string, unknown>;
const isObj = (x: unknown): x is J => typeof x === 'object' && x !== null && !Array.isArray(x);
const STATUSES: VexStatus[] = ['affected', 'not_affected', 'fixed', 'under_investigation'];

function decision(raw: unknown, file: string, entry: string, openvex: boolean, passThrough = false): Decision {
  const bad = (m: string) => new BeambakeError('TRIAGE_INVALID', m, { file, entry });
  if (!isObj(raw)) throw bad('not an object');
  const v = openvex ? (isObj(raw.vulnerability) ? (raw.vulnerability.name ?? raw.vulnerability['@id']) : undefined) : raw.vulnerability;
  if (typeof v !== 'string' || v === '') throw bad(openvex ? 'vulnerability.name is missing' : '"vulnerability" must be an id such as CVE-2026-1234');
  const status = raw.status;
  if (typeof status !== 'string' || !STATUSES.includes(status as VexStatus)) throw bad(`"status" must be one of ${STATUSES.join(', ')}`);
  const products: string[] = [];
  const list = raw.products ?? [];
  if (!Array.isArray(list)) throw bad('"products" must be a list');
  for (const p of list) {
    if (typeof p === 'string') products.push(p);
    else if (isObj(p)) {
      const ids = isObj(p.identifiers) ? p.identifiers : {};
      const id = ids.purl ?? p['@id'];
      if (typeof id === 'string') products.push(id);
    }
  }
  const just = raw.justification;
  if (just !== undefined && !(typeof just === 'string' && (JUSTIFICATIONS as readonly string[]).includes(just))) {
    throw bad(`"justification" must be one of ${JUSTIFICATIONS.join(', ')}`);
  }
  const statement = [raw.statement, raw.impact_statement, raw.action_statement, raw.status_notes].find((s): s is string => typeof s === 'string' && s !== '');
  // a VEX document passed through may justify not_affected with an impact statement alone, as OpenVEX allows
  if (status === 'not_affected' && just === undefined && !(passThrough && statement)) {
    throw bad(`not_affected needs a "justification" (${JUSTIFICATIONS.join(', ')}): beambake states not_affected only for a reason a person gave`);
  }
  const aliases = openvex && isObj(raw.vulnerability) && Array.isArray(raw.vulnerability.aliases) ? (raw.vulnerability.aliases as unknown[]).filter((a): a is string => typeof a === 'string') : [];
  return {
    vulnerability: v,
    products,
    status: status as VexStatus,
    ...(just ? { justification: just as Justification } : {}),
    ...(statement ? { statement } : {}),
    where: `${file}: ${entry}`,
    ...(aliases.length ? { aliases } : {}),
  } as Decision;
}

export async function readTriage(file: string): Promise<Decision[]> {
  const text = readText(file);
  let doc: unknown;
  try {
    if (/^\s*[{[]/.test(text)) doc = JSON.parse(text);
    else doc = (await import('yaml')).parse(text);
  } catch (e) {
    throw new BeambakeError('TRIAGE_INVALID', `neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  if (isObj(doc) && typeof doc['@context'] === 'string' && doc['@context'].startsWith('https://openvex.dev/ns')) {
    const st = Array.isArray(doc.statements) ? doc.statements : [];
    return st.map((s, i) => decision(s, file, `statements[${i}]`, true));
  }
  if (!isObj(doc) || !Array.isArray(doc.decisions)) throw new BeambakeError('TRIAGE_INVALID', 'expected a "decisions" list or an OpenVEX document', { file });
  return doc.decisions.map((d, i) => decision(d, file, `decisions[${i}]`, false));
}

function productMatches(p: string, s: Subject): boolean {
  if (p === s.ref || p === s.purl || p === s.name || p === s.bomRef) return true;
  if (s.purl && p.startsWith('pkg:') && !p.includes('@')) {
    // a purl without version covers every version of the package
    const bare = s.purl.replace(/@[^?#]*/, '');
    return bare === p || bare.split('?')[0] === p;
  }
  return false;
}

/** Apply decisions to findings (in place); returns the decisions that matched nothing. */
export function applyTriage(findings: Finding[], decisions: Decision[]): Decision[] {
  const unused: Decision[] = [];
  for (const d of decisions) {
    const ids = new Set([d.vulnerability, ...((d as Decision & { aliases?: string[] }).aliases ?? [])]);
    let used = false;
    for (const f of findings) {
      if (!ids.has(f.vuln.id) && !f.vuln.aliases.some((a) => ids.has(a))) continue;
      if (d.products.length > 0 && !d.products.some((p) => productMatches(p, f.subject))) continue;
      used = true;
      f.status = d.status;
      f.source = 'triage';
      f.triaged = true;
      if (d.justification) f.justification = d.justification;
      else delete f.justification;
      if (d.statement) f.statement = d.statement;
      if (d.status !== 'affected' && d.status !== 'fixed') delete f.fixedVersion;
    }
    if (!used) unused.push(d);
  }
  return unused;
}

/** The statements of an OpenVEX document (e.g. `sbom merge --vex` of the Yocto side), to pass through. */
export function readOpenVex(file: string): Decision[] {
  const text = readText(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BeambakeError('TRIAGE_INVALID', `not JSON: ${(e as Error).message}`, { file });
  }
  if (!isObj(doc) || typeof doc['@context'] !== 'string' || !doc['@context'].startsWith('https://openvex.dev/ns') || !Array.isArray(doc.statements)) {
    throw new BeambakeError('TRIAGE_INVALID', 'not an OpenVEX document (@context https://openvex.dev/ns/..., statements)', { file });
  }
  return doc.statements.map((s, i) => decision(s, file, `statements[${i}]`, true, true));
}
