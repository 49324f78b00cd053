/**
 * What the BitBake suite builds from: the projects (examples/hello_beam, the Mix, rebar3 and
 * Gleam build fixtures, small Mix apps for recipe names and versions, one with --profile), two
 * layers written by the real `beambake recipe` CLI, a Hex mirror written by `beambake vendor`
 * and bare git mirrors of the fixtures' git dependencies, all in one work directory the build
 * user can read.
 *
 * Which fixtures each stack builds is STACK_FIXTURES: extend it (and FIXTURES) to add one.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { recipeFileName, recipeName, HEX_SUBDIR } from '../../../src/bitbake/names.js';
import { runCli } from '../../helpers/cli.js';
import { repoRoot } from '../../helpers/paths.js';
import * as gleam from '../gleam-fixture.js';
import * as mix from '../mix-fixture.js';
import * as rebar3 from '../rebar3-fixture.js';
import { bitbakeWorkDir, handOver, type StackName } from './harness.js';

export type FixtureId = 'hello_beam' | 'mix' | 'rebar3' | 'gleam' | 'no-underscore-rc' | 'one-underscore-build' | 'two-underscores' | 'profile';

/** The layers the recipes are spread over: two, so the suite shows each uses its own classes and scripts. */
export const LAYER_A = 'meta-beam-apps';
export const LAYER_B = 'meta-beam-tools';

export interface SuiteRecipe {
  id: FixtureId;
  app: string;
  version: string;
  /** Expected PN and PV. */
  pn: string;
  pv: string;
  buildTool: 'mix' | 'rebar3' | 'gleam';
  layer: string;
  recipeFile: string;
  hexCount: number;
  /** SRCREV_<name> -> the commit the lock pins. */
  srcrevs: Record<string, string>;
  /** LICENSE as the generated recipe assigns it. */
  license: string;
  /** Every Hex tarball is in the mirror and every git dependency in the git mirror. */
  fetchable: boolean;
  /** More variables `bitbake -e` must show with these values (e.g. from --profile). */
  vars: Record<string, string>;
  /** The project directory inside the work directory. */
  project: string;
}

interface FixtureSpec {
  layer: string;
  make(ctx: MakeContext): Omit<SuiteRecipe, 'id' | 'pn' | 'pv' | 'layer' | 'recipeFile' | 'license'> & { recipeArgs?: string[] };
}

interface MakeContext {
  work: string;
  /** Copies a project into the work directory. */
  project(id: string, from: string): string;
  /** `beambake vendor` of the project's Hex tarballs into the suite's mirror. */
  vendor(project: string, tarballs: string): void;
  /** A bare copy of a git repository in the git mirror, as <name>.git. */
  gitMirror(name: string, repo: string): void;
}

/** A one-module Mix project with no dependencies and an MIT licence: only its name and version matter. */
function smallMixApp(ctx: MakeContext, id: string, app: string, version: string): string {
  const dir = join(ctx.work, 'src', id);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'mix.exs'), `defmodule Suite.MixProject do\n  use Mix.Project\n  def project, do: [app: :${app}, version: "${version}", deps: []]\nend\n`);
  writeFileSync(join(dir, 'mix.lock'), '%{\n}\n');
  writeFileSync(join(dir, 'lib', `${app}.ex`), `defmodule Suite do\nend\n`);
  cpSync(join(repoRoot, 'examples', 'hello_beam', 'LICENSE'), join(dir, 'LICENSE'));
  return dir;
}

const small = (id: string, app: string, version: string, layer = LAYER_A, recipeArgs: string[] = [], vars: Record<string, string> = {}): FixtureSpec => ({
  layer,
  make: (ctx) => ({ app, version, buildTool: 'mix', hexCount: 0, srcrevs: {}, fetchable: true, vars, project: smallMixApp(ctx, id, app, version), recipeArgs }),
});

