import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slug } from '../../../src/sbom/merge/ids.js';

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
  const alphabet = 'aZ09.-_ -é+';
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
  for (let k = 0; k < 20_000; k++) {
    let s = '';
    const len = Math.floor(next() * 12);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    assert.equal(slug(s), rewritten(s), JSON.stringify(s));
  }
});
