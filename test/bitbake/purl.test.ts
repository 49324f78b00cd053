import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PackageURL } from 'packageurl-js';
import { gitPurl, hexPurl, purlString } from '../../src/bitbake/purl.js';
import { gitUrl } from '../../src/bitbake/validate.js';

const ctx = { entry: 't', field: 'url' };
const REV = '0123456789abcdef0123456789abcdef01234567';

test('purls match packageurl-js for every shape the renderer writes', () => {
  const cases: [string, string | undefined, string, string, Record<string, string> | undefined][] = [
    ['hex', undefined, 'jason', '1.4.1', undefined],
    ['hex', 'acme', 'foo', '1.0.0-rc.1+build.5', undefined],
    ['hex', undefined, 'oban_pro', '1.5.4', { repository_url: 'https://getoban.pro/repo' }],
    ['github', 'tailwindlabs', 'heroicons', REV, undefined],
    ['generic', undefined, 'mono', REV, { vcs_url: `git+ssh://git@gitlab.com:2222/a/b.git@${REV}` }],
    ['generic', undefined, 'x', REV, { vcs_url: `git+https://example.com/a%20b/c~d.git@${REV}` }],
  ];
  for (const [type, ns, name, version, q] of cases) {
    assert.equal(purlString(type, ns, name, version, q), new PackageURL(type, ns, name, version, q, undefined).toString());
  }
});

test('purls match packageurl-js for the shapes the layer SBOM writes too (src/sbom/purls.ts)', () => {
  const cases: [string, string | undefined, string, string | undefined, Record<string, string> | undefined, string | undefined][] = [
    ['otp', undefined, 'crypto', undefined, { repository_url: 'https://github.com/erlang/otp' }, undefined],
    ['otp', undefined, 'hello_beam', '0.1.0', undefined, undefined],
    ['otp', undefined, 'logger', '1.14.0', { repository_url: 'https://github.com/elixir-lang/elixir' }, undefined],
    ['github', 'tsloughter', 'opentelemetry-erlang', REV, undefined, 'apps/opentelemetry_api'],
    ['generic', undefined, 'odd name', REV, { vcs_url: `git+https://h.example/x y.git@${REV}` }, 'a b/c%d'],
    ['hex', undefined, 'oban_pro', '1.5.4', { repository_url: 'https://getoban.pro/repo?x=1&y=2' }, undefined],
  ];
  for (const [type, ns, name, version, q, sub] of cases) {
    assert.equal(purlString(type, ns, name, version, q, sub), new PackageURL(type, ns, name, version, q, sub).toString());
  }
});

test('hex and git purls', () => {
  assert.equal(hexPurl('eini', '1.2.9', 'hexpm'), 'pkg:hex/eini@1.2.9');
  assert.equal(hexPurl('foo', '1.0.0', 'hexpm:acme'), 'pkg:hex/acme/foo@1.0.0');
  assert.equal(gitPurl('hi', gitUrl('https://github.com/TailwindLabs/HeroIcons.git', ctx), REV), `pkg:github/tailwindlabs/heroicons@${REV}`);
  assert.equal(
    gitPurl('cowboy', gitUrl('git://example.org/ninenines/cowboy.git', ctx), REV),
    `pkg:generic/cowboy@${REV}?vcs_url=git%2Bgit%3A%2F%2Fexample.org%2Fninenines%2Fcowboy.git%40${REV}`,
  );
});
