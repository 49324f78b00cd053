import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  assembleHexTarball,
  createHexTarball,
  gzipDeterministic,
  HexTarballError,
  readHexTarball,
  type HexTarballSpec,
} from '../../src/hex/tarball.js';
import { encodeMetadata, encodeTerms } from '../../src/hex/metadata.js';
import { parseErlangTerms } from '../../src/terms/index.js';
import { writeTar, type TarWriteEntry } from '../../src/hex/tar.js';
import { corpusDir } from '../helpers/paths.js';
import { needTools, requireToolchains } from '../helpers/toolchain.js';
import { hasToolIn, hostToolchain, rootToolchainOf, runIn, type Toolchain } from '../helpers/toolchain-roots.js';

const hexCorpus = join(corpusDir, 'hex');
const corpusTarballs = readdirSync(hexCorpus, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.tar'))
  .sort()
  .map((f) => join(hexCorpus, f));

const spec: HexTarballSpec = {
  name: 'beam_thing',
  version: '1.2.3-rc.1',
  app: 'beam_thing_app',
  description: 'Déjà vu: a package whose description is long enough to make io_lib_pretty wrap it\nover lines, with "quotes" and a \\ backslash',
  licenses: ['Apache-2.0', 'MIT'],
  build_tools: ['rebar3'],
  requirements: {
    jason: { requirement: '~> 1.4', optional: true },
    telemetry: { app: 'telemetry', requirement: '~> 0.4 or ~> 1.0', repository: 'hexpm' },
    private_dep: { app: 'priv', requirement: '>= 0.0.0', repository: 'hexpm:acme' },
  },
  links: { GitHub: 'https://github.com/example/beam_thing', Changelog: 'https://example.com/CHANGELOG.md' },
  files: {
    'src/beam_thing.erl': '-module(beam_thing).\n',
    'rebar.config': '{erl_opts, [debug_info]}.\n',
    LICENSE: 'Apache License\nVersion 2.0\n',
    'priv/blob.bin': new Uint8Array([0, 1, 2, 255]),
    'bin/run': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  },
};

test('createHexTarball is deterministic and round-trips through readHexTarball', async () => {
  const a = createHexTarball(spec);
  const b = createHexTarball({ ...spec, files: Object.fromEntries(Object.entries(spec.files).reverse()) });
  assert.ok(a.tarball.equals(b.tarball), 'file order in the spec must not change the bytes');
  assert.equal(a.outerChecksum, createHash('sha256').update(a.tarball).digest('hex'));

  const r = await readHexTarball(a.tarball);
  assert.equal(r.outerChecksum, a.outerChecksum);
  assert.equal(r.innerChecksum, a.innerChecksum);
  assert.equal(r.metadata.name, 'beam_thing');
  assert.equal(r.metadata.version, '1.2.3-rc.1');
  assert.equal(r.metadata.app, 'beam_thing_app');
  assert.equal(r.metadata.description, spec.description);
  assert.deepEqual(r.metadata.licenses, ['Apache-2.0', 'MIT']);
  assert.deepEqual(r.metadata.buildTools, ['rebar3']);
  assert.deepEqual(r.metadata.links, { Changelog: 'https://example.com/CHANGELOG.md', GitHub: 'https://github.com/example/beam_thing' });
  assert.deepEqual(r.metadata.requirements, [
    { name: 'jason', app: 'jason', requirement: '~> 1.4', optional: true, repository: 'hexpm' },
    { name: 'private_dep', app: 'priv', requirement: '>= 0.0.0', optional: false, repository: 'hexpm:acme' },
    { name: 'telemetry', app: 'telemetry', requirement: '~> 0.4 or ~> 1.0', optional: false, repository: 'hexpm' },
  ]);
  assert.deepEqual(
    r.files.map((f) => [f.path, f.size, f.mode.toString(8)]),
    [
      ['LICENSE', 27, '644'],
      ['bin/run', 18, '755'],
      ['priv/blob.bin', 4, '644'],
      ['rebar.config', 26, '644'],
      ['src/beam_thing.erl', 21, '644'],
    ],
  );
  assert.deepEqual(r.metadata.files, ['LICENSE', 'bin/run', 'priv/blob.bin', 'rebar.config', 'src/beam_thing.erl']);
  assert.equal(r.licenseFiles.length, 1);
  assert.equal(r.licenseFiles[0]!.md5, createHash('md5').update('Apache License\nVersion 2.0\n').digest('hex'));
  const kept = await readHexTarball(a.tarball, { keep: (p) => p === 'priv/blob.bin' });
  assert.deepEqual([...kept.contents.get('priv/blob.bin')!], [0, 1, 2, 255]);
});

test('the real corpus tarballs read correctly, and their metadata re-encodes byte for byte', async () => {
  assert.ok(corpusTarballs.length >= 5, 'corpus tarballs present');
  let modern = 0;
  for (const path of corpusTarballs) {
    const r = await readHexTarball(path);
    const base = path.split('/').pop()!;
    assert.equal(`${r.metadata.name}-${r.metadata.version}.tar`, base);
    const inner = readFileSync(path);
    assert.equal(r.outerChecksum, createHash('sha256').update(inner).digest('hex'));
    // The printer reproduces what hex_core wrote, term for term.
    const terms = parseErlangTerms(r.metadataConfig, base);
    assert.equal(encodeTerms(terms), r.metadataConfig, `${base}: pretty printing differs from the published file`);
    const md = r.metadata;
    if (!r.metadataConfig.includes('[[{<<"app">>')) {
      // Typed encoding matches too, except for the legacy requirements form we never write.
      const again = encodeMetadata(
        { ...md, build_tools: md.buildTools, requirements: Object.fromEntries(md.requirements.map((q) => [q.name, q])) },
        md.files,
      );
      assert.equal(again, r.metadataConfig, `${base}: metadata encoding differs from the published one`);
      modern++;
    }
  }
  assert.ok(modern >= 4);
  const bar = await readHexTarball(join(hexCorpus, 'mini_repo', 'bar-0.1.0.tar'));
  assert.deepEqual(bar.metadata.requirements, [{ name: 'foo', app: 'foo', requirement: '~> 0.1', optional: false, repository: 'mini_hex' }]);
  // hex.pm's API states the outer checksum of gpio 0.6.0 independently of the tarball.
  const api = JSON.parse(readFileSync(join(hexCorpus, 'swh-gpio', 'api_packages_gpio_releases_0.6.0.json'), 'utf8')) as { checksum: string };
  const gpio = await readHexTarball(join(hexCorpus, 'swh-gpio', 'gpio-0.6.0.tar'));
  assert.equal(gpio.outerChecksum, api.checksum);
  assert.equal(gpio.innerChecksum, 'bf0babf21abeb536262f787aac2c6850f42014c4c87b1d126e077d9e1dcffd68');
  assert.deepEqual(gpio.licenseFiles.map((l) => l.path), ['LICENSE']);
  assert.deepEqual(gpio.metadata.licenses, ['Apache 2.0']);
});

const manyFiles = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`lib/module_number_${i}.ex`, `# ${i}\n`]));
const erlangSpecs: HexTarballSpec[] = [
  spec,
  { name: 'unicode_pkg', version: '0.0.1', description: '日本語の説明 ✓ beyond latin1 so io_lib_pretty prints bytes', licenses: [], files: { 'a.txt': 'a' } },
  { name: 'ctrl', version: '2.0.0', description: 'control \u0001 character makes a byte list', licenses: ['MIT'], files: manyFiles },
  {
    name: 'deep',
    version: '10.20.30',
    description: '',
    links: { Docs: 'https://example.com/' + 'x'.repeat(90) },
    requirements: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`dep_${i}`, { requirement: `~> ${i}.0` }])),
    files: { 'README.md': '# deep\n' },
  },
];

