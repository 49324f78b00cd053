import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
