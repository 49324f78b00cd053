/**
 * Benchmark: `beambake verify` over a vendored set of generated Hex tarballs
 * (>= 200 MB of incompressible content by default) against `sha256sum` over
 * the same files in the same run. Prints the ratio of wall times; the target
 * is <= 1.5x. Verification does strictly more than sha256sum (outer hash,
 * inner hash, gunzip, tar walk), so the ratio is the number that matters.
 *
 * Run: node --import tsx bench/verify.ts   (or node dist/bench/verify.js)
 * Env: BEAMBAKE_BENCH_MB (total size, default 200), BEAMBAKE_BENCH_RUNS (default 3).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHexTarball } from '../src/hex/tarball.js';
import { hexDownloadFilename } from '../src/bitbake/names.js';
import { readProject } from '../src/lockfiles/index.js';
import { verifyPackages } from '../src/verify/index.js';

const TARGET = 1.5;
const totalMb = Number(process.env.BEAMBAKE_BENCH_MB ?? 200);
const runs = Number(process.env.BEAMBAKE_BENCH_RUNS ?? 3);
/** Per-package payload; several files per package so the tar walk has work to do. */
const PACKAGE_BYTES = 4 * 1024 * 1024;
const FILES_PER_PACKAGE = 16;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'beambake-bench-verify-'));
  try {
    const vendor = join(work, 'vendor');
    const app = join(work, 'app');
    spawnSync('mkdir', ['-p', vendor, app]);
    const count = Math.ceil((totalMb * 1024 * 1024) / PACKAGE_BYTES);
    const lock: string[] = [];
    const files: string[] = [];
    let bytes = 0;
    process.stderr.write(`generating ${count} tarballs of ~${PACKAGE_BYTES >> 20} MiB ...\n`);
    for (let i = 0; i < count; i++) {
      const name = `bench_pkg_${String(i).padStart(3, '0')}`;
      const content: Record<string, Uint8Array> = {};
      for (let f = 0; f < FILES_PER_PACKAGE; f++) content[`priv/blob_${f}.bin`] = randomBytes(PACKAGE_BYTES / FILES_PER_PACKAGE);
      content['mix.exs'] = Buffer.from(`defmodule ${name} do end\n`);
      const t = createHexTarball({ name, version: '1.0.0', licenses: ['MIT'], build_tools: ['mix'], files: content });
      const file = join(vendor, hexDownloadFilename({ name, version: '1.0.0', repository: 'hexpm' }));
      writeFileSync(file, t.tarball);
      files.push(file);
      bytes += t.tarball.length;
      lock.push(`  "${name}": {:hex, :${name}, "1.0.0", "${t.innerChecksum}", [:mix], [], "hexpm", "${t.outerChecksum}"},`);
    }
    writeFileSync(join(app, 'mix.exs'), 'defmodule Bench.MixProject do\n  use Mix.Project\n  def project, do: [app: :bench, version: "0.1.0", deps: []]\nend\n');
    writeFileSync(join(app, 'mix.lock'), `%{\n${lock.join('\n')}\n}\n`);
    const project = await readProject(app);

    const sha256sum = (): number => {
      const t0 = performance.now();
      const r = spawnSync('sha256sum', files, { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error('sha256sum failed');
      return performance.now() - t0;
    };
    const verify = async (): Promise<number> => {
      const t0 = performance.now();
      const r = await verifyPackages(project, { vendorDirs: [vendor] });
      const ms = performance.now() - t0;
      if (r.summary.fail !== 0 || r.summary.pass !== count) throw new Error(`verification failed: ${JSON.stringify(r.summary)}`);
      return ms;
    };

    // Warm the page cache so both sides read from memory, then alternate.
    sha256sum();
    const base: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(sha256sum());
      ours.push(await verify());
    }
    const b = median(base);
    const o = median(ours);
    const ratio = o / b;
    const mb = bytes / (1024 * 1024);
    console.log(`verify benchmark: ${count} tarballs, ${mb.toFixed(1)} MiB, median of ${runs} runs`);
    console.log(`  sha256sum        ${b.toFixed(0)} ms  (${(mb / (b / 1000)).toFixed(0)} MiB/s)`);
    console.log(`  beambake verify  ${o.toFixed(0)} ms  (${(mb / (o / 1000)).toFixed(0)} MiB/s)`);
    console.log(`  ratio verify/sha256sum = ${ratio.toFixed(2)}x  (target <= ${TARGET}x: ${ratio <= TARGET ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
