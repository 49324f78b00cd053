/**
 * Trusted roots: Sigstore's public-good root shipped with beambake (offline,
 * no TUF refresh) or one given with `--trusted-root`.
 */
import type { KeyObject } from 'node:crypto';
import { toTrustMaterial, VerificationError, type KeyFinderFunc, type TrustMaterial } from '@sigstore/verify';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { BeambakeError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import publicGoodRootJson from './trusted-root.public-good.json' with { type: 'json' };

/** Shown in reports instead of a path when the bundled root is used. */
export const PUBLIC_GOOD_ROOT = '<bundled Sigstore public-good trusted root>';

const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
];

export interface LoadedTrustedRoot {
  source: string;
  root: TrustedRoot;
}

export function loadTrustedRoot(path?: string): LoadedTrustedRoot {
  if (path === undefined) return { source: PUBLIC_GOOD_ROOT, root: parseTrustedRoot(publicGoodRootJson, PUBLIC_GOOD_ROOT) };
  const json = readJsonFile(path, 'TRUST_ROOT_INVALID', 'cannot read trusted root');
  return { source: path, root: parseTrustedRoot(json, path) };
}

function parseTrustedRoot(json: unknown, file: string): TrustedRoot {
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPES.includes(mediaType)) {
    throw new BeambakeError(
      'TRUST_ROOT_INVALID',
      `unsupported trusted root mediaType ${JSON.stringify(mediaType)} (expected ${TRUSTED_ROOT_MEDIA_TYPES.join(' or ')})`,
      { file, entry: 'mediaType' },
    );
  }
  try {
    const root = TrustedRoot.fromJSON(json);
    // Building the trust material parses every key and certificate: do it once here so a
    // broken root is reported as bad input, not as a failed signature on every artifact.
    toTrustMaterial(root);
    return root;
  } catch (e) {
    throw new BeambakeError('TRUST_ROOT_INVALID', `cannot use trusted root: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/**
 * Trust material for one verification. A managed key from the policy answers
 * every key hint: which key to trust is the policy's decision, and hints are
 * free-form labels that the signature check makes irrelevant.
 */
export function trustMaterialFor(root: TrustedRoot, managedKey?: KeyObject): TrustMaterial {
  // Parsing every CA and log key costs milliseconds; vendored sets verify many artifacts per root.
  let perKey = materialCache.get(root);
  if (!perKey) materialCache.set(root, (perKey = new Map()));
  let material = perKey.get(managedKey);
  if (!material) perKey.set(managedKey, (material = buildTrustMaterial(root, managedKey)));
  return material;
}

const materialCache = new WeakMap<TrustedRoot, Map<KeyObject | undefined, TrustMaterial>>();

function buildTrustMaterial(root: TrustedRoot, managedKey?: KeyObject): TrustMaterial {
  const finder: KeyFinderFunc | undefined = managedKey
    ? () => ({ publicKey: managedKey, validFor: () => true })
    : () => {
        throw new VerificationError({
          code: 'PUBLIC_KEY_ERROR',
          message: 'bundle is signed with a managed key but the policy entry names no "publicKey"',
        });
      };
  return toTrustMaterial(root, finder);
}

/**
 * Log IDs a transparency-log entry may carry for this root. @sigstore/verify
 * 3.x checks an inclusion-proof checkpoint against any trusted log; requiring
 * the entry's own log ID to be one of these binds the entry to a log we trust
 * (upstream does the same from 4.0, which needs Node 22).
 */
export function trustedLogIds(root: TrustedRoot): Set<string> {
  const ids = new Set<string>();
  for (const log of root.tlogs) {
    if (log.logId?.keyId) ids.add(Buffer.from(log.logId.keyId).toString('base64'));
    if (log.checkpointKeyId?.keyId) ids.add(Buffer.from(log.checkpointKeyId.keyId).toString('base64'));
  }
  return ids;
}
