import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from '../../src/bitbake/validate.js';
import { BeambakeError } from '../../src/util/errors.js';

const ctx = { entry: 'foo', field: 'url' };

function rejects(fn: () => unknown, field = 'url', entry = 'foo'): BeambakeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BeambakeError, String(e));
    assert.equal(e.code, 'UNSAFE_VALUE');
    assert.match(e.format(), new RegExp(`${entry}: ${field} `));
    assert.doesNotMatch(e.format(), /\n/, 'one line, even for values with newlines');
    return e;
  }
  assert.fail('accepted');
}

test('hex names follow [a-z][a-z0-9_]*', () => {
  for (const ok of ['jason', 'plug_crypto', 'a1', 'eini_beam']) assert.equal(v.hexName(ok, ctx), ok);
  for (const bad of ['Jason', '1abc', '_x', 'a-b', 'a b', '${@os.system("id")}', 'a"b', 'a\nb', '', 'a.b']) {
    rejects(() => v.hexName(bad, { entry: 'foo', field: 'name' }), 'name');
  }
});

test('versions must be SemVer', () => {
  for (const ok of ['1.4.1', '0.0.0', '1.0.0-rc.0', '1.5.0-rc.2', '2.0.0+build.7', '1.9.0-dev']) assert.equal(v.version(ok, ctx), ok);
  for (const bad of ['1.0', '01.0.0', '1.0.0;sha256sum=x', '1.0.0 ', '1.0.0\n', '${PV}', 'v1.0.0', '1.0.0-']) {
    rejects(() => v.version(bad, { entry: 'foo', field: 'version' }), 'version');
  }
});

test('checksums and revisions are full lowercase hex', () => {
  assert.equal(v.sha256('ab'.repeat(32), ctx), 'ab'.repeat(32));
  rejects(() => v.sha256('AB'.repeat(32), { entry: 'foo', field: 'outer checksum' }), 'outer checksum');
  rejects(() => v.sha256('ab'.repeat(31), { entry: 'foo', field: 'outer checksum' }), 'outer checksum');
  assert.equal(v.gitRev('0123456789abcdef0123456789abcdef01234567', ctx), '0123456789abcdef0123456789abcdef01234567');
  rejects(() => v.gitRev('0123456', { entry: 'foo', field: 'rev' }), 'rev');
  rejects(() => v.gitRev('master', { entry: 'foo', field: 'rev' }), 'rev');
});

test('git URLs: allowed schemes and scp syntax parse into parts', () => {
  assert.deepEqual(v.gitUrl('https://github.com/elixir-lang/elixir.git', ctx), {
    protocol: 'https',
    host: 'github.com',
    path: '/elixir-lang/elixir.git',
  });
  assert.deepEqual(v.gitUrl('git://github.com/bors-ng/x.git', ctx), { protocol: 'git', host: 'github.com', path: '/bors-ng/x.git' });
  assert.deepEqual(v.gitUrl('git@github.com:org/repo.git', ctx), { protocol: 'ssh', user: 'git', host: 'github.com', path: '/org/repo.git' });
  assert.deepEqual(v.gitUrl('ssh://git@example.com:2222/a/b', ctx), { protocol: 'ssh', user: 'git', host: 'example.com', port: '2222', path: '/a/b' });
  assert.deepEqual(v.gitUrl('http://example.com/a/b', ctx), { protocol: 'http', host: 'example.com', path: '/a/b' });
});

test('git URLs: smuggled parameters, expansions, quotes, whitespace and other schemes are refused', () => {
  for (const bad of [
    'https://github.com/a/b.git;sha256sum=0000',
    'https://github.com/a/b.git;branch=main',
    'https://github.com/${@os.system("id")}/b',
    'https://github.com/a/b"c',
    "https://github.com/a/b'c",
    'https://github.com/a/b c',
    'https://github.com/a/b\nSRCREV = "x"',
    'https://github.com/a/b\\c',
    'file:///etc/passwd',
    'ftp://example.com/a',
    'https://user:secret@example.com/a',
    'https://github.com/../../etc',
    'https://github.com/a/b?x=1',
    'https://github.com/a/b#frag',
    'https://-bad-.com/a',
    '',
    'not a url',
  ]) {
    rejects(() => v.gitUrl(bad, ctx));
  }
});

