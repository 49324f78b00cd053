import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slug } from '../../../src/sbom/merge/ids.js';
import { randomText, rng } from '../../helpers/rng.js';

/** The rewriting slug() does for every name; its fast path for names it leaves alone must give the same result. */
const rewritten = (s: string, max = 40) =>
  s
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max) || 'x';

test('slug: the fast path for plain names gives what the rewriting gives', () => {
  const edge = ['gcc-runtime', 'a', '-a', 'a-', 'a--b', '--', '-', '', 'lib0a1b2c-123', 'x.y-z.1', 'a_b', 'A-B-C', 'é-a', 'a-é', 'a' + '-b'.repeat(30), '1.2.3+git0+abc', 'nativesdk-glibc'];
  for (const s of edge) for (const max of [3, 24, 40]) assert.equal(slug(s, max), rewritten(s, max), JSON.stringify(s));
  // seeded random names over an alphabet that has every class the rule tells apart
  const alphabet = [...'aZ09.-_ -é+'];
  const random = rng(7);
  for (let k = 0; k < 20_000; k++) {
    const s = randomText(random, alphabet, 12);
    assert.equal(slug(s), rewritten(s), JSON.stringify(s));
  }
});
