/**
 * Finding and parsing a Sigstore bundle. A bundle that is missing, malformed
 * or of an unknown version is a failed verification, not an input error: the
 * artifact simply is not verified.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  ValidationError,
  bundleFromJSON,
  type Bundle,
} from '@sigstore/bundle';
import { ioError } from '../util/errors.js';
import { jsonErrorLocation } from './json.js';

/** The bundle versions @sigstore/verify 3.x understands; anything newer must not be half-read. */
const KNOWN_MEDIA_TYPES = [BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE];

/** Where a bundle is looked for next to an artifact, in order (the conventions of cosign and sigstore-python). */
export function bundleCandidates(artifactPath: string): string[] {
  return [`${artifactPath}.sigstore.json`, `${artifactPath}.sigstore`];
}

export function findBundle(artifactPath: string): string | undefined {
  return bundleCandidates(artifactPath).find((p) => existsSync(p));
}

export type BundleLoad = { ok: true; bundle: Bundle } | { ok: false; reason: string };

/** Parse a bundle file; throws only when the file cannot be read at all. */
export function loadBundle(path: string): BundleLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw ioError(e, path, 'cannot read bundle');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const { message, position } = jsonErrorLocation(text, e);
    const where = position ? ` at ${position.line}:${position.column}` : '';
    return { ok: false, reason: `not valid JSON${where}: ${message}` };
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !KNOWN_MEDIA_TYPES.includes(mediaType)) {
    return { ok: false, reason: `unsupported bundle mediaType ${JSON.stringify(mediaType)}` };
  }
  try {
    return { ok: true, bundle: bundleFromJSON(json) };
  } catch (e) {
    if (e instanceof ValidationError) {
      return { ok: false, reason: `invalid bundle: missing or bad ${(e.fields ?? []).join(', ') || 'fields'}` };
    }
    return { ok: false, reason: `invalid bundle: ${(e as Error).message}` };
  }
}
