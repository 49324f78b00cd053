/**
 * Every lockfile of the shared corpus: beambake's reading must match the
 * ecosystems' own tools entry by entry (counts, names, versions, checksums,
 * sources, git options, dependency edges, direct flags).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readLockfile } from '../../src/lockfiles/index.js';
import type { GitPackage, HexPackage, Package, PathPackage } from '../../src/model.js';
import { BeambakeError } from '../../src/util/errors.js';
import { needTools } from '../helpers/toolchain.js';
import { corpusLockfiles, elixirReadMixLocks, erlangReadRebarLocks, pythonReadManifests } from './independent.js';

const locks = corpusLockfiles();
const positive = (tool: string) => locks.filter((l) => l.tool === tool && !l.negative);
const nullable = (s: string) => (s === '-' ? null : s.toLowerCase());
const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);
const byApp = (ps: Package[]) => new Map(ps.map((p) => [p.app, p]));

test('the corpus lists lockfiles of all three kinds, and a negative one', () => {
  assert.ok(positive('mix').length >= 19, `mix: ${positive('mix').length}`);
  assert.ok(positive('rebar3').length >= 12, `rebar: ${positive('rebar3').length}`);
  assert.ok(positive('gleam').length >= 5, `gleam: ${positive('gleam').length}`);
  assert.ok(locks.some((l) => l.negative));
});

test('every corpus lockfile parses; every negative one fails with one located line', (t) => {
  let ok = 0;
  for (const l of locks) {
    if (l.negative) {
      assert.throws(
        () => readLockfile(l.file, l.tool),
        (e: unknown) => e instanceof BeambakeError && /^.+:\d+:\d+: .+$/.test(e.format()) && !e.format().includes('\n'),
        l.rel,
      );
    } else {
      const { packages } = readLockfile(l.file, l.tool);
      for (const p of packages) assert.ok(p.app.length > 0, l.rel);
      ok++;
    }
  }
  t.diagnostic(`${ok} lockfiles parsed, ${locks.length - ok} rejected as expected`);
});

test('mix.lock: every entry matches Elixir evaluating the file', (t) => {
  if (!needTools(t, 'elixir')) return;
  const files = locks.filter((l) => l.tool === 'mix');
  const ref = elixirReadMixLocks(files.map((l) => l.file));
  let entries = 0;
  for (const l of files) {
    const r = ref.get(l.file);
    assert.ok(r, `no Elixir reading of ${l.rel}`);
    if (l.negative) {
      // Elixir refuses it too.
      assert.equal(r.header[0], 'X', l.rel);
      continue;
    }
    assert.equal(r.header[0], 'F', `${l.rel}: Elixir failed: ${r.header[2]}`);
    const { packages } = readLockfile(l.file, 'mix');
    assert.equal(packages.length, Number(r.header[2]), `${l.rel}: entry count`);
    const ours = byApp(packages);
    const inLock = new Set(r.lines.map((c) => c[1]!));
    const required = new Set<string>();
    for (const c of r.lines) {
      if (c[2] !== 'hex') continue;
      const optional = new Set(list(c[10]));
      for (const d of list(c[9])) if (inLock.has(d) && d !== c[1] && !optional.has(d)) required.add(d);
    }
    for (const c of r.lines) {
      const app = c[1]!;
      const p = ours.get(app);
      assert.ok(p, `${l.rel}: ${app} missing`);
      const where = `${l.rel}: ${app}`;
      assert.equal(p.direct, !required.has(app), `${where}: direct`);
      if (c[2] === 'hex') {
        const h = p as HexPackage;
        assert.equal(h.source, 'hex', where);
        assert.deepEqual(
          [h.name, h.version, h.innerChecksum, h.outerChecksum, h.repository, h.buildTools],
          [c[3], c[4], nullable(c[5]!), nullable(c[6]!), c[7] === '-' ? 'hexpm' : c[7], list(c[8])],
          where,
        );
        assert.deepEqual(h.dependencies, [...new Set(list(c[9]).filter((d) => inLock.has(d) && d !== app))].sort(), `${where}: deps`);
      } else if (c[2] === 'git') {
        const g = p as GitPackage;
        assert.deepEqual([g.source, g.url, g.rev], ['git', c[3], c[4]], where);
        const opts = Object.fromEntries((c[5] ?? '').split(';').filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
        const mine: Record<string, string> = {};
        for (const k of ['ref', 'tag', 'branch', 'sparse', 'subdir', 'depth', 'submodules'] as const) {
          if (g[k] !== undefined) mine[k] = String(g[k]);
        }
        if (opts.submodules === 'false') delete opts.submodules;
        assert.deepEqual(mine, opts, `${where}: git options`);
      } else {
        const h = p as HexPackage;
        assert.deepEqual([h.source, h.name, h.version, h.outerChecksum], ['hex', app, c[3], null], where);
      }
      entries++;
    }
  }
  t.diagnostic(`${files.length} mix.lock files, ${entries} entries matched Elixir's reading`);
  // Nothing skipped: every entry Elixir saw was compared.
  const expected = files.filter((l) => !l.negative).reduce((n, l) => n + Number(ref.get(l.file)!.header[2]), 0);
  assert.equal(entries, expected);
  assert.ok(entries >= 600, `only ${entries} entries`);
});

test('rebar.lock: every entry and hash matches Erlang file:consult', (t) => {
  if (!needTools(t, 'erl')) return;
  const files = positive('rebar3');
  const ref = erlangReadRebarLocks(files.map((l) => l.file));
  let entries = 0;
  let hashes = 0;
  for (const l of files) {
    const r = ref.get(l.file);
    assert.ok(r && r.header[0] === 'F', `no Erlang reading of ${l.rel}`);
    const { packages } = readLockfile(l.file, 'rebar3');
    assert.equal(packages.length, Number(r.header[2]), `${l.rel}: entry count`);
    const ours = byApp(packages);
    for (const c of r.lines) {
      if (c[0] === 'E') {
        const [, app, kind, a, b, level, subdir] = c as [string, string, string, string, string, string, string?];
        const p = ours.get(app);
        assert.ok(p, `${l.rel}: ${app} missing`);
        assert.equal(p.direct, level === '0', `${l.rel}: ${app} direct`);
        if (kind === 'pkg') {
          assert.deepEqual([p.source, (p as HexPackage).name, (p as HexPackage).version], ['hex', a, b], `${l.rel}: ${app}`);
        } else {
          const g = p as GitPackage;
          assert.deepEqual([g.source, g.url, g.rev, g.subdir ?? '-'], ['git', a, b, subdir], `${l.rel}: ${app}`);
        }
        entries++;
      } else if (c[0] === 'H') {
        const [, key, app, hash] = c as [string, string, string, string];
        const p = ours.get(app) as HexPackage;
        assert.equal(key === 'pkg_hash' ? p.innerChecksum : p.outerChecksum, hash.toLowerCase(), `${l.rel}: ${app} ${key}`);
        hashes++;
      }
    }
    // Hashes the lock does not list stay null.
    const listed = new Set(r.lines.filter((c) => c[0] === 'H').map((c) => `${c[1]}:${c[2]}`));
    for (const p of packages) {
      if (p.source !== 'hex') continue;
      if (!listed.has(`pkg_hash:${p.app}`)) assert.equal(p.innerChecksum, null);
      if (!listed.has(`pkg_hash_ext:${p.app}`)) assert.equal(p.outerChecksum, null);
    }
  }
  t.diagnostic(`${files.length} rebar.lock files, ${entries} entries and ${hashes} hashes matched Erlang's reading`);
  assert.equal(entries, files.reduce((n, l) => n + Number(ref.get(l.file)!.header[2]), 0));
  assert.ok(entries >= 80 && hashes >= 80, `${entries} entries, ${hashes} hashes`);
});

test('manifest.toml: every package matches Python tomllib', (t) => {
  if (!needTools(t, 'python3')) return;
  const files = positive('gleam');
  const ref = pythonReadManifests(files.map((l) => l.file));
  let entries = 0;
  for (const l of files) {
    const r = ref.get(l.file);
    assert.ok(r && r.header[0] === 'F', `no Python reading of ${l.rel}`);
    const { packages } = readLockfile(l.file, 'gleam');
    assert.equal(packages.length, Number(r.header[2]), `${l.rel}: entry count`);
    const ours = byApp(packages);
    const appOf = new Map(r.lines.filter((c) => c[0] === 'E').map((c) => [c[1]!, c[4] === '-' ? c[1]! : c[4]!]));
    const direct = new Set(r.lines.filter((c) => c[0] === 'R').map((c) => appOf.get(c[1]!)));
    for (const c of r.lines) {
      if (c[0] !== 'E') continue;
      const [, name, version, source, , outer, repo, commit, path, tools, reqs] = c as string[];
      const app = appOf.get(name!)!;
      const p = ours.get(app);
      assert.ok(p, `${l.rel}: ${app} missing`);
      const where = `${l.rel}: ${app}`;
      assert.equal(p.direct, direct.has(app), `${where}: direct`);
      assert.deepEqual(p.dependencies, [...new Set(list(reqs).map((n) => appOf.get(n)!))].sort(), `${where}: deps`);
      if (source === 'hex') {
        const h = p as HexPackage;
        assert.deepEqual([h.name, h.version, h.outerChecksum, h.buildTools], [name, version, outer!.toLowerCase(), list(tools)], where);
      } else if (source === 'git') {
        const g = p as GitPackage;
        assert.deepEqual([g.source, g.url, g.rev, g.subdir ?? '-'], ['git', repo, commit, path], where);
      } else {
        const q = p as PathPackage;
        assert.deepEqual([q.source, q.path, q.version], ['path', path, version], where);
      }
      entries++;
    }
  }
  t.diagnostic(`${files.length} manifest.toml files, ${entries} packages matched tomllib's reading`);
  assert.equal(entries, files.reduce((n, l) => n + Number(ref.get(l.file)!.header[2]), 0));
  assert.ok(entries >= 40, `${entries} packages`);
});
