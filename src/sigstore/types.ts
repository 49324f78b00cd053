/** The record `verifyArtifact` returns: one per artifact, stable for `--json`. */

export type CheckResult = 'pass' | 'fail';

/**
 * Names of the checks, in the order they run. A check that could not run
 * because an earlier one failed is left out rather than reported as passing.
 */
export type CheckName =
  | 'policy-match'
  | 'bundle'
  | 'key-material'
  | 'transparency-log-id'
  | 'sigstore-signature'
  | 'timestamps-not-in-future'
  | 'certificate-identity'
  | 'certificate-issuer'
  | 'artifact-digest'
  | 'payload-type'
  | 'subject-digest'
  | 'predicate-type';

export interface Check {
  check: CheckName;
  result: CheckResult;
  reason?: string;
}

export interface ArtifactVerification {
  /** The artifact path as given. */
  artifact: string;
  /** The bundle that was used, or null when none was found. */
  bundle: string | null;
  /** Lowercase hex SHA-256 of the artifact bytes. */
  sha256: string;
  /** The policy pattern that applied, when one did. */
  pattern?: string;
  checks: Check[];
  result: CheckResult;
  /** Certificate SAN of the signer (absent for managed-key bundles). */
  identity?: string;
  /** OIDC issuer from the Fulcio certificate extension. */
  issuer?: string;
  /** `predicateType` of the in-toto statement, for DSSE bundles. */
  predicateType?: string;
}
