/**
 * Finding and parsing a Sigstore bundle. A bundle that is missing, malformed
 * or of an unknown version is a failed verification, not an input error: the
 * artifact simply is not verified.
 */
import { existsSync } from 'node:fs';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  ValidationError,
  bundleFromJSON,
  type Bundle,
} from '@sigstore/bundle';
import { jsonFailureSuffix, tryParseJson } from '../util/json.js';
import { readText } from '../util/files.js';

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
  const parsed = tryParseJson(readText(path, 'cannot read bundle'));
  if (!parsed.ok) return { ok: false, reason: `not valid JSON${jsonFailureSuffix(parsed)}` };
  const json = parsed.value;
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
