import { BeambakeError } from './errors.js';

/**
 * The build timestamp: `SOURCE_DATE_EPOCH` when set (reproducible builds), or
 * undefined so callers leave timestamps out rather than invent one.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): Date | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,12}$/.test(raw)) {
    throw new BeambakeError('INVALID_ARGUMENT', `SOURCE_DATE_EPOCH must be a non-negative integer, got "${raw}"`);
  }
  return new Date(Number(raw) * 1000);
}

/** ISO 8601 without milliseconds, as SBOM formats expect. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