test('Erlang reads our tarballs: erl_tar lists them, file:consult parses metadata, io_lib_pretty agrees byte for byte', (t) => {
  if (!needTools(t, 'erl')) return;
  const dir = mkdtempSync(join(tmpdir(), 'beambake-hex-'));
  try {
    const made = erlangSpecs.map((s, i) => {
      const m = createHexTarball(s);
      writeFileSync(join(dir, `pkg${i}.tar`), m.tarball);
      return m;
    });
    const script = `
      Check = fun(Path) ->
        {ok, Files} = erl_tar:extract(Path, [memory]),
        ["VERSION","CHECKSUM","metadata.config","contents.tar.gz"] = [N || {N, _} <- Files],
        {_, Meta} = lists:keyfind("metadata.config", 1, Files),
        ok = file:write_file("${dir}/m.config", Meta),
        {ok, Terms} = file:consult("${dir}/m.config"),
        Again = iolist_to_binary([unicode:characters_to_binary([io_lib_pretty:print(T, [{encoding, utf8}]), ".\\n"]) || T <- Terms]),
        {_, V} = lists:keyfind("VERSION", 1, Files),
        {_, C} = lists:keyfind("CHECKSUM", 1, Files),
        {_, Gz} = lists:keyfind("contents.tar.gz", 1, Files),
        Sum = binary:encode_hex(crypto:hash(sha256, <<V/binary, Meta/binary, Gz/binary>>)),
        {ok, Inner} = erl_tar:extract({binary, Gz}, [memory, compressed]),
        {_, Name} = lists:keyfind(<<"name">>, 1, Terms),
        io:format("~s ~s ~s ~p ~B~n", [Name, Sum, C, Again =:= Meta, length(Inner)])
      end,
      [Check("${dir}/pkg" ++ integer_to_list(I) ++ ".tar") || I <- lists:seq(0, ${erlangSpecs.length - 1})],
      halt().`;
    const r = spawnSync('erl', ['-noshell', '-eval', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, erlangSpecs.length);
    lines.forEach((line, i) => {
      const [name, sum, checksum, same, count] = line.split(' ');
      assert.equal(name, erlangSpecs[i]!.name);
      assert.equal(sum, checksum);
      assert.equal(checksum, made[i]!.innerChecksum.toUpperCase());
      assert.equal(same, 'true', `${name}: io_lib_pretty output must equal our metadata.config`);
      assert.equal(Number(count), Object.keys(erlangSpecs[i]!.files).length);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function failsWith(data: Buffer, check: string, pattern: RegExp, opts = {}): Promise<void> {
  await assert.rejects(readHexTarball(data, opts), (e: unknown) => {
    assert.ok(e instanceof HexTarballError, `expected HexTarballError, got ${String(e)}`);
    assert.equal(e.check, check, e.message);
    assert.match(e.format(), pattern);
    return true;
  });
}

test('single-byte changes to real corpus tarballs are rejected with the failed check named', async () => {
  for (const path of corpusTarballs) {
    const original = readFileSync(path);
    // Offsets: inside each outer tar header, and inside each member's data.
    const cases: [number, string, RegExp][] = [
      [0, 'structure', /not a valid tar archive|unexpected file/],
      [124 + 10, 'structure', /not a valid tar archive/],
      [512, 'structure', /VERSION/],
      [1024 + 512 + 5, 'inner-checksum', /CHECKSUM/],
      [2048 + 512 + 3, 'inner-checksum', /inner checksum mismatch/],
      [3072 + 512 + 20, 'inner-checksum', /inner checksum mismatch/],
    ];
    for (const [offset, check, pattern] of cases) {
      const bad = Buffer.from(original);
      bad[offset] = bad[offset]! ^ 0x01;
      await failsWith(bad, check, pattern);
    }
  }
});

/** A package whose contents.tar.gz holds the given raw entries (checksums consistent). */
function withContents(entries: TarWriteEntry[], metadataName = 'evil'): Buffer {
  const md = encodeMetadata({ name: metadataName, version: '0.1.0' }, []);
  return assembleHexTarball(md, gzipDeterministic(writeTar(entries))).tarball;
}

test('unsafe contents.tar.gz entries are rejected', async () => {
  const file = (path: string, content = 'x'): TarWriteEntry => ({ path, content: Buffer.from(content) });
  await failsWith(withContents([file('/etc/passwd')]), 'contents', /contents\.tar\.gz:\/etc\/passwd: absolute path/);
  await failsWith(withContents([file('lib/../../escape')]), 'contents', /"\.\." component/);
  await failsWith(withContents([{ path: 'link', type: 'symlink', linkname: '../../etc' }]), 'contents', /symbolic link points outside/);
  await failsWith(withContents([{ path: 'link', type: 'symlink', linkname: '/etc/passwd' }]), 'contents', /symbolic link points outside/);
  await failsWith(withContents([{ path: 'lib', type: 'symlink', linkname: 'src' }, file('lib/x')]), 'contents', /through the symbolic link lib/);
  await failsWith(withContents([{ path: 'hl', type: 'hardlink', linkname: '/etc/shadow' }]), 'contents', /hard link/);
  await failsWith(withContents([{ path: 'dev', type: 'chardev' }]), 'contents', /device node/);
  await failsWith(withContents([{ path: 'dev', type: 'blockdev' }]), 'contents', /device node/);
  await failsWith(withContents([{ path: 'pipe', type: 'fifo' }]), 'contents', /FIFO/);
  await failsWith(withContents([file('a'), file('a', 'evil twin')]), 'contents', /contents\.tar\.gz:a: duplicate entry/);
  await failsWith(withContents([file('./a'), file('a')]), 'contents', /duplicate entry/);
  await failsWith(withContents([file('d/a'), file('d')]), 'contents', /replaces a directory/);
  await failsWith(withContents([{ path: 'suid', content: Buffer.from('x'), mode: 0o4755 }]), 'contents', /setuid/);
  // A decompression bomb: 4 MiB of zeros against a 1 MiB limit.
  await failsWith(withContents([file('zeros', '\0'.repeat(4 << 20))]), 'contents', /exceed the limit/, { maxUncompressed: 1 << 20 });
  // Links that stay inside the package are fine.
  const ok = await readHexTarball(withContents([file('src/a'), { path: 'src/b', type: 'symlink', linkname: '../src/a' }, { path: 'c', type: 'hardlink', linkname: 'src/a' }]));
  assert.deepEqual(
    ok.files.map((f) => [f.path, f.type, f.linkname]),
    [
      ['c', 'hardlink', 'src/a'],
      ['src/a', 'file', undefined],
      ['src/b', 'symlink', '../src/a'],
    ],
  );
});

test('structural problems: wrong VERSION, extra or missing members, bad metadata, oversize', async () => {
  const md = encodeMetadata({ name: 'x', version: '1.0.0' }, []);
  const gz = gzipDeterministic(writeTar([]));
  await failsWith(assembleHexTarball(md, gz, { version: '2' }).tarball, 'structure', /unsupported tarball VERSION "2"/);
  await failsWith(assembleHexTarball(md, gz, { checksum: 'zz' }).tarball, 'inner-checksum', /not 64 hex digits/);
  await failsWith(assembleHexTarball('{<<"name">>, <<"x">>.\n', gz).tarball, 'metadata', /metadata\.config/);
  await failsWith(assembleHexTarball('{<<"name">>,<<"x">>}.\n', gz).tarball, 'metadata', /no "version"/);
  await failsWith(assembleHexTarball(md, Buffer.from('not gzip')).tarball, 'contents', /not valid gzip/);
  const extra = writeTar([
    { path: 'VERSION', content: Buffer.from('3') },
    { path: 'evil.sh', content: Buffer.from('x') },
  ]);
  await failsWith(extra, 'structure', /evil\.sh: unexpected file/);
  await failsWith(writeTar([{ path: 'VERSION', content: Buffer.from('3') }]), 'structure', /lacks CHECKSUM, metadata\.config, contents\.tar\.gz/);
  const good = createHexTarball({ name: 'x', version: '1.0.0', files: { a: 'a' } }).tarball;
  await failsWith(good, 'structure', /larger than the limit/, { maxTarballSize: 1024 });
  await failsWith(good.subarray(0, good.length - 1536), 'structure', /truncated|runs past/);
});

test('metadata strings outside latin1 (printed by hex_core as byte lists) read back as the original text', async () => {
  for (const s of erlangSpecs) {
    const r = await readHexTarball(createHexTarball(s).tarball);
    assert.equal(r.metadata.description, s.description);
  }
});

/**
 * Issue 13: `d/l1 -> ..` plus `l2 -> d/l1/..` passed (each link alone stays
 * inside) yet `l2` points at the package's parent once extracted. Python's
 * tarfile `data` filter is the reference: whatever it refuses, we refuse.
 */
test('symbolic link chains that leave the package once followed are rejected, as Python tarfile data filter does', async (t) => {
  const sym = (path: string, linkname: string): TarWriteEntry => ({ path, type: 'symlink', linkname });
  const dir = (path: string): TarWriteEntry => ({ path, type: 'directory' });
  const file = (path: string): TarWriteEntry => ({ path, content: Buffer.from('x') });
  const escaping: [string, TarWriteEntry[]][] = [
    ['d/l1 -> .., l2 -> d/l1/..', [dir('d'), sym('d/l1', '..'), sym('l2', 'd/l1/..')]],
    ['link order reversed', [sym('l2', 'd/l1/..'), dir('d'), sym('d/l1', '..')]],
    ['two hops', [dir('a'), dir('a/b'), sym('a/b/up', '../..'), sym('x', 'a/b/up/..'), sym('y', 'x')]],
    ['through a sibling link', [dir('d'), sym('d/here', '.'), sym('d/top', '..'), sym('e', 'd/here/top/../x')]],
  ];
  const staying: [string, TarWriteEntry[]][] = [
    ['d/l1 -> .., l2 -> d/l1/src', [dir('d'), dir('src'), file('src/a'), sym('d/l1', '..'), sym('l2', 'd/l1/src/a')]],
    ['relative chain inside', [dir('a'), dir('a/b'), file('a/b/f'), sym('a/b/up', '..'), sym('x', 'a/b/up/b/f')]],
  ];
  const loop: TarWriteEntry[] = [sym('p', 'q'), sym('q', 'p')];
  for (const [, entries] of escaping) await failsWith(withContents(entries), 'contents', /symbolic link points outside the package once the links/);
  await failsWith(withContents(loop), 'contents', /links loop/);
  for (const [what, entries] of staying) await readHexTarball(withContents(entries)).catch((e) => assert.fail(`${what}: ${String(e)}`));

  const python = pythonWithDataFilter();
  if (!python) {
    const reason = "no Python with tarfile's data filter (3.11.4+; Debian bookworm's 3.11.2 lacks it): the host's python3 lacks it and there is no Debian trixie root (scripts/make-toolchain-root trixie)";
    if (requireToolchains) assert.fail(`${reason}, and BEAMBAKE_REQUIRE_TOOLCHAINS=1`);
    t.skip(reason);
    return;
  }
  // The same archives through Python's data filter, extracting into a fresh directory.
  const work = mkdtempSync(join(tmpdir(), 'beambake-pytar-'));
  try {
    // Python before the CVE-2025-4517 fix refuses such a link; since the fix (3.13.4, Debian trixie's
    // 3.13.5) it extracts it with its target normalised (`d/l1/..` becomes `d`). Either way it does not
    // extract the link as written: "rewritten" names each changed target.
    const script =
      'import os, sys, tarfile\n' +
      'try:\n' +
      '    with tarfile.open(sys.argv[1]) as t:\n' +
      '        t.extractall(sys.argv[2], filter="data")\n' +
      '        changed = [f"{m.name}: {m.linkname} -> {os.readlink(os.path.join(sys.argv[2], m.name))}" for m in t.getmembers() if m.issym() and os.readlink(os.path.join(sys.argv[2], m.name)) != m.linkname]\n' +
      '    print("rewritten " + "; ".join(changed) if changed else "extracted")\n' +
      'except tarfile.FilterError as e:\n' +
      '    print("refused", type(e).__name__)\n';
    const verdict = (name: string, entries: TarWriteEntry[]): string => {
      const tarPath = join(work, `${name}.tar`);
      writeFileSync(tarPath, writeTar(entries));
      const dest = join(work, `${name}.out`, 'pkg');
      const r = runIn(python, 'python3', ['-c', script, tarPath, dest]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    for (const [i, [what, entries]] of escaping.entries()) {
      // Python checks each link as it extracts it; in archive order the chain is only visible when the link it goes through already exists.
      if (what === 'link order reversed') continue;
      assert.match(verdict(`esc${i}`, entries), /^(refused|rewritten)/, `python refuses ${what}, or extracts it only with the link changed`);
    }
    for (const [i, [what, entries]] of staying.entries()) assert.equal(verdict(`ok${i}`, entries), 'extracted', `python extracts ${what}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** The host's python3 when it has tarfile's data filter, else the Debian trixie root's (Python 3.13). */
function pythonWithDataFilter(): Toolchain | undefined {
  const hasFilter = (tc: Toolchain): boolean => hasToolIn(tc, 'python3') && runIn(tc, 'python3', ['-c', 'import tarfile; tarfile.data_filter']).status === 0;
  if (hasFilter(hostToolchain)) return hostToolchain;
  const trixie = rootToolchainOf('trixie');
  return trixie && hasFilter(trixie) ? trixie : undefined;
}
