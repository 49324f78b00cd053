// temporary: phase timings of one merge (not committed)
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
const f = process.argv[2];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = cpu();
if (process.argv[3] === 'base') { const d = JSON.parse(readFileSync(f, 'utf8')); writeFileSync('/tmp/ph/b.json', JSON.stringify(d)); console.log('baseline', (cpu()-t0).toFixed(0)); process.exit(0); }
const { readSbom } = await import('/work/main/dist/src/sbom/readers/index.js');
const { mergeSboms } = await import('/work/main/dist/src/sbom/merge/merge.js');
const { writeSbomToStream } = await import('/work/main/dist/src/sbom/writers/index.js');
const t1 = cpu();
const input = await readSbom(f, {});
const t2 = cpu();
const r = mergeSboms([input], { product: 'Bench', productVersion: '1', manufacturer: 'Bench' });
const t3 = cpu();
const out = createWriteStream('/tmp/ph/out.json');
await writeSbomToStream(r.graph, process.argv[3] ?? 'cyclonedx-json', out); out.end(); await finished(out);
const t4 = cpu();
console.log(`import ${(t1-t0).toFixed(0)} read ${(t2-t1).toFixed(0)} merge ${(t3-t2).toFixed(0)} write ${(t4-t3).toFixed(0)} total ${(t4-t0).toFixed(0)} rss ${(process.resourceUsage().maxRSS/1024).toFixed(0)}MB`);