test('git ref names follow git check-ref-format and exclude BitBake syntax', () => {
  for (const ok of ['main', 'v1.2.3', 'release/1.x', 'feature-x_y', 'v2.0.0-rc.1']) assert.equal(v.gitRefName(ok, ctx), ok);
  for (const bad of ['', '/main', 'main/', 'a..b', 'a//b', 'a.lock', '.hidden', 'x/.y', 'a.', '@', 'a@{1}', 'a b', 'a~1', 'a^', 'a:b', 'a;b', '$x', 'a"b', '-x', 'a,b']) {
    rejects(() => v.gitRefName(bad, { entry: 'foo', field: 'branch' }), 'branch');
  }
});

test('relative paths: no absolute paths, no dot components, no record separators', () => {
  for (const ok of ['apps/foo', 'assets', 'priv/static/x.js']) assert.equal(v.relativePath(ok, ctx), ok);
  for (const bad of ['../x', 'a/../b', '/abs', 'a/./b', '.', 'a//b', 'a b', 'a,b', 'a=b', 'a;b', '', 'a/']) {
    rejects(() => v.relativePath(bad, { entry: 'foo', field: 'subdir' }), 'subdir');
  }
});

test('repository names', () => {
  for (const ok of ['hexpm', 'hexpm:acme', '0ban', 'my_repo']) assert.equal(v.repositoryName(ok, ctx), ok);
  for (const bad of ['hexpm:', 'hexpm:ACME', 'a b', 'x;y', '${X}', 'hexpm:a:b', 'Repo']) {
    rejects(() => v.repositoryName(bad, { entry: 'foo', field: 'repository' }), 'repository');
  }
});

test('hostile entry names are printed escaped in the error', () => {
  const e = assert.throws(() => v.hexName('X', { entry: 'a\n"b', field: 'name' }), (err: unknown) => {
    assert.ok(err instanceof BeambakeError);
    assert.equal(err.format(), '"a\\n\\"b": name "X" is not a valid Hex/OTP name ([a-z][a-z0-9_]*)');
    return true;
  });
  void e;
});

test('bbQuote refuses anything that is BitBake syntax, even if a caller forgot to validate', () => {
  assert.equal(v.bbQuote('plain value'), '"plain value"');
  for (const bad of ['a"b', 'a\\b', 'a\nb', '${X}', '$', 'é']) assert.throws(() => v.bbQuote(bad), /refusing/);
});

test('comments never end in a backslash and never span lines', () => {
  assert.equal(v.bbComment('trailing \\'), '# trailing ');
  assert.equal(v.bbComment('two\nlines'), '# two?lines');
});

test('SPDX expressions become BitBake LICENSE values', async () => {
  const { spdxToBitbake, guessSpdx } = await import('../../src/bitbake/license.js');
  assert.equal(spdxToBitbake('MIT'), 'MIT');
  assert.equal(spdxToBitbake('GPL-2.0+'), 'GPL-2.0+');
  assert.equal(spdxToBitbake('MIT OR Apache-2.0'), 'MIT | Apache-2.0');
  assert.equal(spdxToBitbake('(MIT OR Apache-2.0) AND BSD-3-Clause'), '(MIT | Apache-2.0) & BSD-3-Clause');
  assert.throws(() => spdxToBitbake('MIT" X'), /not an SPDX licence expression/);
  assert.throws(() => spdxToBitbake('GPL-2.0 WITH Classpath-exception-2.0'), /no BitBake form/);
  assert.equal(guessSpdx('                                 Apache License\n                           Version 2.0, January 2004\n'), 'Apache-2.0');
  assert.equal(guessSpdx('Permission is hereby granted, free of charge, to any person obtaining a copy'), 'MIT');
  assert.equal(guessSpdx('All rights reserved.'), undefined);
});
