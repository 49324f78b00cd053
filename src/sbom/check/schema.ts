/**
 * Validation against the official schemas: CycloneDX JSON and XSD as bundled
 * by @cyclonedx/cyclonedx-library, SPDX 2.3 and 3.0.1 JSON schemas from the
 * schemas directory. Compiled validators are cached per process (the SPDX 3
 * schema takes a moment to compile).
 *
 * XML goes through xmllint-wasm (libxml2 compiled to WebAssembly): the
 * library's own XML validator needs libxmljs2, a native addon whose install
 * downloads prebuilt binaries or compiles with node-gyp, neither of which
 * works offline or reliably in a Yocto host container.
 */
import { packageRoot } from '../../util/package.js';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import cdx from '@cyclonedx/cyclonedx-library';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { BeambakeError, ioError } from '../../util/errors.js';
import { stableJson } from '../writers/common.js';

// ajv-formats is CommonJS with a default export; NodeNext sees the namespace.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv | Ajv2020) => void;

export interface SchemaProblem {
  /** JSON pointer (JSON) or line number (XML) of the problem. */
  path: string;
  message: string;
}

export interface SchemaResult {
  schema: string;
  valid: boolean;
  problems: SchemaProblem[];
}

const cache = new Map<string, Promise<ValidateFunction>>();

/**
 * Where the SPDX schemas live: $BEAMBAKE_SCHEMAS_DIR, else the copies shipped
 * in `src/sbom/schemas/` (found from the package root, so the compiled CLI in
 * dist/ uses them too).
 */
export function spdxSchemasDir(): string {
  const env = process.env.BEAMBAKE_SCHEMAS_DIR;
  if (env) return resolve(env);
  return join(packageRoot(), 'src', 'sbom', 'schemas');
}

async function loadJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw ioError(e, path, 'cannot load schema');
  }
}

/** Formats every schema here uses, and `uniqueItems` in linear time (see withLinearUnique). */
function configure(ajv: Ajv | Ajv2020): void {
  linearUniqueItems(ajv);
  addFormats(ajv);
  // ajv-formats has no idn-email / iri-reference; the CycloneDX library adds a draft-2019 plugin for the first and accepts any value for the second.
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('iri', true);
}

const UNIQUE = 'x-beambake-uniqueItems';

/**
 * The schemas' `uniqueItems` with the same meaning (JSON equality) in linear
 * time: Ajv compares every pair of object items, which takes minutes on a
 * 100,000-component SBOM. Items are keyed by their JSON with sorted keys.
 */
function linearUniqueItems(ajv: Ajv | Ajv2020): void {
  ajv.addKeyword({
    keyword: UNIQUE,
    type: 'array',
    schemaType: 'boolean',
    errors: true,
    validate: function unique(schema: boolean, data: unknown[]): boolean {
      if (!schema) return true;
      const seen = new Map<string, number>();
      for (let i = 0; i < data.length; i++) {
        const key = stableJson(data[i]);
        const j = seen.get(key);
        if (j !== undefined) {
          (unique as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, params: { i, j } }];
          return false;
        }
        seen.set(key, i);
      }
      return true;
    },
  });
}

/** A copy of a schema with every `uniqueItems` moved to the linear keyword. */
function withLinearUnique(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withLinearUnique);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // under `properties` a key is a property name, not a keyword
    if (k === 'uniqueItems' && typeof v === 'boolean') out[UNIQUE] = v;
    else out[k] = withLinearUnique(v);
  }
  return out;
}

function compileCached(key: string, make: () => Promise<ValidateFunction>): Promise<ValidateFunction> {
  let v = cache.get(key);
  if (!v) {
    v = make();
    cache.set(key, v);
    v.catch(() => cache.delete(key));
  }
  return v;
}

const files = () => (cdx as unknown as { _Resources: { FILES: CdxFiles } })._Resources.FILES;
interface CdxFiles {
  CDX: { JSON_SCHEMA: Record<string, string | undefined>; XML_SCHEMA: Record<string, string | undefined> };
  SPDX: { JSON_SCHEMA: string; XML_SCHEMA: string };
  JSF: { JSON_SCHEMA: string };
  CryptoDefs: { JSON_SCHEMA: string };
}

