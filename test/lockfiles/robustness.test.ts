/**
 * Damaged lockfiles (real corpus files with deterministic random edits) must
 * always end in a BeambakeError with a one-line message, or parse: never a
 * TypeError, never a multi-line message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGleamManifest, parseMixLock, parseRebarLock } from '../../src/lockfiles/index.js';
import { parseErlangTerms } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';

const CASES: [string, (text: string, file: string) => unknown][] = [
  ['mix/mix_sbom-fixture-app_locked/mix.lock', parseMixLock],
  ['mix/phoenix-2020-02-mixed-6-7-tuple/mix.lock', parseMixLock],
  ['rebar/otel-roll_dice_elli-git_subdir/rebar.lock', parseRebarLock],
  ['rebar/emqx-2017-03-nover/rebar.lock', parseRebarLock],
  ['gleam/gleam-test-project_path_deps-a/manifest.toml', parseGleamManifest],
  ['rebar/elvis/rebar.config', parseErlangTerms],
];
const ALPHABET = '{}[]<>%#:,"\'\\.=|-+0123456789abcXYZ_@$?~ \n\té\u{1F600}\u0000';

test('random damage to real lockfiles gives a located one-line error or a clean parse', () => {
  let seed = 20240611;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let rejected = 0;
  let parsed = 0;
  for (const [rel, parse] of CASES) {
    const text = readFileSync(join(corpusDir, rel), 'utf8');
    for (let k = 0; k < 150; k++) {
      let t = text;
      for (let e = 0, n = 1 + Math.floor(rnd() * 3); e < n; e++) {
        const pos = Math.floor(rnd() * t.length);
        const op = rnd();
        if (op < 0.4) t = t.slice(0, pos) + t.slice(pos + 1 + Math.floor(rnd() * 4));
        else if (op < 0.8) t = t.slice(0, pos) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + t.slice(pos);
        else t = t.slice(0, pos);
      }
      try {
        parse(t, rel);
        parsed++;
      } catch (e) {
        assert.ok(e instanceof BeambakeError, `${rel} mutation ${k}: ${(e as Error).stack}`);
        assert.ok(!e.format().includes('\n'), e.format());
        assert.ok(e.format().startsWith(rel), e.format());
        rejected++;
      }
    }
  }
  assert.ok(rejected > 400, `only ${rejected} damaged files rejected`);
  assert.ok(parsed > 0);
});
