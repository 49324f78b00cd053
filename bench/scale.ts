/**
 * Linear time: every reader and writer on generated projects of 1,000 to
 * 100,000 packages (bench/lib/generate.ts). For each command and size it
 * prints the wall time of the compiled CLI and the time per package after
 * taking off the CLI's fixed start-up (`beambake --version`, measured in the
 * same run). Flat means the 100,000-package time per package stays within
 * 1.5x of the 10,000-package one (1,000 packages is dominated by start-up).
 * Prints; asserts nothing (BENCH_STRICT=1 exits 1 when a row is not flat).
 *
 *   npm run bench -- scale
 *   BENCH_SIZES=1000,10000 node dist/bench/scale.js
 *   BENCH_ONLY=sbom node dist/bench/scale.js     # rows whose command contains 'sbom'
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeProject, type Tool } from './lib/generate.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'bin', 'beambake.cjs');
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const FLAT = 1.5;

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1700000000' }, maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(0, 500)}`);
  return ms;
}

interface Row {
  what: string;
  tool: Tool;
  args: (project: string, out: string) => string[];
}

const rows: Row[] = [
  ...(['mix', 'rebar3', 'gleam'] as const).map((tool): Row => ({ what: 'deps --json', tool, args: (p) => ['deps', p, '--json'] })),
  // Gleam recipes need meta-erlang's gleam-native, which only its master branch (wrynose) has
  ...(['mix', 'rebar3', 'gleam'] as const).map((tool): Row => ({ what: 'recipe', tool, args: (p, o) => ['recipe', p, '-o', o, '--source', p, ...(tool === 'gleam' ? ['--yocto', 'wrynose'] : [])] })),
  ...(['spdx3-json', 'spdx2-json', 'cyclonedx-xml'] as const).map((format): Row => ({ what: `sbom ${format}`, tool: 'mix', args: (p, o) => ['sbom', p, '--format', format, '-o', `${o}.sbom`] })),
];

if (!existsSync(cli)) throw new Error(`${cli} not found: run npm run build first`);
const work = mkdtempSync(join(tmpdir(), 'beambake-scale-'));
let notFlat = 0;
try {
  const projects = new Map<string, string>();
  const project = (tool: Tool, n: number) => {
    const key = `${tool}-${n}`;
    if (!projects.has(key)) projects.set(key, writeProject(join(work, key), tool, n));
    return projects.get(key)!;
  };
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) startups.push(time([cli, '--version']));
  const startup = startups.sort((a, b) => a - b)[2]!;
  process.stdout.write(`CLI start-up (beambake --version, median of 5): ${startup.toFixed(0)} ms\n`);
  process.stdout.write(`${'command'.padEnd(22)}${'tool'.padEnd(8)}${sizes.map((n) => `${n} pkgs: ms, us/pkg`.padStart(26)).join('')}   ratio\n`);
  for (const row of rows) {
    if (process.env.BENCH_ONLY && !`${row.what} ${row.tool}`.includes(process.env.BENCH_ONLY)) continue;
    const perPkg: number[] = [];
    let line = `${row.what.padEnd(22)}${row.tool.padEnd(8)}`;
    for (const n of sizes) {
      const p = project(row.tool, n);
      const ms = time([cli, ...row.args(p, join(work, `out-${row.what.replace(/\W+/g, '_')}-${row.tool}-${n}`))]);
      const us = (Math.max(0, ms - startup) * 1000) / n;
      perPkg.push(us);
      line += `${ms.toFixed(0)} ms, ${us.toFixed(1)} us`.padStart(26);
    }
    // compare the largest size with the one before it: the smallest is mostly start-up
    const ratio = perPkg.length >= 2 ? perPkg[perPkg.length - 1]! / perPkg[perPkg.length - 2]! : 1;
    const flat = ratio <= FLAT;
    if (!flat) notFlat++;
    process.stdout.write(`${line}   ${ratio.toFixed(2)}x ${flat ? 'flat' : 'NOT flat'}\n`);
  }
  process.stdout.write(`ratio: time per package at ${sizes.at(-1)} over ${sizes.at(-2)} packages (flat when <= ${FLAT}x)\n`);
  if (process.env.BENCH_STRICT === '1' && notFlat > 0) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
