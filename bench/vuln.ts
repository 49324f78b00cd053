/**
 * Scale benchmark for `beambake vuln`: generates 100,000 OSV records (one
 * JSON file each, as OSV's exports unpack; one in five for Hex, the others
 * for npm/PyPI/Go/Maven packages of the same names; SEMVER and ECOSYSTEM
 * ranges, `versions` lists, aliases and CVSS vectors) and a Mix project
 * locking 500 Hex packages (a quarter of the Hex names the records use), then
 * measures in child processes started the same way:
 *   baseline: list the directory, read every file and JSON.parse it
 *   vuln:     `beambake vuln PROJECT --osv DIR -f json -o FILE` (schema
 *             validation of every record, matching, alias merging, output)
 * and prints the ratio of the wall times (target: <= 2x) and of the CPU
 * times (user + system of the child; steadier when the machine is shared).
 *
 * Run: npm run bench -- vuln   (or node dist/bench/vuln.js [records] [packages])
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededHex as hex } from './lib/generate.js';

const root = fileURLToPath(new URL(fileURLToPath(import.meta.url).endsWith('.js') ? '../..' : '..', import.meta.url));

const VECTORS = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N'];

const OTHER = ['npm', 'PyPI', 'Go', 'Maven'];

/**
 * One record in five is for Hex, as in a multi-ecosystem export; Hex names come from a pool four times
 * the project's size, and the other ecosystems reuse the same names (as the real EEF record for npm phoenix).
 */
function record(i: number, names: number): Record<string, unknown> {
  const ecosystem = i % 5 === 0 ? 'Hex' : OTHER[i % 4]!;
  const pkg = `pkg${Math.floor(i / 5) % names}`;
  const minor = i % 7;
  const id = `EEF-BENCH-${String(i).padStart(6, "0")}`;
  const ranges = [
    { type: 'SEMVER', events: [{ introduced: `1.${minor}.0` }, { fixed: `1.${minor}.${3 + (i % 5)}` }] },
    ...(i % 3 === 0 ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: `0.${i % 9}.2` }] }] : []),
  ];
  return {
    schema_version: '1.6.0',
    id,
    modified: `2026-0${1 + (i % 9)}-1${i % 10}T12:00:00Z`,
    published: '2025-01-01T00:00:00Z',
    aliases: [`CVE-2026-${String(10000 + Math.floor(i / 2)).padStart(5, '0')}`],
    summary: `Generated advisory ${i} for ${pkg}`,
    details: 'x'.repeat(200 + (i % 400)),
    severity: [{ type: VECTORS[i % 3]!.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score: VECTORS[i % 3] }],
    affected: [
      {
        package: { ecosystem, name: pkg },
        ranges,
        ...(i % 4 === 0 ? { versions: Array.from({ length: 5 }, (_, k) => `1.${minor}.${k}`) } : {}),
      },
    ],
    references: [{ type: 'ADVISORY', url: `https://example.com/advisories/${id}` }],
  };
}

/** CPU time of finished children (getrusage RUSAGE_CHILDREN is not in Node: read it from /proc). */
function childCpuMs(): number {
  // fields 16 and 17 of /proc/self/stat: cutime and cstime in clock ticks (100 Hz on Linux)
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

function main(): void {
  const records = Number(process.argv[2] ?? 100_000);
  const packages = Number(process.argv[3] ?? 500);
  // BEAMBAKE_BENCH_KEEP=DIR generates into DIR once and reuses it (for profiling)
  const keep = process.env.BEAMBAKE_BENCH_KEEP;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'beambake-bench-vuln-'));
  const reuse = keep !== undefined && existsSync(join(dir, 'app', 'mix.lock'));
  try {
    const osv = join(dir, 'osv');
    if (!reuse) mkdirSync(osv, { recursive: true });
    // 4x as many package names as the project locks: most records concern other packages
    const names = packages * 4;
    for (let i = 0; i < records && !reuse; i++) {
      const sub = join(osv, String(Math.floor(i / 5000)));
      if (i % 5000 === 0) mkdirSync(sub);
      writeFileSync(join(sub, `BENCH-${String(i).padStart(6, '0')}.json`), JSON.stringify(record(i, names), null, 2));
    }
    const project = join(dir, 'app');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'mix.exs'), 'defmodule Bench.MixProject do\n  use Mix.Project\n  def project do\n    [app: :bench, version: "0.1.0", deps: []]\n  end\nend\n');
    const lines = Array.from({ length: packages }, (_, k) => `  "pkg${k}": {:hex, :pkg${k}, "1.${k % 7}.${k % 6}", "${hex(k, 64)}", [:mix], [], "hexpm", "${hex(k + 1e6, 64)}"},`);
    writeFileSync(join(project, 'mix.lock'), `%{\n${lines.join('\n')}\n}\n`);

    const baselineScript = `
      const { readdirSync, readFileSync } = require('node:fs');
      const { join } = require('node:path');
      let n = 0;
      const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else { JSON.parse(readFileSync(p, 'utf8')); n++; } } };
      walk(process.argv[1]);
      if (n !== ${records}) throw new Error('read ' + n);`;
    const time = (args: string[]): [wall: number, cpu: number] => {
      const c0 = childCpuMs();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
      return [ms, childCpuMs() - c0];
    };
    const out = join(dir, 'out.json');
    const cli = join(root, 'dist', 'bin', 'beambake.cjs');
    const runs = Number(process.env.BEAMBAKE_BENCH_RUNS ?? 3);
    let [base, baseCpu, vuln, vulnCpu] = [Infinity, Infinity, Infinity, Infinity];
    for (let k = 0; k < runs; k++) {
      const [bw, bc] = time(['-e', baselineScript, osv]);
      const [vw, vc] = time([cli, 'vuln', project, '--osv', osv, '-f', 'json', '-o', out]);
      [base, baseCpu, vuln, vulnCpu] = [Math.min(base, bw), Math.min(baseCpu, bc), Math.min(vuln, vw), Math.min(vulnCpu, vc)];
    }
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { findings: { status: string }[]; osv: { records: number } };
    const affected = doc.findings.filter((f) => f.status === 'affected').length;
    console.log(`records ${doc.osv.records}, packages ${packages}, findings ${doc.findings.length} (${affected} affected)`);
    console.log(`baseline (read + JSON.parse every record): ${base.toFixed(0)} ms wall, ${baseCpu.toFixed(0)} ms CPU`);
    console.log(`beambake vuln:                               ${vuln.toFixed(0)} ms wall, ${vulnCpu.toFixed(0)} ms CPU`);
    console.log(`ratio ${(vuln / base).toFixed(2)}x wall, ${(vulnCpu / baseCpu).toFixed(2)}x CPU (target <= 2x)`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main();
