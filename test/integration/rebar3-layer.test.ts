/**
 * The layer and beambake agree on rebar3 projects: `beambake recipe` on the fixture release
 * (rebar3-fixture.ts) writes a layer holding the very classes and scripts the build test runs and
 * the records it unpacks from, and the layer's rebar.lock reader sees every real rebar.lock of
 * the corpus as beambake's reader does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLockfile } from '../../src/lockfiles/index.js';
import { runCli } from '../helpers/cli.js';
import { corpusDir, repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { recipeRecords } from './hex-fixtures.js';
import { prepare, TOOLS } from './rebar3-fixture.js';
import { failureText, scripts } from './run-script.js';

describe('the layer `beambake recipe` writes for the fixture rebar3 release', () => {
  it('`beambake recipe` on the fixture writes a layer holding these very classes, scripts and records', async (t) => {
    if (!needTools(t, ...TOOLS)) return;
    const w = prepare();
    const records = await recipeRecords(w.project);
    const layer = join(w.dir, 'meta-bbrel');
    const r = runCli(['recipe', w.project, '-o', layer, '--source', w.project]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const templates = join(repoRoot, 'meta-beam-templates');
    for (const rel of [
      'classes/beambake-rebar3.bbclass',
      'classes/beambake-release.bbclass',
      'classes/beambake-deps.bbclass',
      'scripts/beambake-build-rebar3',
      'scripts/beambake-rebar3-index.escript',
      'scripts/beambake-install-release',
      'scripts/beambake_deps/__main__.py',
      'scripts/beambake_deps/layout_rebar3.py',
      'files/beambake-release.service.in',
      'files/beambake-release.init.in',
    ]) {
      assert.ok(readFileSync(join(layer, rel)).equals(readFileSync(join(templates, rel))), `${rel} in the layer differs from the one the test ran`);
    }
    const recipeDir = join(layer, 'recipes-beam', 'bbrel');
    assert.match(readFileSync(join(recipeDir, 'bbrel_0.3.0.bb'), 'utf8'), /^inherit \$\{BEAMBAKE_CLASSES\}\/beambake-rebar3\.bbclass$/m);
    const inc = readFileSync(join(recipeDir, 'bbrel-beam-deps.inc'), 'utf8');
    const listed = (name: string) => (new RegExp(`^${name} = "\\\\\n([\\s\\S]*?)\n"$`, 'm').exec(inc)?.[1] ?? '').split(/\s+/).filter((x) => x && x !== '\\').join(' ');
    assert.equal(listed('BEAM_HEX_DEPS'), records.hex);
    assert.equal(listed('BEAM_GIT_DEPS'), records.git);
  });
});

describe('the layer reads every real rebar.lock of the corpus as beambake does', () => {
  it('same apps, packages, versions, checksums, git URLs, refs and subdirs', (t) => {
    if (!needTools(t, 'python3')) return;
    const locks = readdirSync(join(corpusDir, 'rebar'))
      .map((d) => join(corpusDir, 'rebar', d))
      .filter((d) => existsSync(join(d, 'rebar.lock')))
      .sort();
    assert.ok(locks.length >= 8, `expected the corpus rebar.lock files, found ${locks.length}`);
    const py = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(scripts, 'beambake_deps'))})`,
      'import layout_rebar3',
      'print(json.dumps({d: {a: vars(e) for a, e in layout_rebar3.read_lock(d).items()} for d in sys.argv[1:]}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', py, ...locks], { encoding: 'utf8' });
    assert.equal(r.status, 0, failureText(r));
    const layer = JSON.parse(r.stdout) as Record<string, Record<string, Record<string, string | null>>>;
    let compared = 0;
    for (const dir of locks) {
      const ours = readLockfile(join(dir, 'rebar.lock'), 'rebar3').packages;
      assert.deepEqual(Object.keys(layer[dir]!).sort(), ours.map((p) => p.app).sort(), `${dir}: apps`);
      for (const p of ours) {
        const e = layer[dir]![p.app]!;
        if (p.source === 'hex') {
          assert.deepEqual([e.kind, e.name, e.version, e.inner, e.outer], ['pkg', p.name, p.version, p.innerChecksum, p.outerChecksum], `${dir}: ${p.app}`);
        } else if (p.source === 'git') {
          assert.equal(e.url, p.url, `${dir}: ${p.app} url`);
          if (e.ref) assert.equal(e.ref, p.rev, `${dir}: ${p.app} ref`);
          assert.equal(e.subdir ?? undefined, p.subdir, `${dir}: ${p.app} subdir`);
        }
        compared++;
      }
    }
    assert.ok(compared >= 60, `compared ${compared} entries`);
  });
});
