/**
 * Issue 13 / issue 10: input nested 100,000 levels deep used to exit 70 with
 * "Maximum call stack size exceeded" (and print nothing with --json). Every
 * reader must end it with one located line: exit 3, or a failed check (exit 1)
 * in `verify`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { assembleHexTarball, gzipDeterministic } from '../../src/hex/tarball.js';
import { writeTar } from '../../src/hex/tar.js';

const DEPTH = 100_000;
const nest = (open: string, core: string, close: string) => open.repeat(DEPTH) + core + close.repeat(DEPTH);

const MIX_EXS = 'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :demo, version: "0.1.0", deps: []]\nend\n';

function oneCleanLine(r: CliResult, status: number, what: string, mention: RegExp): void {
  assert.equal(r.status, status, `${what}: exit ${r.status}\n${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, /call stack|internal error|\n\s+at /, what);
  assert.match(r.stderr, mention, what);
  assert.ok(r.stderr.length < 2000, `${what}: short message`);
}

test('100,000 levels of nesting end in one clean line in every reader, with and without --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-deep-'));
  try {
    const project = (name: string, files: Record<string, string>) => {
      const p = join(dir, name);
      mkdirSync(p, { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
      return p;
    };
    const cases: [string, string, RegExp][] = [
      ['mix.lock (lists)', project('mix-list', { 'mix.exs': MIX_EXS, 'mix.lock': `%{"a": ${nest('[', '1', ']')}}\n` }), /mix\.lock:1:\d+: nested too deeply/],
      ['mix.lock (tuples)', project('mix-tuple', { 'mix.exs': MIX_EXS, 'mix.lock': nest('{', '1', '}') }), /mix\.lock:1:\d+: nested too deeply/],
      ['mix.lock (maps)', project('mix-map', { 'mix.exs': MIX_EXS, 'mix.lock': nest('%{a: ', '1', '}') }), /mix\.lock:1:\d+: nested too deeply/],
      ['mix.lock (binaries)', project('mix-bin', { 'mix.exs': MIX_EXS, 'mix.lock': nest('<<', '1', '>>') }), /mix\.lock:1:\d+: nested too deeply/],
      ['mix.exs', project('mixexs', { 'mix.exs': MIX_EXS.replace('deps: []', `deps: ${nest('[', '1', ']')}`), 'mix.lock': '%{}\n' }), /mix\.exs/],
      ['rebar.lock', project('rebar-lock', { 'rebar.config': '{deps, []}.\n', 'rebar.lock': nest('[', '1', ']') + '.\n' }), /rebar\.lock:1:\d+: nested too deeply/],
      ['rebar.lock (improper tails)', project('rebar-tail', { 'rebar.config': '{deps, []}.\n', 'rebar.lock': nest('[a|', '[]', ']') + '.\n' }), /rebar\.lock:1:\d+: nested too deeply/],
      ['rebar.lock (parentheses)', project('rebar-parens', { 'rebar.config': '{deps, []}.\n', 'rebar.lock': nest('(', '[]', ')') + '.\n' }), /rebar\.lock:1:\d+: nested too deeply/],
      ['rebar.config (a sign on parentheses)', project('rebar-signed', { 'rebar.config': `{deps, [{a, -${nest('(', '1', ')')}}]}.\n`, 'rebar.lock': '[].\n' }), /rebar\.config:1:\d+: nested too deeply/],
      ['rebar.config', project('rebar-config', { 'rebar.config': `{deps, ${nest('{', '1', '}')}}.\n`, 'rebar.lock': '[].\n' }), /rebar\.config/],
      ['manifest.toml', project('gleam-manifest', { 'gleam.toml': 'name = "demo"\nversion = "1.0.0"\n', 'manifest.toml': `packages = ${nest('[', '1', ']')}\n` }), /manifest\.toml/],
      ['gleam.toml', project('gleam-toml', { 'gleam.toml': `name = "demo"\nversion = "1.0.0"\nx = ${nest('{a=', '1', '}')}\n`, 'manifest.toml': 'packages = []\n' }), /gleam\.toml/],
    ];
    for (const [what, path, mention] of cases) {
      if (what === 'mix.exs') {
        // mix.exs is read statically and leniently: a deps list it cannot understand is not an error.
        const r = runCli(['deps', path]);
        assert.ok(r.status === 0 || r.status === 3, `${what}: exit ${r.status} ${r.stderr.slice(0, 300)}`);
        assert.doesNotMatch(r.stderr, /call stack|internal error/, what);
        continue;
      }
      oneCleanLine(runCli(['deps', path]), 3, what, mention);
      const json = runCli(['deps', path, '--json']);
      oneCleanLine(json, 3, `${what} --json`, mention);
    }

    // SBOM inputs: JSON (native JSON.parse copes; the walkers over it must too), CycloneDX XML.
    const sboms: [string, string][] = [
      ['cdx.json', `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[${nest('{"type":"library","name":"x","components":[', '{"type":"library","name":"y"}', ']}')}]}`],
      ['spdx.json', `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","dataLicense":"CC0-1.0","documentNamespace":"https://x/y","packages":[{"SPDXID":"SPDXRef-a","name":"a","x":${nest('[', '1', ']')}}]}`],
      ['cdx.xml', `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components>${nest('<component type="library"><name>x</name><components>', '', '</components></component>')}</components></bom>`],
    ];
    for (const [name, text] of sboms) {
      const f = join(dir, name);
      writeFileSync(f, text);
      const merge = runCli(['sbom', 'merge', f, '-o', join(dir, 'merged.cdx.json'), '--product', 'p', '--product-version', '1.0.0', '--manufacturer', 'm']);
      // A deep value under a field SPDX readers do not use is only data (exit 0); deep components are refused.
      if (name === 'spdx.json') assert.ok(merge.status === 0 || merge.status === 3, `sbom merge ${name}: ${merge.stderr.slice(0, 300)}`);
      else oneCleanLine(merge, 3, `sbom merge ${name}`, new RegExp(name.replace('.', '\\.')));
      assert.doesNotMatch(merge.stderr, /call stack|internal error/, `sbom merge ${name}`);
      const check = runCli(['sbom', 'check', f, '--json']);
      assert.ok(check.status === 1 || check.status === 3, `sbom check ${name}: exit ${check.status} ${check.stderr.slice(0, 300)}`);
      assert.doesNotMatch(check.stderr, /call stack|internal error/, `sbom check ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Hex tarball whose metadata.config nests 100,000 deep fails verify as a check (exit 1), one line per package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-deep-hex-'));
  try {
    const contents = gzipDeterministic(writeTar([{ path: 'src/deep.erl', content: Buffer.from('-module(deep).\n') }]));
    const t = assembleHexTarball(`{<<"name">>,<<"deep">>}.\n{<<"x">>,${nest('[', '1', ']')}}.\n`, contents);
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    writeFileSync(join(cache, 'deep-1.0.0.tar'), t.tarball);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'mix.exs'), MIX_EXS);
    writeFileSync(join(app, 'mix.lock'), `%{\n  "deep": {:hex, :deep, "1.0.0", "${t.innerChecksum}", [:mix], [], "hexpm", "${t.outerChecksum}"},\n}\n`);
    for (const json of [false, true]) {
      const r = runCli(['verify', app, '--vendor', cache, ...(json ? ['--json'] : [])]);
      assert.equal(r.status, 1, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /call stack|internal error/);
      assert.match(r.stdout, /nested too deeply/);
      if (json) JSON.parse(r.stdout);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
