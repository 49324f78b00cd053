/**
 * Issue 13: lock and project strings reached the terminal raw (escape
 * sequences, newlines), and integers beyond 2^53 printed as 1e+26 in --json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { safeLine, safeText, table } from '../../src/cli/output.js';

const CHECKSUM = 'b0c823996102bcd0239b3c2444eb00409b72f6a140c1950bc8b457d836b30684';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('deps prints hostile project and lock strings escaped: no escape sequence, no extra line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-tty-'));
  try {
    writeFileSync(
      join(dir, 'mix.exs'),
      'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :"evil\\e]0;owned\\a\\nline2", version: "1.0.0\\e[2J\\u202e", deps: []]\nend\n',
    );
    writeFileSync(join(dir, 'mix.lock'), `%{\n  "jason": {:hex, :jason, "1.4.5", "${CHECKSUM}", [:mix], [{:"x\\e[31m", "~> 1.0", [hex_name: "z"]}], "hexpm", "${CHECKSUM}"},\n}\n`);
    const r = runCli(['deps', dir]);
    // A required app missing from the lock is only a warning: printed escaped.
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, RAW_CONTROL);
    assert.match(r.stderr, /requires x\\(x1b|u001b)\[31m, which is not in the lock/);

    writeFileSync(join(dir, 'mix.lock'), `%{\n  "jason": {:hex, :jason, "1.4.5", "${CHECKSUM}", [:mix], [], "hexpm", "${CHECKSUM}"},\n}\n`);
    const ok = runCli(['deps', dir]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.doesNotMatch(ok.stdout, RAW_CONTROL, 'no raw control character reaches the terminal');
    assert.doesNotMatch(ok.stdout, /\u202e/);
    assert.match(ok.stdout.split('\n')[0]!, /^evil\\x1b\]0;owned\\x07\\x0aline2 1\.0\.0\\x1b\[2J\\u202e \(mix, /);
    const json = JSON.parse(runCli(['deps', dir, '--json']).stdout) as { project: { name: string } };
    assert.equal(json.project.name, 'evil\u001b]0;owned\u0007\nline2', '--json keeps the exact value (JSON escapes it)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('safeLine, safeText and table escape every control character', () => {
  assert.equal(safeLine('a\nb\u001b[31mc\u009b\u2028'), 'a\\x0ab\\x1b[31mc\\x9b\\u2028');
  assert.equal(safeText('a\nb\tc\u0007'), 'a\nb\tc\\x07');
  const t = table(['A', 'B'], [['x\ny', '\u001b[2J']]);
  assert.equal(t.split('\n').length, 4);
  assert.doesNotMatch(t, RAW_CONTROL);
});

test('a git depth of 10**26 is refused with a located error instead of printing 1e+26', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-bigint-'));
  try {
    writeFileSync(join(dir, 'mix.exs'), 'defmodule Demo.MixProject do\n  use Mix.Project\n  def project, do: [app: :demo, version: "0.1.0", deps: []]\nend\n');
    const rev = 'a'.repeat(40);
    writeFileSync(join(dir, 'mix.lock'), `%{\n  "dep": {:git, "https://github.com/a/dep.git", "${rev}", [depth: 100000000000000000000000000]},\n}\n`);
    for (const extra of [[], ['--json']]) {
      const r = runCli(['deps', dir, ...extra]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /mix\.lock:2:\d+: dep: git option depth 100000000000000000000000000 is too large/);
      assert.equal(r.stdout, '', 'nothing half-printed');
    }
    writeFileSync(join(dir, 'mix.lock'), `%{\n  "dep": {:git, "https://github.com/a/dep.git", "${rev}", [depth: 9007199254740991]},\n}\n`);
    const r = runCli(['deps', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /"depth": 9007199254740991\b/, 'the largest exact integer stays exact');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
