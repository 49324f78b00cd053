/**
 * The Sigstore verification policy: which signer is trusted for which
 * artifact. Read from JSON or YAML; JSON is parsed with the YAML parser too
 * (YAML 1.2 is a superset of JSON) so every error can name line:column.
 */
import { readFileSync } from 'node:fs';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import picomatch from 'picomatch';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { BeambakeError } from '../util/errors.js';
import { parseJsonText } from '../util/json.js';
import { readText } from '../util/files.js';

interface PolicyEntryBase {
  pattern: string;
  /** Required in-toto `predicateType` for DSSE bundles; message signatures then fail. */
  predicateType?: string;
  /** 0-based position in `artifacts`, for messages. */
  index: number;
}

/** A keyless (Fulcio certificate) signer: SAN and OIDC issuer. */
export interface IdentityPolicyEntry extends PolicyEntryBase {
  kind: 'identity';
  /** Exact SAN, or undefined when `identityRegex` is used. */
  identity?: string;
  /** Fully anchored form of `identityRegex`. */
  identityRegex?: RegExp;
  issuer: string;
}

/** A managed-key signer (bundle carries a public key hint, no certificate). */
export interface KeyPolicyEntry extends PolicyEntryBase {
  kind: 'publicKey';
  /** Resolved path of the PEM file. */
  publicKeyPath: string;
  publicKey: KeyObject;
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo, the usual Sigstore key hint. */
  keyId: string;
}

export type PolicyEntry = IdentityPolicyEntry | KeyPolicyEntry;

export interface Policy {
  file: string;
  entries: PolicyEntry[];
}

const ENTRY_KEYS = new Set(['pattern', 'identity', 'identityRegex', 'issuer', 'predicateType', 'publicKey']);

/** Read and validate a policy file; throws POLICY_INVALID naming file, line:column and field. */
export function loadPolicy(path: string): Policy {
  const text = readText(path, 'cannot read policy');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const fail = (message: string, field?: (string | number)[], offset?: number): never => {
    const at = offset ?? nodeOffset(doc, field ?? []);
    const pos = at === undefined ? undefined : lineCounter.linePos(at);
    throw new BeambakeError('POLICY_INVALID', message, {
      file: path,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      ...(field && field.length > 0 ? { entry: fieldName(field) } : {}),
    });
  };
  if (/\.json$/i.test(path)) {
    // Strict first: YAML would quietly accept trailing commas or block syntax in a .json file.
    parseJsonText(text, path, 'POLICY_INVALID');
  }
  const syntax = doc.errors[0];
  if (syntax) fail(`not valid YAML: ${syntax.message}`, undefined, syntax.pos[0]);

  const root: unknown = doc.toJS();
  if (!isRecord(root)) return fail('policy must be a mapping with an "artifacts" list');
  for (const key of Object.keys(root)) {
    if (key !== 'artifacts') fail(`unknown field "${key}" (expected only "artifacts")`, [key]);
  }
  const artifacts = root.artifacts;
  if (!Array.isArray(artifacts) || artifacts.length === 0) {
    return fail('"artifacts" must be a non-empty list of {pattern, identity|identityRegex, issuer}', ['artifacts']);
  }

  const entries = artifacts.map((raw: unknown, index): PolicyEntry => {
    const at = (field?: string): (string | number)[] => (field ? ['artifacts', index, field] : ['artifacts', index]);
    if (!isRecord(raw)) return fail('entry must be a mapping', at());
    for (const key of Object.keys(raw)) {
      if (!ENTRY_KEYS.has(key)) fail(`unknown field (expected one of ${[...ENTRY_KEYS].join(', ')})`, at(key));
    }
    const str = (field: string, required: boolean): string | undefined => {
      const v = raw[field];
      if (v === undefined || v === null) {
        if (required) fail('is required', at(field));
        return undefined;
      }
      if (typeof v !== 'string' || v.trim() === '') return fail('must be a non-empty string', at(field));
      return v;
    };
    const pattern = str('pattern', true)!;
    try {
      picomatch(pattern);
    } catch (e) {
      fail(`not a valid glob: ${(e as Error).message}`, at('pattern'));
    }
    const predicateType = str('predicateType', false);
    const base = { pattern, index, ...(predicateType !== undefined ? { predicateType } : {}) };

    const publicKeyRef = str('publicKey', false);
    if (publicKeyRef !== undefined) {
      for (const f of ['identity', 'identityRegex', 'issuer']) {
        if (raw[f] !== undefined) fail('cannot be combined with "publicKey" (a managed key has no certificate identity)', at(f));
      }
      const keyPath = resolve(dirname(path), publicKeyRef);
      let key: KeyObject;
      try {
        key = createPublicKey(readFileSync(keyPath, 'utf8'));
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a PEM public key';
        return fail(`cannot load public key ${keyPath}: ${why}`, at('publicKey'));
      }
      const der = key.export({ format: 'der', type: 'spki' });
      const keyId = createHash('sha256').update(der).digest('base64');
      return { kind: 'publicKey', ...base, publicKeyPath: keyPath, publicKey: key, keyId };
    }

    const identity = str('identity', false);
    const identityRegexSource = str('identityRegex', false);
    if ((identity === undefined) === (identityRegexSource === undefined)) {
      fail('exactly one of "identity" or "identityRegex" is required (or "publicKey" for a managed key)', at(identity === undefined ? 'identity' : 'identityRegex'));
    }
    let identityRegex: RegExp | undefined;
    if (identityRegexSource !== undefined) {
      try {
        // Anchored on both ends so "https://github.com/org/" cannot match a SAN that merely contains it.
        identityRegex = new RegExp(`^(?:${identityRegexSource})$`);
      } catch (e) {
        fail(`not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`, at('identityRegex'));
      }
    }
    const issuer = str('issuer', true)!;
    return {
      kind: 'identity',
      ...base,
      ...(identity !== undefined ? { identity } : {}),
      ...(identityRegex !== undefined ? { identityRegex } : {}),
      issuer,
    };
  });
  return { file: path, entries };
}

/**
 * The first entry whose glob matches the artifact's basename or its path as
 * given (with `\` turned into `/` and a leading `./` dropped).
 */
export function matchPolicy(policy: Policy, artifactPath: string): PolicyEntry | undefined {
  const asPosix = artifactPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const candidates = [basename(asPosix), asPosix];
  return policy.entries.find((entry) => {
    const isMatch = picomatch(entry.pattern, { dot: true });
    return candidates.some((c) => isMatch(c));
  });
}

export function describeEntry(entry: PolicyEntry): string {
  return `artifacts[${entry.index}] (pattern "${entry.pattern}")`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldName(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Offset of the deepest node that exists along `path`, so a missing field points at its entry. */
function nodeOffset(doc: Document, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as { range?: [number, number, number] } | null;
    if (node && Array.isArray(node.range)) return node.range[0];
  }
  return undefined;
}
