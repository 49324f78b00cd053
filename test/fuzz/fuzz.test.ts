/**
 * Issue 13: the seeded fuzz run CI does on every push, 500 mutations per
 * reader and a short CLI phase (`node dist/test/fuzz/run.js` runs 10,000 per
 * reader). Fails on any input that crashes a reader (anything but a one-line
 * BeambakeError, i.e. exit 70 in the CLI), takes over 10 s, or makes the CLI
 * write outside its sandbox.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fuzzCli, fuzzReader, readers } from './fuzz.js';
import { repoRoot, runningCompiled } from '../helpers/paths.js';

const PER_READER = 500;
const SEED = 20261206;

for (const reader of readers()) {
  test(`fuzz ${reader.name}: ${PER_READER} seeded mutations, no crash, no read over 10 s`, async (t) => {
    const o = await fuzzReader(reader, PER_READER, SEED);
    t.diagnostic(`${reader.name}: ${o.ok} read, ${o.refused} refused with one line, max ${o.maxMs.toFixed(0)} ms`);
    assert.deepEqual(o.crashes.slice(0, 3), [], 'crashes');
    assert.deepEqual(o.slow.slice(0, 3), [], 'slow reads');
    assert.equal(o.ok + o.refused, PER_READER);
  });
}

test('fuzz the CLI: mutated locks through deps/vendor/recipe/sbom and mutated SBOMs through sbom check/merge never exit 70 nor write outside the sandbox', async (t) => {
  if (!runningCompiled) return t.skip('needs the compiled CLI (npm test builds it)');
  const c = await fuzzCli(join(repoRoot, 'dist', 'bin', 'beambake.cjs'), 30, SEED);
  t.diagnostic(`${c.runs} runs, exit codes ${JSON.stringify(c.byStatus)}`);
  assert.deepEqual(c.findings, []);
});
