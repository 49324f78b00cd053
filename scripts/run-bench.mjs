#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/*.js) one after the other, so
// they never compete with each other for the CPU. Extra arguments filter by
// file name substring, e.g. `npm run bench -- recipe`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'dist', 'bench');
const filters = process.argv.slice(2);

if (!existsSync(benchDir)) {
  console.error(`${benchDir} not found: run npm run build first`);
  process.exit(1);
}
const files = readdirSync(benchDir)
  .filter((n) => n.endsWith('.js'))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no benchmarks matched');
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`== ${f}`);
  const r = spawnSync(process.execPath, [join(benchDir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
