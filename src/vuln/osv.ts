/**
 * OSV records (https://ossf.github.io/osv-schema/) from directories, zip
 * exports (the per-ecosystem `all.zip` layout) or single files. Every record
 * is checked against the official OSV JSON schema; a record that fails is
 * reported with its file and the first problem and skipped, never fatal for
 * the others.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { BeambakeError, ioError } from '../util/errors.js';
import { spdxSchemasDir } from '../sbom/check/schema.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  repo?: string;
  events: OsvEvent[];
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
}

export interface OsvRecord {
  id: string;
  modified: string;
  withdrawn?: string;
  aliases?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: Record<string, unknown>;
}

/** A record and where it was read. */
export interface LoadedRecord {
  record: OsvRecord;
  /** `dir/file.json` or `export.zip!entry.json`. */
  origin: string;
}

export interface RejectedRecord {
  origin: string;
  problem: string;
}

export interface OsvLoad {
  /** Valid records the caller kept (all valid ones without a filter). */
  records: LoadedRecord[];
  /** Valid records read, kept or not. */
  valid: number;
  /** The newest `modified` of all valid records (a deterministic document timestamp). */
  newestModified: string;
  rejected: RejectedRecord[];
  /** Files read (valid or not). */
  files: number;
}

let validator: ValidateFunction | undefined;

/** The compiled OSV schema validator (the copy shipped beside the SPDX schemas). */
export async function osvValidator(): Promise<ValidateFunction> {
  if (validator) return validator;
  const path = join(spdxSchemasDir(), 'osv-schema.json');
  let schema: object;
  try {
    schema = JSON.parse(await readFile(path, 'utf8')) as object;
  } catch (e) {
    throw ioError(e, path, 'cannot load schema');
  }
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats(ajv);
  validator = ajv.compile(schema);
  return validator;
}

function firstProblem(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'does not match the OSV schema';
  return `does not match the OSV schema at ${e.instancePath || '/'}: ${e.message ?? 'invalid'}`;
}

/** Parse and validate one record's bytes; a problem string instead of a record when it is not one. */
export function checkRecord(text: string, v: ValidateFunction): OsvRecord | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (!v(doc)) return firstProblem(v);
  return doc as OsvRecord;
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      throw ioError(e, d, 'cannot list');
    }
    for (const ent of entries) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile() && ent.name.endsWith('.json')) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Which valid records to keep in memory: matching needs only those about the subject's packages. */
export type RecordFilter = (r: OsvRecord) => boolean;

function take(out: OsvLoad, origin: string, text: string, v: ValidateFunction, keep: RecordFilter | undefined): void {
  out.files++;
  const r = checkRecord(text, v);
  if (typeof r === 'string') {
    out.rejected.push({ origin, problem: r });
    return;
  }
  out.valid++;
  if (r.modified > out.newestModified) out.newestModified = r.modified;
  if (!keep || keep(r)) out.records.push({ record: r, origin });
}

async function loadZip(path: string, v: ValidateFunction, out: OsvLoad, keep: RecordFilter | undefined): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw ioError(e, path, 'cannot read');
  }
  const { unzipSync, strFromU8 } = await import('fflate');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { filter: (f) => f.name.endsWith('.json') });
  } catch (e) {
    throw new BeambakeError('OSV_INVALID', `not a readable zip archive: ${(e as Error).message}`, { file: path });
  }
  for (const name of Object.keys(entries).sort()) take(out, `${path}!${name}`, strFromU8(entries[name]!), v, keep);
}

/** Load every OSV record under the given sources (directories, .zip exports, .json files). */
export async function loadOsv(sources: string[], keep?: RecordFilter): Promise<OsvLoad> {
  const v = await osvValidator();
  const out: OsvLoad = { records: [], valid: 0, newestModified: '', rejected: [], files: 0 };
  for (const src of sources) {
    let st;
    try {
      st = await stat(src);
    } catch (e) {
      throw ioError(e, src);
    }
    if (st.isDirectory() || src.endsWith('.json')) {
      const files = st.isDirectory() ? await listJsonFiles(src) : [src];
      // synchronous reads: for many small files they cost a fraction of promise-based ones
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          throw ioError(e, file, 'cannot read');
        }
        take(out, file, text, v, keep);
      }
    } else if (src.endsWith('.zip')) {
      await loadZip(src, v, out, keep);
    } else {
      throw new BeambakeError('OSV_INVALID', 'an OSV source must be a directory, a .zip export or a .json record', { file: src });
    }
  }
  return out;
}
