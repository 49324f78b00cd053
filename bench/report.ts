/**
 * Scale benchmark for `beambake report`: generates a CycloneDX 1.6 device
 * SBOM of 10,000 components (a device, three parts, Hex and Yocto-like
 * packages with purls/CPEs, licences, hashes and dependencies), then measures
 * in child processes started the same way:
 *   baseline: `beambake sbom check FILE --profile bsi-tr-03183-2 --json`
 *   report:   `beambake report --sbom FILE --check-profile bsi-tr-03183-2 -o report.html`
 * and prints the ratio of the wall times (target: < 3x) and the page size.
 *
 * Run: npm run bench -- report   (or node dist/bench/report.js [components])
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const root = fileURLToPath(new URL(fileURLToPath(import.meta.url).endsWith('.js') ? '../..' : '..', import.meta.url));
const LICENSES = ['MIT', 'Apache-2.0', 'GPL-2.0-only', 'BSD-3-Clause', 'LGPL-2.1-or-later'];

function sbom(n: number): unknown {
  const parts = ['core-image', 'beam-app', 'firmware'];
  const components: Record<string, unknown>[] = parts.map((p) => ({ type: 'application', 'bom-ref': p, name: p, version: '1.0' }));
  const deps: { ref: string; dependsOn: string[] }[] = [{ ref: 'device', dependsOn: [...parts] }];
  const children = new Map<string, string[]>(parts.map((p) => [p, []]));
  for (let i = 0; i < n - parts.length; i++) {
    const ref = `c${i}`;
    const hex = i % 3 === 1;
    const sha = createHash('sha256').update(ref).digest('hex');
    components.push({
      type: 'library',
      'bom-ref': ref,
      ...(i % 10 ? { supplier: { name: hex ? 'Hex.pm' : 'OpenEmbedded', url: [hex ? 'https://hex.pm' : 'https://openembedded.org'] } } : {}),
      name: `pkg${i}`,
      version: `1.${i % 20}.${i % 7}`,
      ...(i % 6 ? { licenses: [{ license: { id: LICENSES[i % LICENSES.length] } }] } : {}),
      ...(hex ? { purl: `pkg:hex/pkg${i}@1.${i % 20}.${i % 7}` } : { cpe: `cpe:2.3:a:*:pkg${i}:1.${i % 20}.${i % 7}:*:*:*:*:*:*:*` }),
      hashes: [{ alg: 'SHA-256', content: sha }],
    });
    // a tree: the first components hang under the parts, the rest under earlier components
    const parent = i < 30 ? parts[i % 3]! : `c${Math.floor((i - 30) / 4)}`;
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(ref);
  }
  for (const [ref, dependsOn] of children) deps.push({ ref, dependsOn });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2026-01-01T00:00:00Z',
      authors: [{ name: 'Example GmbH', email: 'sbom@example.com' }],
      component: { type: 'device', 'bom-ref': 'device', name: 'Bench Device', version: '1.0' },
    },
    components,
    dependencies: deps,
  };
}

function main(): void {
  const n = Number(process.argv[2] ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'beambake-bench-report-'));
  try {
    const file = join(dir, 'device.cdx.json');
    writeFileSync(file, JSON.stringify(sbom(n), null, 1));
    const cli = join(root, 'dist', 'bin', 'beambake.cjs');
    const time = (args: string[], okCodes: number[]): number => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!okCodes.includes(r.status ?? -1)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return ms;
    };
    const out = join(dir, 'report.html');
    let check = Infinity;
    let report = Infinity;
    for (let k = 0; k < Number(process.env.BEAMBAKE_BENCH_RUNS ?? 3); k++) {
      // sbom check exits 1 for the gaps it finds in a generated SBOM; that is its normal result here
      check = Math.min(check, time(['sbom', 'check', file, '--profile', 'bsi-tr-03183-2', '--json'], [0, 1]));
      report = Math.min(report, time(['report', '--sbom', file, '--check-profile', 'bsi-tr-03183-2', '-o', out], [0]));
    }
    console.log(`components ${n}, report ${(statSync(out).size / 1e6).toFixed(1)} MB`);
    console.log(`baseline (sbom check --profile bsi-tr-03183-2): ${check.toFixed(0)} ms`);
    console.log(`beambake report (with the same check):          ${report.toFixed(0)} ms`);
    console.log(`ratio ${(report / check).toFixed(2)}x (target < 3x)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BEAMBAKE_BENCH_WRITE) writeFileSync(process.env.BEAMBAKE_BENCH_WRITE, JSON.stringify(sbom(Number(process.argv[2] ?? 10_000)), null, 1));
else main();
