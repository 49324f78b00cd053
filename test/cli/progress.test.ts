/**
 * Progress of long work on a terminal (sbom merge): a status line on stderr
 * when, and only when, stderr is a terminal, made terminal-safe, and gone
 * before the report or an error is printed. The CLI runs under util-linux
 * `script`, which gives it a real pseudo-terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliOnTerminal } from '../helpers/cli.js';
import { corpusDir } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp.js';
import { needTools } from '../helpers/toolchain.js';

const CLEAR = '\r\u001b[2K';
// each status line is written with the terminal's autowrap off (a long line is cut, not wrapped)
const NOWRAP = '\u001b[?7l';
const WRAP = '\u001b[?7h';
const device = ['--product', 'Gateway', '--product-version', '2.1', '--manufacturer', 'ACME'];
const mixSbom = join(corpusDir, 'cyclonedx', 'mix_sbom-self', 'bom.cdx.json');
const openwrt = join(corpusDir, 'cyclonedx', 'openwrt', 'openwrt-sbom-generator_demo_sbom.cdx-1.4.json');

/** The status lines drawn: the text between autowrap off and on after each line clear. */
const statusLines = (output: string): string[] =>
  output
    .split(CLEAR)
    .slice(1)
    .filter((s) => s.startsWith(NOWRAP))
    .map((s) => {
      assert.ok(s.includes(WRAP), JSON.stringify(s));
      return s.slice(NOWRAP.length, s.indexOf(WRAP));
    });

test('sbom merge on a terminal: each input read against its size, the merge, the bytes written; cleared before the report', (t) => {
  if (!needTools(t, 'script')) return;
  const dir = makeTempDir('progress-');
  const out = join(dir, 'device.cdx.json');
  const r = runCliOnTerminal(['sbom', 'merge', mixSbom, openwrt, ...device, '-o', out]);
  assert.equal(r.status, 0, r.output);
  const lines = statusLines(r.output);
  assert.match(lines[0]!, /^reading bom\.cdx\.json \(1\/2\) \[-+\] 0\.0\/0\.\d MB$/);
  // a line longer than the terminal (80 columns here) is cut, not wrapped
  assert.ok(lines.some((l) => l.startsWith('reading openwrt-sbom-generator_demo_sbom.cdx-1.4.json (2/2) [') && l.length <= 79), lines.join('\n'));
  assert.ok(lines.includes('merging 60 components'), lines.join('\n'));
  assert.ok(lines.includes('writing device.cdx.json 0.0 MB'), lines.join('\n'));
  // the last status is cleared, and the report starts on the clean line
  const afterLastClear = r.output.slice(r.output.lastIndexOf(CLEAR) + CLEAR.length);
  assert.match(afterLastClear, /^input {2}/);
  assert.ok(existsSync(out));
});

test('sbom merge without a terminal draws no status line; the written SBOM is the same either way', (t) => {
  if (!needTools(t, 'script')) return;
  const dir = makeTempDir('progress-');
  const piped = runCli(['sbom', 'merge', mixSbom, openwrt, ...device, '-o', join(dir, 'piped.cdx.json')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(piped.status, 0, piped.stderr);
  assert.ok(!piped.stderr.includes('\r') && !piped.stderr.includes('\u001b'), JSON.stringify(piped.stderr.slice(0, 200)));
  const tty = runCliOnTerminal(['sbom', 'merge', mixSbom, openwrt, ...device, '-o', join(dir, 'tty.cdx.json')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(tty.status, 0, tty.output);
  assert.ok(statusLines(tty.output).length > 0);
  assert.ok(readFileSync(join(dir, 'tty.cdx.json')).equals(readFileSync(join(dir, 'piped.cdx.json'))));
  // a terminal that cannot erase a line (TERM=dumb) gets none either
  const dumb = runCliOnTerminal(['sbom', 'merge', mixSbom, openwrt, ...device, '-o', join(dir, 'dumb.cdx.json')], { env: { TERM: 'dumb' } });
  assert.equal(dumb.status, 0, dumb.output);
  assert.ok(!dumb.output.includes('\u001b'), JSON.stringify(dumb.output.slice(0, 200)));
});

test('a file name with terminal controls is shown escaped; an error is printed on a cleared line', (t) => {
  if (!needTools(t, 'script')) return;
  const dir = makeTempDir('progress-');
  const evil = join(dir, 'evil\u001b[31mred.cdx.json');
  copyFileSync(mixSbom, evil);
  const truncated = join(dir, 'truncated.cdx.json');
  writeFileSync(truncated, readFileSync(openwrt, 'utf8').slice(0, 500));
  const r = runCliOnTerminal(['sbom', 'merge', evil, truncated, ...device, '-o', join(dir, 'device.cdx.json')]);
  assert.equal(r.status, 3, r.output);
  assert.ok(!r.output.includes('\u001b[31m'), 'no raw escape sequence from the file name');
  assert.ok(statusLines(r.output).some((l) => l.startsWith('reading evil\\x1b[31mred.cdx.json (1/2)')), r.output);
  const afterLastClear = r.output.slice(r.output.lastIndexOf(CLEAR) + CLEAR.length);
  assert.match(afterLastClear, /^error: \S*truncated\.cdx\.json:\d+:\d+: /);
  assert.ok(!existsSync(join(dir, 'device.cdx.json')));
});
