import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/paths.js';
import { writeMixProject } from '../verify/fixture.js';

const gpioPath = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
const fooPath = join(corpusDir, 'hex', 'mini_repo', 'foo-0.1.0.tar');
const facts = (p: string) => {
  const b = readFileSync(p);
  return { outer: createHash('sha256').update(b).digest('hex'), inner: b.subarray(1536, 1600).toString().toLowerCase() };
};

test('beambake vendor writes a verified mirror; a missing package fails with exit 1 and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-cli-vendor-'));
  try {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    copyFileSync(gpioPath, join(cache, 'gpio-0.6.0.tar'));
    copyFileSync(fooPath, join(cache, 'foo-0.1.0.tar'));
    writeMixProject(join(dir, 'app'), [
      { name: 'gpio', version: '0.6.0', ...facts(gpioPath), buildTools: ['rebar3'] },
      { name: 'foo', version: '0.1.0', ...facts(fooPath) },
    ]);
    const mirror = join(dir, 'mirror');
    const ok = runCli(['vendor', join(dir, 'app'), '--from', cache, '-o', mirror]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /2 verified tarball\(s\) written/);
    assert.deepEqual(readdirSync(mirror).sort(), ['SHA256SUMS', 'beambake-mirror.json', 'hex-foo-0.1.0.tar', 'hex-gpio-0.6.0.tar']);

    const json = runCli(['vendor', join(dir, 'app'), '--from', cache, '-o', mirror, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { written: boolean; files: { file: string }[]; artifacts: { result: string }[] };
    assert.equal(doc.written, true);
    assert.deepEqual(doc.files.map((f) => f.file), ['hex-foo-0.1.0.tar', 'hex-gpio-0.6.0.tar']);

    writeMixProject(join(dir, 'app2'), [{ name: 'gpio', version: '0.6.1', outer: 'aa'.repeat(32), inner: 'bb'.repeat(32) }]);
    const out2 = join(dir, 'mirror2');
    const bad = runCli(['vendor', join(dir, 'app2'), '--from', cache, '-o', out2]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /FAIL {2}hex:gpio@0\.6\.1\n {6}failed: present: no tarball for gpio 0\.6\.1/);
    assert.match(bad.stdout, /not written/);
    assert.equal(existsSync(out2), false);

    const usage = runCli(['vendor', join(dir, 'app'), '-o', out2]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /from/);

    // a mistyped --from is named, instead of one "no tarball" failure per package
    const from = runCli(['vendor', join(dir, 'app'), '--from', join(dir, 'no-such-cache'), '-o', out2]);
    assert.equal(from.status, 2, from.stderr);
    assert.match(from.stderr, /^error: --from: --from .*no-such-cache: no such directory\n$/);
    const proc = runCli(['vendor', join(dir, 'app'), '--from', cache, '-o', '/proc/beambake-mirror']);
    assert.equal(proc.status, 4, proc.stderr);
    assert.match(proc.stderr, /^error: \/proc\/beambake-mirror: cannot write: no such file or directory\n$/);
    assert.equal(existsSync(out2), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('beambake vendor -o DIR gives the mirror and its files the modes the umask allows, and keeps a replaced mirror\'s mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-cli-vendor-umask-'));
  const saved = process.umask(0o022);
  try {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    copyFileSync(gpioPath, join(cache, 'gpio-0.6.0.tar'));
    // a package cache file readable by its owner only must not stay so in a shared mirror
    chmodSync(join(cache, 'gpio-0.6.0.tar'), 0o600);
    writeMixProject(join(dir, 'app'), [{ name: 'gpio', version: '0.6.0', ...facts(gpioPath), buildTools: ['rebar3'] }]);
    const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);
    for (const [umask, dirMode, fileMode] of [[0o022, '755', '644'], [0o027, '750', '640']] as const) {
      process.umask(umask); // inherited by the CLI child process
      const mirror = join(dir, `mirror-${umask.toString(8)}`);
      const r = runCli(['vendor', join(dir, 'app'), '--from', cache, '-o', mirror]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(mode(mirror), dirMode, `mirror directory under umask ${umask.toString(8)}`);
      for (const f of readdirSync(mirror)) assert.equal(mode(join(mirror, f)), fileMode, `${f} under umask ${umask.toString(8)}`);
    }
    // updating an existing mirror keeps the mode its owner gave it
    const kept = join(dir, 'mirror-22');
    chmodSync(kept, 0o775);
    process.umask(0o077);
    const again = runCli(['vendor', join(dir, 'app'), '--from', cache, '-o', kept]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(mode(kept), '775');
  } finally {
    process.umask(saved);
    rmSync(dir, { recursive: true, force: true });
  }
});
