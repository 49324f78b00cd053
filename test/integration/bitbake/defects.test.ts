/**
 * Recipe defects the real BitBake found (issue 9, part 3), checked with the real BitBake on both
 * stacks, in one parse per stack:
 * - shadowing: a generated recipe named like a meta-erlang recipe (vernemq) is the one BitBake
 *   picks for that PN (layer priority), with the whole stack's providers resolved;
 * - --profile: `bitbake -e` shows the profile's NIF tuning exported to every task and the
 *   flavor check scheduled before do_compile; the task body BitBake would run is then run on
 *   Debian's arm64 (JIT) and armhf (interpreter) target ERTS;
 * - --allow-unpinned: do_fetch, do_unpack and do_beam_unpack_deps run offline with warnings,
 *   and a tarball changed after the fetch still fails do_beam_unpack_deps on the inner checksum.
 * (Gleam on scarthgap is refused by `beambake recipe` itself: test/cli/recipe.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getProfile } from '../../../src/profiles/index.js';
import { createHexTarball } from '../../../src/hex/tarball.js';
import { runCli } from '../../helpers/cli.js';
import { corpusDir, repoRoot } from '../../helpers/paths.js';
import { hasTool } from '../../helpers/toolchain.js';
import { writeMixProject } from '../../verify/fixture.js';
import { aptHasArch, stageSysroot, targetErlangRoot } from '../qemu/sysroot.js';
import { bitbakeEnv, bitbakeWorkDir, buildDir, handOver, needStack, parseAll, parseBitbakeEnv, runBitbake, runText, STACK_NAMES } from './harness.js';

const hello = join(repoRoot, 'examples', 'hello_beam');
const gpioPath = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
const profile = getProfile('raspberrypi4-64');

function recipeFile(layer: string, pn: string): string {
  const dir = join(layer, 'recipes-beam', pn);
  const bb = readdirSync(dir).filter((f) => f.endsWith('.bb'));
  assert.equal(bb.length, 1, `one recipe in ${dir}`);
  return join(dir, bb[0]!);
}

function generate(args: string[]): void {
  const r = runCli(['recipe', ...args]);
  assert.equal(r.status, 0, r.stderr);
}

for (const stackName of STACK_NAMES) {
  describe(`recipe defects under the real BitBake (${stackName})`, { timeout: 60 * 60_000 }, () => {
    it('shadowing, --profile and --allow-unpinned', async (t) => {
      const stack = needStack(t, stackName);
      if (!stack) return;
      const work = bitbakeWorkDir(`bb-defects-${stackName}-`);
      const yocto = ['--yocto', stackName];

      // meta-vernemq: hello_beam named like meta-erlang's vernemq
      const vernemq = join(work, 'meta-vernemq');
      generate([hello, '--app-name', 'vernemq', '-o', vernemq, ...yocto]);
      // meta-profiled: hello_beam for the Raspberry Pi 4 (JIT, cortex-a72 tuning)
      const profiled = join(work, 'meta-profiled');
      generate([hello, '--app-name', 'profiled_app', '--profile', profile.name, '-o', profiled, ...yocto]);
      // meta-unpinned: an old mix.lock entry without the outer checksum
      const gpio = readFileSync(gpioPath);
      const project = join(work, 'unpinned-app');
      writeMixProject(project, [{ name: 'gpio', version: '0.6.0', outer: null, inner: gpio.subarray(1536, 1600).toString().toLowerCase(), buildTools: ['rebar3'] }]);
      const unpinned = join(work, 'meta-unpinned');
      generate([project, '--allow-unpinned', '-o', unpinned, ...yocto]);
      const mirror = join(work, 'mirror');
      mkdirSync(mirror);
      copyFileSync(gpioPath, join(mirror, 'hex-gpio-0.6.0.tar'));
      handOver(work);

      const build = buildDir(stack, { dir: join(work, 'build'), layers: [vernemq, profiled, unpinned], hexMirror: mirror });
      const parse = parseAll(build);
      t.diagnostic(`bitbake -p: ${parse.files} recipes, ${parse.errors} errors, ${parse.warningLines.length} warnings`);
      assert.equal(parse.run.status, 0, runText(parse.run));
      assert.equal(parse.errors, 0, parse.errorLines.join('\n'));
      const ours = parse.warningLines.filter((l) => [vernemq, profiled, unpinned].some((d) => l.includes(d)));
      assert.deepEqual(ours, [], 'no warnings from the generated layers');

      // --- shadowing: the PN resolves to the generated recipe, not meta-erlang's ---------------
      const metaErlangVernemq = readdirSync(join(stack.root, 'meta-erlang'), { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)vernemq_[^/]*\.bb$/.test(f));
      assert.ok(metaErlangVernemq.length > 0, 'meta-erlang has a vernemq recipe in this stack');
      const resolved = runBitbake(build, ['-e', 'vernemq'], { timeoutMs: 20 * 60_000 });
      assert.equal(resolved.status, 0, runText(resolved));
      const env = parseBitbakeEnv(resolved.stdout, 'vernemq', resolved);
      t.diagnostic(`vernemq: ${env.get('FILE')} (meta-erlang has ${metaErlangVernemq.join(', ')})`);
      assert.equal(env.get('FILE'), recipeFile(vernemq, 'vernemq'));
      assert.equal(env.get('BEAM_APP'), 'vernemq');
      assert.equal(env.get('PV'), '0.1.0');
      assert.match(readFileSync(env.get('FILE'), 'utf8'), /^# Note: meta-erlang also has a recipe named vernemq/m);

      // --- --profile ----------------------------------------------------------------------------
      const pe = bitbakeEnv(build, recipeFile(profiled, 'profiled-app'));
      const flags = profile.nifCflags.join(' ');
      assert.equal(pe.get('BEAM_NIF_TUNE_CFLAGS'), flags);
      assert.match(pe.run.stdout, new RegExp(`^export BEAMBAKE_NIF_TUNE_CFLAGS="${flags.replace(/[+.]/g, '\\$&')}"$`, 'm'), 'exported to every task');
      assert.equal(pe.get('BEAM_EXPECTED_EMU_FLAVOR'), 'jit');
      assert.equal(pe.get('BEAM_HARDWARE_PROFILE'), profile.name);
      assert.ok(pe.runsAfter('do_compile', 'do_beam_check_emu_flavor'), 'the flavor check runs before do_compile');
      assert.ok(pe.runsAfter('do_beam_check_emu_flavor', 'do_prepare_recipe_sysroot'), '... once the target ERTS is staged');
      const body = pe.funcs.get('do_beam_check_emu_flavor') ?? '';
      assert.ok(body !== '', 'do_beam_check_emu_flavor is a task of the recipe');
      const staged = pe.get('BEAM_TARGET_ERLANG_ROOT');
      assert.ok(body.includes(staged), body);
      // without --profile nothing is expected and the task does nothing
      const plain = bitbakeEnv(build, recipeFile(vernemq, 'vernemq'));
      assert.equal(plain.get('BEAM_EXPECTED_EMU_FLAVOR'), '');
      // The task body exactly as BitBake would run it, pointed at Debian's target ERTS.
      for (const arch of ['arm64', 'armhf'] as const) {
        if (!aptHasArch(arch) || !hasTool('dpkg')) {
          t.diagnostic(`no Debian ${arch} packages: the task body was not run on a ${arch} ERTS`);
          continue;
        }
        const root = targetErlangRoot(stageSysroot(arch));
        const script = body.split(staged).join(root);
        const r: SpawnSyncReturns<string> = spawnSync('sh', ['-ec', script], { encoding: 'utf8' });
        if (arch === 'arm64') {
          assert.equal(r.status, 0, r.stderr);
          assert.match(r.stdout, /runs the jit flavor, as expected/);
        } else {
          assert.equal(r.status, 1, r.stdout);
          assert.match(r.stderr, new RegExp(`the target ERTS runs the interpreter .*but hardware profile ${profile.name} expects the JIT`));
        }
      }

      // --- --allow-unpinned: fetch, unpack and unpack the dependencies, offline -----------------
      const ub = recipeFile(unpinned, 'demo');
      const unpack = runBitbake(build, ['-b', ub, '-c', 'do_beam_unpack_deps'], { timeoutMs: 20 * 60_000 });
      assert.equal(unpack.status, 0, runText(unpack));
      assert.match(unpack.output, /WARNING: .*Missing checksum for '[^']*hex-gpio-0\.6\.0\.tar'/, 'BitBake warns about the unpinned tarball');
      assert.match(unpack.output, /WARNING: .*UNPINNED \(beambake recipe --allow-unpinned\): no outer checksum pins gpio/);
      const ue = bitbakeEnv(build, ub);
      const s = ue.get('S');
      assert.ok(existsSync(join(s, 'deps', 'gpio')), 'gpio placed in deps/');
      const log = readdirSync(join(ue.get('T'))).filter((f) => f.startsWith('log.do_beam_unpack_deps.')).sort();
      const taskLog = readFileSync(join(ue.get('T'), log.at(-1)!), 'utf8');
      assert.match(taskLog, /WARNING: UNPINNED gpio \(gpio-0\.6\.0\): the lock has no outer checksum, so only the inner checksum below vouches for hex-gpio-0\.6\.0\.tar/);

      // changed after the fetch: nothing pins the file, but the lock's inner checksum still does
      const fetched = join(ue.get('BEAM_UNPACKDIR'), 'beam-deps', 'hex', 'hex-gpio-0.6.0.tar');
      assert.ok(existsSync(fetched), fetched);
      const impostor = createHexTarball({ name: 'gpio', version: '0.6.0', files: { 'lib/gpio.ex': 'defmodule GPIO do end\n' } });
      writeFileSync(fetched, impostor.tarball);
      handOver(work);
      const tampered = runBitbake(build, ['-b', ub, '-c', 'do_beam_unpack_deps', '-f'], { timeoutMs: 20 * 60_000 });
      assert.notEqual(tampered.status, 0, runText(tampered));
      assert.match(tampered.output, /gpio \(gpio-0\.6\.0\): inner checksum mismatch: lock pins [0-9a-f]{64}, tarball has [0-9a-f]{64}/);
    });
  });
}
