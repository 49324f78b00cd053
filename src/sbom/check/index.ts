/**
 * `beambake sbom check`: detect the format, validate against the official
 * schema, and evaluate a conformance profile. The result is data; the command
 * prints it and exits 1 when the schema fails or a required field is missing.
 */
import { guardNestingAsync } from '../../util/nesting.js';
import { readFile } from 'node:fs/promises';
import { BeambakeError, ioError } from '../../util/errors.js';
import { tryParseJson } from '../../util/json.js';
import { cyclonedxFacts, cyclonedxXmlToJsonShape, spdx2Facts, spdx3Facts, type DocumentFacts, type SbomKind } from './facts.js';
import { evaluate, PROFILES, type Finding, type Profile } from './profiles.js';
import { validateCyclonedxJson, validateCyclonedxXml, validateSpdx23, validateSpdx3, type SchemaResult } from './schema.js';

import { judgeGraph } from './graph.js';
import { refuseDtd } from '../readers/xml-stream.js';
import { XMLValidator } from 'fast-xml-parser';
import type { ShaclResult } from './shacl.js';

export { PROFILES, type Finding, type Profile } from './profiles.js';
export { requirementSummary, type RequirementLine } from './summary.js';
export type { SchemaResult } from './schema.js';

export interface FieldCount {
  field: string;
  level: Finding['level'];
  /** Components (or 1 for the document) missing the field. */
  missing: number;
}

export interface CheckReport {
  file: string;
  format: SbomKind;
  specVersion: string;
  schema: SchemaResult;
  profile: Profile;
  components: number;
  /** True when the schema is valid and no required field is missing. */
  passed: boolean;
  findings: Finding[];
  /** Per field, how many components lack it: the list of facts the document does not contain. */
  summary: FieldCount[];
  /** SPDX 3 only: the SHACL validation against the 3.0.1 model. */
  shacl?: ShaclResult;
}

export interface CheckOptions {
  /** SHACL-validate SPDX 3 documents (default true). */
  shacl?: boolean;
  /** Model / context files for SHACL (default: the shipped copies). */
  modelPath?: string;
  contextPath?: string;
}

type J = Record<string, unknown>;

/** Recognise the format from the content, not the file name. */
export function detectFormat(text: string, file: string): { kind: SbomKind; doc: J | string; specVersion: string } {
  const head = text.slice(0, 4096).trimStart();
  if (head.startsWith('<')) {
    if (/<!DOCTYPE/i.test(text)) refuseDtd(text, file);
    // XML that is not well-formed is bad input, like JSON that does not parse: one located line, and no
    // schema run (a libxml2 WebAssembly instance per document) for a document nothing could be read from
    const wellFormed = XMLValidator.validate(text);
    if (wellFormed !== true) {
      throw new BeambakeError('SBOM_PARSE', `invalid XML: ${wellFormed.err.msg}`, { file, line: wellFormed.err.line, column: wellFormed.err.col });
    }
    if (!/cyclonedx\.org\/schema\/bom\//.test(text.slice(0, 65536))) {
      throw new BeambakeError('SBOM_UNSUPPORTED', 'XML that is not a CycloneDX BOM', { file });
    }
    const v = /cyclonedx\.org\/schema\/bom\/(\d+\.\d+)/.exec(text)?.[1] ?? '';
    return { kind: 'cyclonedx-xml', doc: text, specVersion: v };
  }
  const parsed = tryParseJson(text);
  if (!parsed.ok) {
    const where = parsed.line !== undefined ? { line: parsed.line, column: parsed.column } : {};
    throw new BeambakeError('SBOM_PARSE', `not JSON or XML: ${parsed.message}`, { file, ...where });
  }
  const doc = parsed.value as J;
  if (doc && typeof doc === 'object' && doc.bomFormat === 'CycloneDX') return { kind: 'cyclonedx-json', doc, specVersion: String(doc.specVersion ?? '') };
  if (doc && typeof doc === 'object' && typeof doc.spdxVersion === 'string') return { kind: 'spdx2-json', doc, specVersion: doc.spdxVersion.replace(/^SPDX-/, '') };
  if (doc && typeof doc === 'object' && '@graph' in doc && JSON.stringify(doc['@context'] ?? '').includes('spdx.org/rdf/3')) {
    const graph = Array.isArray(doc['@graph']) ? (doc['@graph'] as J[]) : [];
    const ci = graph.find((e) => e?.type === 'CreationInfo');
    return { kind: 'spdx3-json', doc, specVersion: String(ci?.specVersion ?? '') };
  }
  throw new BeambakeError('SBOM_UNSUPPORTED', 'not a CycloneDX, SPDX 2 or SPDX 3 JSON document', { file });
}

