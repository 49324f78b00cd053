/**
 * Every `$ beambake ...` example in README.md and docs/**.md is run, and its
 * output (stdout and stderr, in the order written) must be what the docs
 * show. Only the sandbox path is normalised away. One test per example, named
 * FILE:LINE and the command, so a drifted example is easy to find; the
 * failure shows a diff of shown vs actual output.
 *
 * The examples run in one sandbox directory per file, in document order
 * (later examples may use files earlier ones wrote), holding: examples/ (a
 * copy of the repository's), myapp/ (a Mix project locking the real gpio
 * 0.6.0 Hex package), downloads/ (its tarball from the corpus), tampered/
 * (the same tarball with one byte changed) and the corpus SBOMs the README
 * names, the livebook project (nerves_livebook/) and the OSV records (osv/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { corpusDir, repoRoot, schemasDir } from '../helpers/paths.js';
import { docExamples, matchesWithEllipsis, shellWords, type DocExample } from '../helpers/doc-examples.js';
import { writeMixProject } from '../verify/fixture.js';
import { unifiedDiff } from '../../src/bitbake/diff.js';

const gpioTar = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
const gpioOuter = (JSON.parse(readFileSync(join(corpusDir, 'hex', 'swh-gpio', 'api_packages_gpio_releases_0.6.0.json'), 'utf8')) as { checksum: string }).checksum;
const gpioInner = readFileSync(gpioTar).subarray(1024 + 512, 1024 + 512 + 64).toString().toLowerCase();
const CORPUS_FILES: Record<string, string> = {
  'example.rootfs.spdx.tar.zst': 'spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst',
  'bom.cdx-1.4.json': 'cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json',
};

function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-docs-'));
  cpSync(join(repoRoot, 'examples'), join(dir, 'examples'), { recursive: true });
  writeMixProject(join(dir, 'myapp'), [{ name: 'gpio', version: '0.6.0', outer: gpioOuter, inner: gpioInner, buildTools: ['rebar3'] }]);
  writeFileSync(join(dir, 'myapp', 'mix.exs'), 'defmodule MyApp.MixProject do\n  use Mix.Project\n  def project, do: [app: :myapp, version: "1.0.0", deps: [{:gpio, "~> 0.6"}]]\nend\n');
  cpSync(join(repoRoot, 'examples', 'hello_beam', 'LICENSE'), join(dir, 'myapp', 'LICENSE'));
  mkdirSync(join(dir, 'downloads'));
  cpSync(gpioTar, join(dir, 'downloads', 'hex-gpio-0.6.0.tar'));
  mkdirSync(join(dir, 'tampered'));
  const bytes = readFileSync(gpioTar);
  bytes[bytes.length - 700] ^= 0x01;
  writeFileSync(join(dir, 'tampered', 'hex-gpio-0.6.0.tar'), bytes);
  for (const [name, rel] of Object.entries(CORPUS_FILES)) symlinkSync(join(corpusDir, rel), join(dir, name));
  // `beambake vuln` examples: the real livebook lock and the real OSV records
  symlinkSync(join(corpusDir, 'mix', 'nerves_livebook'), join(dir, 'nerves_livebook'));
  symlinkSync(join(schemasDir, 'osv'), join(dir, 'osv'));
  // the CycloneDX VEX written for the beaglebone BOM (BOM-Links into it)
  symlinkSync(join(repoRoot, 'test', 'fixtures', 'sbom-merge', 'vex-beaglebone.cdx-1.4.json'), join(dir, 'vex.cdx-1.4.json'));
  return dir;
}

/** stdout and stderr of the real CLI through one file, so their order is kept. */
function run(example: DocExample, cwd: string): string {
  const words = shellWords(example.command);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_]+=/.test(words[0])) {
    const [k, ...v] = words.shift()!.split('=');
    env[k!] = v.join('=');
  }
  assert.equal(words.shift(), 'beambake', `${example.file}:${example.line}: only beambake commands can be run: ${example.command}`);
  const outFile = join(cwd, '.output');
  const fd = openSync(outFile, 'w');
  try {
    spawnSync(process.execPath, [join(repoRoot, 'dist', 'bin', 'beambake.cjs'), ...words], {
      cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '', ...env },
    });
  } finally {
    closeSync(fd);
  }
  const text = readFileSync(outFile, 'utf8');
  rmSync(outFile);
  return text.split(`${cwd}/`).join('').split(cwd).join('.');
}

function markdownFiles(): string[] {
  const out = [join(repoRoot, 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(join(repoRoot, 'docs'));
  return out;
}

for (const file of markdownFiles()) {
  const label = relative(repoRoot, file);
  const examples = docExamples(file, label);
  if (examples.length === 0) continue;
  let dir: string | undefined;
  test(`${label}: examples`, async (t) => {
    dir = sandbox();
    try {
      for (const ex of examples) {
        await t.test(`${ex.file}:${ex.line}: $ ${ex.command.length > 90 ? ex.command.slice(0, 87) + '...' : ex.command}`, () => {
          const actual = run(ex, dir!).replace(/\n$/, '').split('\n');
          const expected = [...ex.expected];
          while (expected.length > 0 && expected.at(-1) === '') expected.pop();
          const got = actual.length === 1 && actual[0] === '' ? [] : actual;
          if (!matchesWithEllipsis(expected, got)) {
            assert.fail(`${ex.file}:${ex.line}: the output of \`${ex.command}\` differs from the docs (- shown, + actual):\n` + unifiedDiff(ex.file, expected.join('\n') + '\n', got.join('\n') + '\n'));
          }
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
