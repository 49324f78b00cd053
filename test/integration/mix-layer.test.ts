/**
 * The layer `beambake recipe` writes for the fixture Mix app holds the very classes and scripts
 * that mix-build.test.ts runs, and the dependency records it renders from mix.lock are the ones
 * that build unpacks: there is one copy of the build logic, and the recipe and the build agree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { APP, hexRecords, prepare } from './mix-fixture.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The records of one `.inc` variable, in the order written. */
function listed(inc: string, name: string): string[] {
  const body = new RegExp(`^${name} = "\\s*\\\\?\\n([\\s\\S]*?)\\n"$`, 'm').exec(inc)?.[1] ?? '';
  return body.split(/\s+/).filter((x) => x && x !== '\\');
}

describe('the layer `beambake recipe` writes for the fixture Mix app', () => {
  it('holds the same classes, scripts and files as meta-beam-templates, and the records the build unpacks', (t) => {
    if (!needTools(t, 'python3')) return;
    const w = prepare({ prefix: 'bb-mix-layer-' });
    const layer = join(w.dir, 'meta-demo');
    const r = runCli(['recipe', w.project, '-o', layer, '--source', w.project], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);

    const templates = join(repoRoot, 'meta-beam-templates');
    let compared = 0;
    for (const dir of ['classes', 'scripts', 'files']) {
      for (const abs of filesUnder(join(templates, dir))) {
        if (abs.includes('__pycache__')) continue;
        const rel = relative(templates, abs);
        assert.ok(readFileSync(join(layer, rel)).equals(readFileSync(abs)), `${rel} in the layer differs from meta-beam-templates/${rel}`);
        compared++;
      }
    }
    assert.ok(compared >= 15, `expected the build classes and scripts, compared ${compared} files`);

    const recipeDir = join(layer, 'recipes-beam', APP.replace(/_/g, '-'));
    assert.match(readFileSync(join(recipeDir, `${APP.replace(/_/g, '-')}_0.3.0.bb`), 'utf8'), /^inherit \$\{BEAMBAKE_CLASSES\}\/beambake-mix\.bbclass$/m);
    const inc = readFileSync(join(recipeDir, `${APP.replace(/_/g, '-')}-beam-deps.inc`), 'utf8');
    assert.deepEqual(listed(inc, 'BEAM_HEX_DEPS').sort(), hexRecords(w.built).split(' ').sort());
    for (const b of w.built) {
      assert.ok(inc.includes(`SRC_URI[hex-${b.def.name}.sha256sum] = "${b.outer}"`), `${b.def.name}: pinned outer checksum`);
    }
  });
});