export const FIXTURES: Record<FixtureId, FixtureSpec> = {
  // its Hex tarballs are real hex.pm packages, not available offline: parse and `bitbake -e` only
  hello_beam: {
    layer: LAYER_A,
    make: (ctx) => ({ app: 'hello_beam', version: '0.1.0', buildTool: 'mix', hexCount: 4, srcrevs: {}, fetchable: false, vars: {}, project: ctx.project('hello_beam', join(repoRoot, 'examples', 'hello_beam')) }),
  },
  mix: {
    layer: LAYER_A,
    make: (ctx) => {
      const w = mix.prepare({ prefix: 'bb-suite-mix-' });
      const project = ctx.project(mix.APP, w.project);
      ctx.vendor(project, join(w.src, ...HEX_SUBDIR.split('/')));
      return { app: mix.APP, version: '0.3.0', buildTool: 'mix', hexCount: w.built.length, srcrevs: {}, fetchable: true, vars: {}, project };
    },
  },
  rebar3: {
    layer: LAYER_B,
    make: (ctx) => {
      const w = rebar3.prepare();
      const project = ctx.project('bbrel', w.project);
      ctx.vendor(project, join(w.src, ...HEX_SUBDIR.split('/')));
      const repos = rebar3.gitRepos();
      for (const [name, repo] of Object.entries(repos)) ctx.gitMirror(name, repo.path);
      const srcrevs = Object.fromEntries(rebar3.GIT_DEPS.map(([app, repo]) => [`git-${app}`, repos[repo]!.rev]));
      return { app: 'bbrel', version: '0.3.0', buildTool: 'rebar3', hexCount: w.built.length, srcrevs, fetchable: true, vars: {}, project };
    },
  },
  gleam: {
    layer: LAYER_B,
    make: (ctx) => {
      const w = gleam.prepare();
      const project = ctx.project('bbgleam', w.project);
      ctx.vendor(project, join(w.src, ...HEX_SUBDIR.split('/')));
      ctx.gitMirror('bb_gitlib', join(w.dir, 'git', 'bb_gitlib'));
      return { app: 'bbgleam', version: '0.1.0', buildTool: 'gleam', hexCount: gleam.packageDefs.length, srcrevs: { 'git-bb_gitlib': w.rev }, fetchable: true, vars: {}, project };
    },
  },
  'no-underscore-rc': small('no-underscore-rc', 'bbplain', '1.0.0-rc.1'),
  'one-underscore-build': small('one-underscore-build', 'bb_one', '1.2.3+build.5'),
  'two-underscores': small('two-underscores', 'my_cool_app', '2.0.0'),
  profile: small('profile', 'bb_profiled', '0.2.0', LAYER_B, ['--profile', 'qemuarm64'], {
    BEAM_EXPECTED_EMU_FLAVOR: 'jit',
    BEAM_NIF_TUNE_CFLAGS: '-mcpu=cortex-a57+nocrypto',
    BEAM_RUST_TARGET: 'aarch64-unknown-linux-gnu',
  }),
};

const ALL: FixtureId[] = ['hello_beam', 'mix', 'rebar3', 'gleam', 'no-underscore-rc', 'one-underscore-build', 'two-underscores', 'profile'];

/**
 * The fixtures each stack builds. Gleam recipes need gleam-native, which meta-erlang scarthgap
 * does not provide, so scarthgap leaves the Gleam fixture out.
 */
export const STACK_FIXTURES: Record<StackName, FixtureId[]> = {
  scarthgap: ALL.filter((id) => id !== 'gleam'),
  wrynose: ALL,
};

export interface Workspace {
  work: string;
  layers: string[];
  hexMirror: string;
  gitMirror: string;
  recipes: SuiteRecipe[];
  /** layer -> the marker its copy of beambake-deps.bbclass sets (BEAMBAKE_SUITE_LAYER). */
  markers: Record<string, string>;
}

function git(args: string[]): void {
  const r = spawnSync('git', args, { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

/** Generates every fixture's project and recipe, the mirrors, and marks each layer's class copy. */
export function makeWorkspace(stack: StackName, ids: readonly FixtureId[] = STACK_FIXTURES[stack]): Workspace {
  const work = bitbakeWorkDir(`bb-suite-${stack}-`);
  const hexMirror = join(work, 'mirror');
  const gitMirrorDir = join(work, 'git-mirror');
  mkdirSync(gitMirrorDir, { recursive: true });
  const ctx: MakeContext = {
    work,
    project(id, from) {
      const dir = join(work, 'src', id);
      cpSync(from, dir, { recursive: true, filter: (src) => !/\/(_build|deps|\.beambake)$/.test(src) });
      return dir;
    },
    vendor(project, tarballs) {
      const r = runCli(['vendor', project, '--from', tarballs, '-o', hexMirror]);
      assert.equal(r.status, 0, `beambake vendor ${project}: ${r.stderr}`);
    },
    gitMirror(name, repo) {
      const dest = join(gitMirrorDir, `${name}.git`);
      if (!existsSync(dest)) git(['clone', '-q', '--bare', repo, dest]);
    },
  };
  const recipes: SuiteRecipe[] = [];
  for (const id of ids) {
    const spec = FIXTURES[id];
    const { recipeArgs, ...made } = spec.make(ctx);
    const layer = join(work, spec.layer);
    const r = runCli(['recipe', made.project, '-o', layer, '--yocto', stack, '--source', made.project, ...(recipeArgs ?? [])]);
    assert.equal(r.status, 0, `beambake recipe ${id}: ${r.stderr}`);
    const pn = recipeName(made.app);
    const recipeFile = join(layer, 'recipes-beam', pn, recipeFileName(made.app, made.version));
    assert.ok(existsSync(recipeFile), `${id}: no ${recipeFile}`);
    const license = /^LICENSE = "(.*)"$/m.exec(readFileSync(recipeFile, 'utf8'))?.[1] ?? '';
    recipes.push({ ...made, id, pn, pv: made.version, layer, recipeFile, license });
  }
  const layers = [...new Set(ids.map((id) => join(work, FIXTURES[id].layer)))];
  // Each layer's copy of the classes tells which layer it is: a recipe that inherited another
  // layer's classes (as `inherit beambake-mix` through BBPATH would) shows the wrong marker.
  const markers: Record<string, string> = {};
  for (const layer of layers) {
    markers[layer] = layer.split('/').pop()!;
    appendFileSync(join(layer, 'classes', 'beambake-deps.bbclass'), `\n# added by the BitBake test suite\nBEAMBAKE_SUITE_LAYER = "${markers[layer]}"\n`);
  }
  handOver(work);
  return { work, layers, hexMirror, gitMirror: gitMirrorDir, recipes, markers };
}
