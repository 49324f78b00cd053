import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { corpusDir } from '../helpers/paths.js';
import { writeMixProject } from '../verify/fixture.js';
import { joinInside } from '../../src/validate/lock.js';
import { BeambakeError } from '../../src/util/errors.js';

const fooPath = join(corpusDir, 'hex', 'mini_repo', 'foo-0.1.0.tar');

/**
 * Issue 13: `recipe` refused the Hex name `a/../../../../escaped_pkg` while
 * `verify` and `vendor` used it as a path (reading a tarball outside --from,
 * writing outside -o). Every command must now refuse it at the same gate.
 */
test('a Hex name with ../ is refused by every command before any file is touched (exit 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-gate-'));
  try {
    // The bait: a real tarball where `../../..` from the cache would find it.
    const deep = join(dir, 'w', 'x', 'y', 'z');
    const cache = join(deep, 'cache');
    mkdirSync(cache, { recursive: true });
    const b = readFileSync(fooPath);
    const outer = createHash('sha256').update(b).digest('hex');
    const inner = b.subarray(1536, 1600).toString().toLowerCase();
    // cache/a/../../../../ and cache/hex-a/../../../../ both resolve to w/x/.
    copyFileSync(fooPath, join(dir, 'w', 'x', 'escaped_pkg-1.0.0.tar'));
    writeMixProject(join(dir, 'app'), [{ app: 'a', name: 'NAME', version: '1.0.0', outer, inner }]);
    const lock = join(dir, 'app', 'mix.lock');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace(':NAME', ':"a/../../../../escaped_pkg"'));
    const mirror = join(deep, 'mirror');
    const runs = {
      deps: ['deps', join(dir, 'app')],
      depsJson: ['deps', join(dir, 'app'), '--json'],
      verify: ['verify', join(dir, 'app'), '--vendor', cache],
      vendor: ['vendor', join(dir, 'app'), '--from', cache, '-o', mirror],
      vendorJson: ['vendor', join(dir, 'app'), '--from', cache, '-o', mirror, '--json'],
      sbom: ['sbom', join(dir, 'app'), '--format', 'cyclonedx-json', '-o', join(deep, 'sbom.json')],
      recipe: ['recipe', join(dir, 'app'), '-o', join(deep, 'layer'), '--source', join(dir, 'app'), '--app-version', '0.1.0'],
    };
    const before = readdirSync(dir, { recursive: true }).sort();
    for (const [name, args] of Object.entries(runs)) {
      const r = runCli(args);
      assert.equal(r.status, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /UNSAFE|name "a\/\.\.\/\.\.\/\.\.\/\.\.\/escaped_pkg" is not a valid Hex\/OTP name/, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, name);
    }
    assert.deepEqual(readdirSync(dir, { recursive: true }).sort(), before, 'nothing written anywhere');
    assert.equal(existsSync(mirror), false);
    assert.deepEqual(readdirSync(deep).sort(), ['cache']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('joinInside refuses paths that leave the directory and keeps those that stay', () => {
  assert.equal(joinInside('/srv/mirror', 'hex-foo-1.0.0.tar'), '/srv/mirror/hex-foo-1.0.0.tar');
  assert.equal(joinInside('m', 'hexpm/packages/foo-1.0.0.tar'), 'm/hexpm/packages/foo-1.0.0.tar');
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'hex-a/../../../../escaped_pkg-1.0.0.tar']) {
    assert.throws(() => joinInside('/srv/mirror', bad), (e: unknown) => e instanceof BeambakeError && e.code === 'UNSAFE_VALUE', bad);
  }
});
