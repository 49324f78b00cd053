import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProject } from '../../src/lockfiles/index.js';
import { projectToJson, type Project } from '../../src/model.js';
import { projectToSbomGraph, PROP_REQUIRED_BY, renderLayerSbom } from '../../src/sbom/from-project.js';
import { isBeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { GPIO, gpioProject } from './check/demo-project.js';

const sha = (alg: string, file: string) => createHash(alg).update(readFileSync(file)).digest('hex');

test('vendored tarball: SHA-512 of the file, licence and creator link from its metadata', async (t) => {
  const p = gpioProject();
  t.after(p.cleanup);
  const graph = await projectToSbomGraph(await readProject(p.dir), { vendorDir: p.vendor, env: {} });
  const gpio = graph.components.find((c) => c.name === 'gpio')!;
  assert.deepEqual(gpio.hashes, [
    { alg: 'SHA-256', value: sha('sha256', GPIO) },
    { alg: 'SHA-512', value: sha('sha512', GPIO) },
  ]);
  assert.equal(gpio.licenses.declared, 'Apache-2.0');
  assert.equal(gpio.licenses.concluded, 'Apache-2.0');
  assert.deepEqual(gpio.manufacturer, { urls: ['https://github.com/kopera/erlang-gpio'] });
  assert.equal(gpio.filename, 'gpio-0.6.0.tar');
  const dist = gpio.externalRefs.find((r) => r.type === 'distribution')!;
  assert.equal(dist.url, 'https://repo.hex.pm/tarballs/gpio-0.6.0.tar');
  assert.ok(dist.hashes!.some((h) => h.alg === 'SHA-512'));
});

test('without vendored tarballs only the lock facts are stated (no invented licence or SHA-512)', async () => {
  const graph = await projectToSbomGraph(await readProject(join(corpusDir, 'mix/phoenix')), { env: {} });
  const jason = graph.components.find((c) => c.name === 'jason')!;
  assert.deepEqual(jason.licenses, {});
  assert.ok(!jason.hashes.some((h) => h.alg === 'SHA-512'));
  assert.equal(jason.supplier?.name, 'Hex.pm');
});

test('a vendored tarball that does not match the lock checksum is refused', async (t) => {
  const p = gpioProject('f'.repeat(64));
  t.after(p.cleanup);
  await assert.rejects(projectToSbomGraph(await readProject(p.dir), { vendorDir: p.vendor, env: {} }), (e) => isBeambakeError(e) && e.code === 'CHECKSUM_MISMATCH' && /gpio-0\.6\.0\.tar/.test(e.format()));
});

test('ERTS and the OTP/Elixir applications from mix.exs extra_applications become components', async (t) => {
  const p = gpioProject();
  t.after(p.cleanup);
  const graph = await projectToSbomGraph(await readProject(p.dir), { otpVersion: '26', ertsVersion: '14.2.5', elixirVersion: '1.16.3', env: {} });
  const names = graph.components.filter((c) => c.id.startsWith('otp:')).map((c) => `${c.name}@${c.version ?? ''}`);
  assert.deepEqual(names, ['erts@14.2.5', 'crypto@', 'elixir@1.16.3', 'kernel@', 'logger@1.16.3', 'stdlib@']);
  const logger = graph.components.find((c) => c.name === 'logger')!;
  // pkg:otp is not a registered purl type: pkg:generic with the repository and directory, as mix_sbom writes
  assert.equal(logger.purl, 'pkg:generic/logger@1.16.3?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Felixir-lang%2Felixir.git#lib/logger');
  assert.ok(graph.edges.some((e) => e.from === graph.metadata.root && e.to === 'otp:crypto'));
  // gpio requires elixir_make, which the lock does not contain
  const incomplete = graph.compositions.find((c) => c.aggregate === 'incomplete')!;
  assert.deepEqual(incomplete.assemblies, ['pkg:hex/gpio@0.6.0']);
});

test('completeness follows the model\'s unlocked list, not warning text; deps --json stays unchanged', async (t) => {
  const p = gpioProject();
  t.after(p.cleanup);
  const project = await readProject(p.dir);
  assert.deepEqual(project.unlocked, [{ app: 'elixir_make', requiredBy: 'gpio' }]);
  assert.ok(!('unlocked' in projectToJson(project)));
  const aggregateOf = async (pr: Project) => (await projectToSbomGraph(pr, { env: {} })).compositions.find((c) => c.assemblies.includes('pkg:hex/gpio@0.6.0'))!.aggregate;
  assert.equal(await aggregateOf({ ...project, warnings: [] }), 'incomplete');
  assert.equal(await aggregateOf({ ...project, unlocked: [] }), 'complete');
  // a corpus lock where every required dependency is locked has no unlocked list at all
  assert.equal((await readProject(join(corpusDir, 'mix/phoenix'))).unlocked, undefined);
});

test('rebar3 .app.src applications minus locked deps are the OTP set', async () => {
  const graph = await projectToSbomGraph(await readProject(join(corpusDir, 'rebar/elvis'), { appVersion: '1.0.0' }), { env: {} });
  const otp = graph.components.filter((c) => c.id.startsWith('otp:')).map((c) => c.name);
  // elvis.app.src: {applications, [kernel, stdlib, ssl, elvis_core, katana_code, getopt]}
  assert.deepEqual(otp, ['erts', 'kernel', 'ssl', 'stdlib']);
  const locked = new Set(graph.components.filter((c) => c.purl?.startsWith('pkg:hex/')).map((c) => c.name));
  assert.ok(otp.every((a) => !locked.has(a)));
});

test('self-hosted Hex repositories get repository_url; hexpm organisations a namespace', async () => {
  const project = await readProject(join(corpusDir, 'mix/mix_sbom-fixture-private_repo'));
  const graph = await projectToSbomGraph(project, { hexRepoUrls: { '0ban': 'https://getoban.pro/repo' }, env: {} });
  const pro = graph.components.find((c) => c.name === 'oban_pro')!;
  assert.equal(pro.purl, 'pkg:hex/oban_pro@1.5.4?repository_url=https%3A%2F%2Fgetoban.pro%2Frepo');
  assert.equal(pro.downloadLocation, 'https://getoban.pro/repo/tarballs/oban_pro-1.5.4.tar');
  const org = { ...project, packages: [{ ...(project.packages.find((x) => x.source === 'hex' && x.repository === 'hexpm')! as object), repository: 'hexpm:acme' }] } as typeof project;
  const g2 = await projectToSbomGraph(org, { env: {} });
  assert.match(g2.components.find((c) => c.purl?.startsWith('pkg:hex/'))!.purl!, /^pkg:hex\/acme\/[a-z_]+@/);
});

test('renderLayerSbom gives the CycloneDX JSON of the project', async () => {
  const project = await readProject(join(corpusDir, 'gleam/gleam-packages'));
  const doc = JSON.parse(await renderLayerSbom(project, { env: { SOURCE_DATE_EPOCH: '0' } }));
  assert.equal(doc.specVersion, '1.6');
  assert.equal(doc.metadata.component.name, 'packages');
  // gleeunit is a dev dependency: not in the release, so not in the SBOM
  const prod = project.packages.filter((p) => p.scope === 'prod');
  assert.equal(prod.length, project.packages.length - 1);
  assert.equal(doc.components.filter((c: { purl?: string }) => c.purl?.startsWith('pkg:hex/')).length, prod.length);
  assert.ok(!doc.components.some((c: { name: string }) => c.name === 'gleeunit'));
});

/** Components of `graph` the root reaches over its edges. */
function reachedFromRoot(graph: { metadata: { root?: string }; edges: { from: string; to: string }[] }): Set<string> {
  const seen = new Set([graph.metadata.root!]);
  const stack = [graph.metadata.root!];
  while (stack.length > 0) {
    const at = stack.pop()!;
    for (const e of graph.edges) if (e.from === at && !seen.has(e.to)) (seen.add(e.to), stack.push(e.to));
  }
  return seen;
}

test('every locked package is linked to the project: an indirect one the lock names no parent for hangs under the root, said so', async () => {
  // rebar.lock gives levels, not parents: before, these SBOMs held components nothing linked to the product
  for (const [dir, indirect] of [
    ['rebar/erlang_ls', 6],
    ['rebar/elvis', 1],
    ['rebar/otel-roll_dice_elli-git_subdir', 9],
    ['rebar/rebar3-testdata', 7],
  ] as const) {
    const project = await readProject(join(corpusDir, dir), { appVersion: '1.0.0' });
    const graph = await projectToSbomGraph(project, { env: {} });
    const reached = reachedFromRoot(graph);
    assert.deepEqual(
      graph.components.filter((c) => !reached.has(c.id)).map((c) => c.name),
      [],
      dir,
    );
    const said = graph.components.filter((c) => c.properties.some((p) => p.name === PROP_REQUIRED_BY));
    assert.equal(said.length, indirect, dir);
    for (const c of said) {
      const pkg = project.packages.find((p) => p.app === c.name || ('name' in p && p.name === c.name))!;
      assert.equal(pkg.direct, false, `${dir}: ${c.name} is indirect`);
      assert.ok(graph.edges.some((e) => e.from === graph.metadata.root && e.to === c.id), `${dir}: ${c.name} under the root`);
    }
  }
  // a lock whose dependency lists are complete (mix.lock) needs no such edge
  const phoenix = await projectToSbomGraph(await readProject(join(corpusDir, 'mix/phoenix')), { env: {} });
  assert.ok(!phoenix.components.some((c) => c.properties.some((p) => p.name === PROP_REQUIRED_BY)));
});

test('indirect packages: only the tops of what nothing links get a root edge (in their scope); a cycle gets one', async () => {
  const hex = (app: string, direct: boolean, dependencies: string[], scope: 'prod' | 'test' = 'prod') =>
    ({ source: 'hex', app, name: app, version: '1.0.0', repository: 'hexpm', outerChecksum: 'a'.repeat(64), innerChecksum: null, buildTools: ['rebar3'], direct, dependencies, scope }) as const;
  const project = {
    buildTool: 'rebar3',
    lockfile: 'rebar.lock',
    name: 'app',
    version: '1.0.0',
    // b -> c is known, b's parent is not; d <-> e is a cycle nothing reaches; t is test-only
    packages: [hex('a', true, []), hex('c', false, []), hex('b', false, ['c']), hex('e', false, ['d']), hex('d', false, ['e']), hex('t', false, [], 'test')],
  } as unknown as Project;
  const graph = await projectToSbomGraph(project, { env: {}, includeScopes: ['test'] });
  const fromRoot = graph.edges.filter((e) => e.from === graph.metadata.root).map((e) => `${graph.components.find((c) => c.id === e.to)!.name} ${e.type}`);
  assert.deepEqual(fromRoot.filter((x) => !/^(erts|kernel|stdlib) /.test(x)).sort(), ['a DEPENDS_ON', 'b DEPENDS_ON', 'e DEPENDS_ON', 't DEV_DEPENDS_ON']);
  const said = graph.components.filter((c) => c.properties.some((p) => p.name === PROP_REQUIRED_BY)).map((c) => c.name);
  assert.deepEqual(said.sort(), ['b', 'e', 't']);
  const reached = reachedFromRoot(graph);
  assert.ok(graph.components.every((c) => reached.has(c.id)));
});
