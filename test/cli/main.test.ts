import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

test('--version prints the package version', () => {
  const r = runCli(['--version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('an unknown command is a usage error with exit code 2 and no stack trace', () => {
  const r = runCli(['no-such-command']);
  assert.equal(r.status, 2);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a bad choice is one error line plus the hint, not yargs\' indented block', () => {
  const r = runCli(['sbom', 'check', 'x.json', '--profile', 'nope']);
  assert.equal(r.status, 2);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0]!, /^error: Invalid values: Argument: profile, Given: "nope", Choices: /);
  assert.equal(lines[1], "Run 'beambake sbom check --help' for usage.");
});
