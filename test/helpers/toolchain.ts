import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** CI sets this after installing the toolchains: a missing tool is then a failure, not a skip. */
export const requireToolchains = process.env.BEAMBAKE_REQUIRE_TOOLCHAINS === '1';

const cache = new Map<string, boolean>();

export function hasTool(name: string): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', name]).status === 0;
    cache.set(name, found);
  }
  return found;
}

/**
 * Returns true when every tool is present. Otherwise skips the test with a
 * visible reason, or fails it when BEAMBAKE_REQUIRE_TOOLCHAINS=1.
 */
export function needTools(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return true;
  const reason = `needs ${missing.join(', ')} (not installed)`;
  if (requireToolchains) throw new Error(`${reason}, and BEAMBAKE_REQUIRE_TOOLCHAINS=1`);
  t.skip(reason);
  return false;
}
