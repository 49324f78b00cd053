/**
 * The fuzz script: `node dist/test/fuzz/run.js [--per-reader N] [--seed S] [--cli N] [--only NAME,NAME]`
 * (defaults: 10,000 mutations per reader, seed 1, 200 CLI runs; `--only` takes parts of reader
 * names, and `CLI` for the CLI phase). Prints totals per reader; exits 1
 * on any finding (a crash other than a one-line BeambakeError, a read over 10 s, a write outside
 * the sandbox).
 */
import { join } from 'node:path';
import { fuzzCli, fuzzReader, readers } from './fuzz.js';
import { repoRoot } from '../helpers/paths.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const perReader = Number(arg('per-reader', '10000'));
const seed = Number(arg('seed', '1'));
const cliRuns = Number(arg('cli', '200'));
const only = arg('only', '')
  .split(',')
  .filter((x) => x !== '');
const wanted = (name: string) => only.length === 0 || only.some((o) => name.includes(o));
const started = performance.now();

let findings = 0;
process.stdout.write(`seed ${seed}, ${perReader} mutations per reader\n`);
process.stdout.write(`${'reader'.padEnd(20)}${'inputs'.padStart(8)}${'read'.padStart(8)}${'refused'.padStart(9)}${'crashes'.padStart(9)}${'slow'.padStart(6)}${'max ms'.padStart(9)}${'s'.padStart(7)}\n`);
for (const reader of readers()) {
  if (!wanted(reader.name)) continue;
  const t0 = performance.now();
  const o = await fuzzReader(reader, perReader, seed);
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  findings += o.crashes.length + o.slow.length;
  process.stdout.write(
    `${reader.name.padEnd(20)}${String(perReader).padStart(8)}${String(o.ok).padStart(8)}${String(o.refused).padStart(9)}${String(o.crashes.length).padStart(9)}${String(o.slow.length).padStart(6)}${o.maxMs.toFixed(0).padStart(9)}${secs.padStart(7)}\n`,
  );
  for (const c of o.crashes.slice(0, 5)) process.stdout.write(`  CRASH ${c.error}\n    input ${c.input}\n`);
  for (const c of o.slow.slice(0, 3)) process.stdout.write(`  SLOW ${c.ms.toFixed(0)} ms${c.pending ? ', never settled' : ''}\n    input ${c.input}\n`);
}
if (cliRuns > 0 && wanted('CLI')) {
  const t0 = performance.now();
  const c = await fuzzCli(join(repoRoot, 'dist', 'bin', 'beambake.cjs'), cliRuns, seed);
  findings += c.findings.length;
  process.stdout.write(`CLI (deps/vendor/recipe/sbom on mutated locks, sbom check/merge on mutated SBOMs): ${c.runs} runs, exit codes ${JSON.stringify(c.byStatus)}, ${c.findings.length} findings, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  for (const f of c.findings.slice(0, 10)) process.stdout.write(`  ${f}\n`);
}
process.stdout.write(`${findings} findings, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
process.exitCode = findings > 0 ? 1 : 0;
