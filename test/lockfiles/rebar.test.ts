import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseRebarLock, readLockfile } from '../../src/lockfiles/index.js';
import type { GitPackage, HexPackage, Package } from '../../src/model.js';
import { BeambakeError } from '../../src/util/errors.js';
import { corpusDir } from '../helpers/paths.js';
import { assertInputError } from './helpers.js';

const get = (ps: Package[], app: string) => ps.find((p) => p.app === app)!;
const H1 = 'AB'.repeat(32);
const H2 = 'cd'.repeat(32);

const invalid = (text: string, pattern: RegExp, where: string) =>
  assertInputError(() => parseRebarLock(text, 'rebar.lock'), 'LOCK_INVALID', pattern, `rebar.lock:${where}`);

test('1.2.0: pkg_hash is the inner checksum, pkg_hash_ext the outer, both lowercased', () => {
  const text = `{"1.2.0",
[{<<"chatterbox">>,{pkg,<<"ts_chatterbox">>,<<"0.13.0">>},2},
 {<<"otel">>,{git_subdir,"http://github.com/o/e",{ref,"1fc3bc54d9954048014df7fd6227c6b783fd7047"},"apps/otel"},0}]}.
[
{pkg_hash,[{<<"chatterbox">>, <<"${H1}">>}]},
{pkg_hash_ext,[{<<"chatterbox">>, <<"${H2.toUpperCase()}">>}]}
].`;
  const { packages } = parseRebarLock(text, 'rebar.lock');
  const c = get(packages, 'chatterbox') as HexPackage;
  assert.deepEqual(
    [c.name, c.version, c.innerChecksum, c.outerChecksum, c.direct, c.repository],
    ['ts_chatterbox', '0.13.0', H1.toLowerCase(), H2, false, 'hexpm'],
  );
  const o = get(packages, 'otel') as GitPackage;
  assert.deepEqual([o.source, o.url, o.rev, o.subdir, o.direct], ['git', 'http://github.com/o/e', '1fc3bc54d9954048014df7fd6227c6b783fd7047', 'apps/otel', true]);
  assert.deepEqual(c.location, { file: 'rebar.lock', line: 2, column: 3 });
});

test('1.1.0 has only pkg_hash: outer checksum stays null', () => {
  const ps = readLockfile(join(corpusDir, 'rebar/rebar3-testdata/grisp_explode.rebar.lock'), 'rebar3').packages;
  const grisp = get(ps, 'grisp') as HexPackage;
  assert.equal(grisp.innerChecksum, '5a1318e7b1582d7c5b1e446d149a6f93428a380bcfe7d740e57e4f6b6cdb19dd');
  assert.equal(grisp.outerChecksum, null);
  assert.deepEqual(ps.map((p) => [p.app, p.direct]), [['grisp', true], ['mapz', false]]);
});

test('bare-list (pre-3.5) locks, with and without pkg entries, and the empty [].', () => {
  const git = readLockfile(join(corpusDir, 'rebar/emqx-2017-03-nover/rebar.lock'), 'rebar3').packages;
  assert.equal(git.length, 9);
  assert.equal((get(git, 'syslog') as GitPackage).url, 'git://github.com/Vagabond/erlang-syslog');
  const pkg = readLockfile(join(corpusDir, 'rebar/rebar3-2015-10-nover-pkg/rebar.lock'), 'rebar3').packages;
  assert.equal(pkg.length, 8);
  assert.ok(pkg.every((p) => p.source === 'hex' && p.innerChecksum === null && p.outerChecksum === null));
  assert.deepEqual(readLockfile(join(corpusDir, 'rebar/rebar3/rebar.lock'), 'rebar3').packages, []);
  assert.deepEqual(parseRebarLock('', 'rebar.lock').packages, []);
});

test('an unknown newer lock version is read with a warning', () => {
  const r = parseRebarLock('{"1.3.0", [{<<"a">>,{pkg,<<"a">>,<<"1.0.0">>},0}]}.\n[].', 'rebar.lock');
  assert.equal(r.packages.length, 1);
  assert.match(r.warnings[0]!, /^rebar\.lock:1:2: lock format version 1\.3\.0 is newer/);
});

test('structural errors name the file, line:column and the entry', () => {
  invalid('[{<<"a">>,{hg,"u",{ref,"x"}},0}].', /unknown lock source hg/, '1:12: a:');
  invalid('[{<<"a">>,{pkg,<<"a">>},0}].', /\{pkg, Name, Vsn\}/, '1:11: a:');
  invalid('[{<<"a">>,{git,"u",{branch,"main"}},0}].', /pins \{ref, Sha\}/, '1:20: a:');
  invalid('[{<<"a">>,{pkg,<<"a">>,<<"1">>},-1}].', /non-negative integer/, '1:33: a:');
  invalid('[{<<"a">>,{pkg,<<"a">>,<<"1">>}}].', /\{App, Source, Level\}/, '1:2');
  invalid('{"1.2.0",[{<<"a">>,{pkg,<<"a">>,<<"1">>},0}]}.\n[{pkg_hash,[{<<"a">>,<<"XYZ">>}]}].', /inner checksum \(pkg_hash\) must be 64 hex/, '2:22: a:');
  invalid('{"1.2.0",[{<<"a">>,{pkg,<<"a">>,<<"1">>},0},{<<"a">>,{pkg,<<"a">>,<<"1">>},0}]}.', /duplicate entry for a/, '1:');
  invalid('{ok}.', /starts with \{"1\.2\.0", \[\.\.\.\]\}/, '1:1');
});

test('a syntax error is a TERM_PARSE line, not a crash', () => {
  assert.throws(
    () => parseRebarLock('[{<<"a">>, {pkg, <<"a">>, <<"1">>}, 0}', 'rebar.lock'),
    (e: unknown) => e instanceof BeambakeError && e.code === 'TERM_PARSE' && e.format() === "rebar.lock:1:39: unexpected end of input, expected ']' or ',' in list",
  );
});