function cdxSchemaPath(version: string, kind: 'JSON_SCHEMA' | 'XML_SCHEMA'): string {
  const p = files().CDX[kind][version];
  if (!p) throw new BeambakeError('SBOM_UNSUPPORTED', `CycloneDX ${version} has no bundled ${kind === 'XML_SCHEMA' ? 'XSD' : 'JSON schema'}`);
  return p;
}

function toProblems(errors: ErrorObject[] | null | undefined): SchemaProblem[] {
  return (errors ?? []).slice(0, 50).map((e) => ({
    path: e.instancePath || '/',
    message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}${e.params && 'additionalProperty' in e.params ? ` ("${String(e.params.additionalProperty)}")` : ''}`,
  }));
}

export async function validateCyclonedxJson(doc: unknown, version: string): Promise<SchemaResult> {
  const path = cdxSchemaPath(version, 'JSON_SCHEMA');
  const v = await compileCached(`cdx-json-${version}`, async () => {
    const f = files();
    const [schema, spdx, jsf, crypto] = await Promise.all([path, f.SPDX.JSON_SCHEMA, f.JSF.JSON_SCHEMA, f.CryptoDefs.JSON_SCHEMA].map(loadJson));
    const ajv = new Ajv({ strict: false, allErrors: false, useDefaults: false });
    configure(ajv);
    ajv.addSchema(withLinearUnique(spdx) as object, 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
    ajv.addSchema(withLinearUnique(jsf) as object, 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
    ajv.addSchema(withLinearUnique(crypto) as object, 'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json');
    return ajv.compile(withLinearUnique(schema) as object);
  });
  const valid = v(doc) as boolean;
  return { schema: basename(path), valid, problems: valid ? [] : toProblems(v.errors) };
}

export async function validateCyclonedxXml(text: string, version: string): Promise<SchemaResult> {
  const path = cdxSchemaPath(version, 'XML_SCHEMA');
  const { validateXML } = await import('xmllint-wasm');
  const spdxXsd = files().SPDX.XML_SCHEMA;
  const [schema, spdx] = await Promise.all([readFile(path, 'utf8'), readFile(spdxXsd, 'utf8')]);
  const result = await validateXML({
    xml: { fileName: 'sbom.xml', contents: text },
    schema: { fileName: basename(path), contents: schema },
    preload: { fileName: basename(spdxXsd), contents: spdx },
    // Large merged SBOMs exceed the default 16 MiB of wasm memory.
    initialMemoryPages: 512,
    maxMemoryPages: 65536,
  });
  return {
    schema: basename(path),
    valid: result.valid,
    problems: result.errors.slice(0, 50).map((e) => ({ path: e.loc ? `line ${e.loc.lineNumber}` : '/', message: e.message.trim() })),
  };
}

export async function validateSpdx23(doc: unknown): Promise<SchemaResult> {
  const path = join(spdxSchemasDir(), 'spdx-2.3-schema.json');
  const v = await compileCached(`spdx23:${path}`, async () => {
    const ajv = new Ajv({ strict: false, allErrors: false });
    configure(ajv);
    return ajv.compile(withLinearUnique(await loadJson(path)) as object);
  });
  const valid = v(doc) as boolean;
  return { schema: basename(path), valid, problems: valid ? [] : toProblems(v.errors) };
}

export async function validateSpdx3(doc: unknown): Promise<SchemaResult> {
  const path = join(spdxSchemasDir(), 'spdx-3.0.1-json-schema.json');
  const v = await compileCached(`spdx3:${path}`, async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    configure(ajv);
    return ajv.compile(withLinearUnique(await loadJson(path)) as object);
  });
  const valid = v(doc) as boolean;
  return { schema: basename(path), valid, problems: valid ? [] : toProblems(v.errors) };
}