async function validate(kind: SbomKind, doc: J | string, specVersion: string, file: string): Promise<SchemaResult> {
  switch (kind) {
    case 'cyclonedx-json':
      return validateCyclonedxJson(doc, specVersion);
    case 'cyclonedx-xml':
      return validateCyclonedxXml(doc as string, specVersion);
    case 'spdx2-json':
      if (specVersion !== '2.3') {
        // Only the 2.3 schema is at hand; 2.2 documents are a subset, so validate with it and say so.
        const r = await validateSpdx23(doc);
        return { ...r, schema: `${r.schema} (document is SPDX ${specVersion})` };
      }
      return validateSpdx23(doc);
    case 'spdx3-json':
      return validateSpdx3(doc);
    default:
      throw new BeambakeError('SBOM_UNSUPPORTED', `no schema for ${kind}`, { file });
  }
}

export function factsOf(kind: SbomKind, doc: J | string, file = ''): DocumentFacts {
  switch (kind) {
    case 'cyclonedx-json':
      return cyclonedxFacts(doc as J, kind);
    case 'cyclonedx-xml':
      return cyclonedxFacts(cyclonedxXmlToJsonShape(doc as string, file), kind);
    case 'spdx2-json':
      return spdx2Facts(doc as J);
    case 'spdx3-json':
      return spdx3Facts(doc as J);
  }
}

export async function checkSbomText(text: string, file: string, profile: Profile = 'bsi-tr-03183-2', opts: CheckOptions = {}): Promise<CheckReport> {
  return guardNestingAsync(file, 'SBOM_PARSE', () => checkSbom(text, file, profile, opts));
}

async function checkSbom(text: string, file: string, profile: Profile, opts: CheckOptions): Promise<CheckReport> {
  if (!PROFILES.includes(profile)) throw new BeambakeError('INVALID_ARGUMENT', `unknown profile "${profile}" (expected ${PROFILES.join(' or ')})`);
  const { kind, doc, specVersion } = detectFormat(text, file);
  const schema = await validate(kind, doc, specVersion, file);
  const facts = factsOf(kind, doc, file);
  // "related to the product" means the same in every format: reached from it over the document's edges
  const reached = judgeGraph(facts.graph).reached;
  for (const c of facts.components) c.inGraph = c.ref !== undefined && reached.has(c.ref);
  const findings = evaluate(profile, facts);
  findings.push(...graphFindings(facts));
  let shacl: ShaclResult | undefined;
  if (kind === 'spdx3-json' && opts.shacl !== false) {
    const { validateSpdx3Shacl } = await import('./shacl.js');
    try {
      shacl = await validateSpdx3Shacl(doc, opts);
    } catch (e) {
      if (e instanceof BeambakeError && !e.location.file) throw new BeambakeError(e.code, e.message, { ...e.location, file });
      throw e;
    }
    for (const v of shacl.violations) {
      findings.push({ field: 'SHACL conformance', level: 'required', message: `${v.focusNode}${v.path ? ` ${v.path}` : ''}: ${v.message} (${v.component}${v.value ? `, value ${v.value}` : ''})` });
    }
  }
  const counts = new Map<string, FieldCount>();
  for (const f of findings) {
    const key = `${f.level}\u0000${f.field}`;
    const c = counts.get(key) ?? { field: f.field, level: f.level, missing: 0 };
    c.missing++;
    counts.set(key, c);
  }
  const summary = [...counts.values()].sort((a, b) => (a.level === b.level ? (a.field < b.field ? -1 : 1) : a.level === 'required' ? -1 : 1));
  return {
    file,
    format: kind,
    specVersion,
    schema,
    profile,
    components: facts.components.length,
    passed: schema.valid && !findings.some((f) => f.level === 'required'),
    findings,
    summary,
    ...(shacl ? { shacl } : {}),
  };
}

/**
 * What the graph as written gets wrong, the same way in every format:
 * identifiers declared twice, references to identifiers the document does not
 * declare, and components the product does not reach over its edges.
 */
export function graphFindings(facts: DocumentFacts): Finding[] {
  const out: Finding[] = [];
  const v = judgeGraph(facts.graph);
  for (const d of v.duplicates) out.push({ field: 'Unique identifiers', level: 'required', message: `${d.id} is declared ${d.places.length} times: at ${d.places.join(' and ')}` });
  const seen = new Set<string>();
  for (const d of v.dangling) {
    const k = `${d.where} ${d.ref}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ field: 'References resolve', level: 'required', message: `${d.where} names ${d.ref}, which the document does not declare` });
  }
  if (facts.graph.roots.length === 0) out.push({ field: 'Reachable from the product', level: 'required', message: 'the document names no product (root) its components belong to' });
  else {
    for (const c of facts.components) {
      if (c.ref !== undefined && v.reached.has(c.ref)) continue;
      out.push({ component: c.label, field: 'Reachable from the product', level: 'required', message: 'no dependency or containment path leads from the product to it' });
    }
  }
  return out;
}

export async function checkSbomFile(file: string, profile: Profile = 'bsi-tr-03183-2', opts: CheckOptions = {}): Promise<CheckReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw ioError(e, file, 'cannot read');
  }
  return checkSbomText(text, file, profile, opts);
}
