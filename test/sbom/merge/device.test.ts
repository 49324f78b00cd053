/**
 * The device SBOM of the issue, end to end through the CLI: `beambake sbom`
 * writes the BEAM layer SBOMs (a corpus project, and a small lock of the real
 * gpio tarball with `--vendor`), `beambake sbom merge` merges them with the
 * real Yocto SPDX 2.2 archive, the SPDX 3.0.1 document and the real CycloneDX
 * SBOMs into all four formats, and `beambake sbom check` judges the result.
 * Inputs and outputs are read back independently (raw-inputs.ts,
 * output-facts.ts) to prove that counts, edges and facts survive.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import { runCli } from '../../helpers/cli.js';
import { corpusDir } from '../../helpers/paths.js';
import { needTools } from '../../helpers/toolchain.js';
import { readRawInput, type RawFacts, type RawInput } from './raw-inputs.js';
import { cpeCore, hasEdge, licenseTokens, readOutput, type OutDoc, type OutElement, type OutFormat } from './output-facts.js';

const C = (p: string) => join(corpusDir, p);
const ARCHIVE = C('spdx/vulnscout/spdx2/example.rootfs.spdx.tar.zst');
const SPDX3 = C('spdx/wr-sbom/wr-sbom_3.0.1_turn_off_shadow.spdx.json');
const META_CDX = C('cyclonedx/yocto-meta-cyclonedx/yocto-meta-cyclonedx_beaglebone_bom.cdx-1.4.json');
const OPENWRT = C('cyclonedx/openwrt/openwrt-sbom-generator_demo_sbom.cdx-1.4.json');
const MIX_SBOM = C('cyclonedx/mix_sbom-self/bom.cdx.json');
const GPIO_TAR = C('hex/swh-gpio/gpio-0.6.1.tar');
const FORMATS: OutFormat[] = ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'];
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const DEVICE_ARGS = ['--product', 'Gateway', '--product-version', '2.1', '--manufacturer', 'ACME', '--manufacturer-url', 'https://acme.example', '--contact', 'sbom@acme.example'];

interface Report {
  inputs: { file: string; components: number; edges: number }[];
  counts: { in: { components: number; edges: number }; out: { components: number; edges: number }; placeholders: number; mergedAway: number; deviceEdges: number };
  decisions: { kind: string; text: string }[];
}

interface Setup {
  dir: string;
  inputs: string[];
  raw: RawInput[];
  reports: Record<OutFormat, Report>;
  outputs: Record<OutFormat, { file: string; doc: OutDoc }>;
}

let setup: Promise<Setup> | undefined;

/** Layer SBOMs, raw inputs and the four merged documents, built once for all tests of this file. */
function build(): Promise<Setup> {
  setup ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beambake-device-sbom-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const author = ['--author', 'ACME', '--author-email', 'sbom@acme.example', '--otp-version', '26'];
    const renovate = join(dir, 'renovate.cdx.json');
    const r1 = runCli(['sbom', C('mix/renovate-fixture'), ...author, '-o', renovate], { env });
    assert.equal(r1.status, 0, r1.stderr);

    // a small lock of the real gpio 0.6.1 tarball, with its real inner and outer checksums
    const app = join(dir, 'blinky');
    const vendor = join(dir, 'vendor');
    mkdirSync(app);
    mkdirSync(vendor);
    copyFileSync(GPIO_TAR, join(vendor, 'gpio-0.6.1.tar'));
    writeFileSync(
      join(app, 'mix.exs'),
      'defmodule Blinky.MixProject do\n  use Mix.Project\n  def project, do: [app: :blinky, version: "1.2.0", deps: deps()]\n' +
        '  def application, do: [extra_applications: [:logger, :crypto]]\n  defp deps, do: [{:gpio, "~> 0.6"}]\nend\n',
    );
    writeFileSync(
      join(app, 'mix.lock'),
      '%{\n  "gpio": {:hex, :gpio, "0.6.1", "dfb61f98248f60d61ebd87e2875f8831c2bb04b6d7b3cf4d2facfbf2c0d60a9e", [:rebar3], [], "hexpm", "9b2d06bbe34f129ee8e2afb86be041bf95b45e831a9bbbec29678fe79c6fbbf2"},\n}\n',
    );
    const blinky = join(dir, 'blinky.cdx.json');
    const r2 = runCli(['sbom', app, '--vendor', vendor, ...author, '-o', blinky], { env });
    assert.equal(r2.status, 0, r2.stderr);

    const inputs = [ARCHIVE, SPDX3, META_CDX, OPENWRT, MIX_SBOM, renovate, blinky];
    const reports = {} as Setup['reports'];
    const outputs = {} as Setup['outputs'];
    for (const f of FORMATS) {
      const file = join(dir, `device.${f}`);
      const r = runCli(['sbom', 'merge', ...inputs, ...DEVICE_ARGS, '-f', f, '-o', file, '--json', '--explain'], { env });
      assert.equal(r.status, 0, r.stderr);
      reports[f] = JSON.parse(r.stdout) as Report;
      outputs[f] = { file, doc: readOutput(readFileSync(file, 'utf8'), f) };
    }
    return { dir, inputs, raw: inputs.map(readRawInput), reports, outputs };
  })();
  return setup;
}

async function ready(t: TestContext): Promise<Setup | undefined> {
  // the raw reading of the Yocto archive unpacks it with the system tar
  if (!needTools(t, 'tar', 'zstd')) return undefined;
  return build();
}

/** The output element an input element (or a reference no input holds) ended up in. */
function outRef(s: Setup, doc: OutDoc, id: string): string | undefined {
  const direct = doc.byOrigin.get(id) ?? doc.byUnresolved.get(id);
  if (direct) return direct;
  for (const r of s.raw) {
    const target = r.aliases.get(id);
    if (target && doc.byOrigin.has(target)) return doc.byOrigin.get(target);
  }
  return undefined;
}

const rawById = (s: Setup) => new Map(s.raw.flatMap((r) => [...r.components.values()].map((c) => [c.id, c] as const)));

test('the layer SBOMs from `beambake sbom` carry what the device SBOM needs', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const blinky = s.raw.find((r) => r.file.endsWith('blinky.cdx.json'))!;
  const gpio = [...blinky.components.values()].find((c) => c.name === 'gpio')!;
  assert.ok(gpio.hashes.some((h) => h.startsWith('SHA-512:')) && gpio.hashes.includes('SHA-256:9b2d06bbe34f129ee8e2afb86be041bf95b45e831a9bbbec29678fe79c6fbbf2'));
  assert.deepEqual(gpio.declared, ['Apache-2.0']);
  assert.equal(gpio.filename, 'gpio-0.6.1.tar');
  assert.ok(gpio.creatorContact && gpio.completeness);
  const renovate = s.raw.find((r) => r.file.endsWith('renovate.cdx.json'))!;
  assert.equal(renovate.components.size, 44);
  assert.ok([...renovate.components.values()].every((c) => c.completeness), 'every component has a completeness statement');
});

test('counts in and out agree with an independent reading of inputs and outputs', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const report = s.reports['cyclonedx-json'];
  for (const raw of s.raw) {
    const i = report.inputs.find((x) => x.file === raw.file)!;
    assert.deepEqual({ components: i.components, edges: i.edges }, raw.counts, raw.file);
  }
  assert.equal(report.counts.in.components, s.raw.reduce((n, r) => n + r.counts.components, 0));
  assert.equal(report.counts.in.edges, s.raw.reduce((n, r) => n + r.counts.edges, 0));
  for (const f of FORMATS) {
    assert.deepEqual(s.reports[f].counts, report.counts, `${f}: same merge whatever the output format`);
    assert.equal(s.outputs[f].doc.elements.size, report.counts.out.components, `${f}: components written`);
  }
  // SPDX 2 keeps one relationship per edge (CycloneDX folds edge types into dependsOn)
  const spdx2 = JSON.parse(readFileSync(s.outputs['spdx2-json'].file, 'utf8')) as { relationships: { spdxElementId: string; relatedSpdxElement: string }[] };
  const edgeRels = spdx2.relationships.filter((r) => r.spdxElementId !== 'SPDXRef-DOCUMENT' && !['NONE', 'NOASSERTION'].includes(r.relatedSpdxElement));
  assert.equal(edgeRels.length, report.counts.out.edges);
  t.diagnostic(`in ${report.counts.in.components} components / ${report.counts.in.edges} relationships; out ${report.counts.out.components} components / ${report.counts.out.edges} edges; ${report.counts.mergedAway} merged, ${report.counts.placeholders} placeholders`);
});

test('every dependency/containment edge among packages of every input is in every output format', async (t) => {
  const s = await ready(t);
  if (!s) return;
  let checked = 0;
  for (const f of FORMATS) {
    const doc = s.outputs[f].doc;
    const device = [...doc.elements.values()].find((e) => e.device)!;
    const missing: string[] = [];
    for (const raw of s.raw) {
      for (const e of raw.edges) {
        const from = outRef(s, doc, e.from);
        const to = outRef(s, doc, e.to);
        if (!from || !to || !hasEdge(doc, from, to, e.kind)) missing.push(`${raw.file}: ${e.label} (${e.kind})`);
        else checked++;
      }
      for (const root of raw.roots) {
        const to = outRef(s, doc, root);
        if (!to || !hasEdge(doc, device.ref, to, 'contains')) missing.push(`${raw.file}: root ${root} not under the device`);
      }
    }
    assert.deepEqual(missing.slice(0, 10), [], `${f}: ${missing.length} input edges missing`);
  }
  const perFormat = checked / FORMATS.length;
  assert.ok(perFormat >= 700, `only ${perFormat} edges checked`);
  t.diagnostic(`${perFormat} input dependency/containment edges found in each of ${FORMATS.length} output formats`);
});

test('identity decisions are explained: same purl or CPE merges, other versions and ambiguous matches stay apart', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const d = s.reports['cyclonedx-json'].decisions;
  for (const name of ['jason 1.4.4', 'nimble_options 1.1.1', 'telemetry 1.3.0', 'bunt 1.0.0']) {
    assert.ok(d.some((x) => x.kind === 'merged' && x.text.startsWith(name) && /same purl: pkg:hex\//.test(x.text)), name);
  }
  assert.ok(d.some((x) => x.kind === 'merged' && /^busybox 1\.36\.1 .*same cpe\+name: busybox:1\.36\.1 busybox/.test(x.text)));
  // a CPE alone never merges different names: the host tools of the Yocto build stay apart from the target packages
  for (const [a, b] of [['libacl1', 'acl-native'], ['acl', 'acl-native'], ['binutils', 'binutils-cross-arm'], ['cpython', 'python3-native'], ['libcurl', 'curl-native'], ['gcc', 'gcc-cross-arm']]) {
    assert.ok(!d.some((x) => x.kind === 'merged' && x.text.startsWith(`${a} `) && x.text.includes(`= ${b} `)), `${a} = ${b}`);
  }
  for (const x of d.filter((y) => y.kind === 'merged')) {
    const m = /^(\S+) .*? = (\S+) .*\(same (purl|cpe\+name|purl\+otp-release): /.exec(x.text);
    assert.ok(m, x.text);
    if (m![3] !== 'purl') assert.equal(m![1]!.toLowerCase(), m![2]!.toLowerCase(), `different names merged without a matching purl: ${x.text}`);
  }

  const doc = s.outputs['cyclonedx-json'].doc;
  const jason = [...doc.elements.values()].find((e) => e.name === 'jason')!;
  assert.equal(jason.origins.length, 2);
  assert.ok(jason.purls.includes('pkg:hex/jason@1.4.4'));
  assert.ok(jason.purls.some((p) => /download_url=/.test(p)), 'the mix_sbom purl with its download_url is kept as an alternative');
  assert.ok(jason.declared.includes('Apache-2.0'), 'licence from mix_sbom');
  assert.ok(jason.parties.includes('Hex.pm'), 'supplier from beambake');
  assert.ok(d.some((x) => x.kind === 'fact-conflict' && /purl "pkg:hex\/jason@1\.4\.4"/.test(x.text)));
  // the OpenWrt busybox is another version: its own component
  assert.ok([...doc.elements.values()].some((e) => e.name === 'busybox' && e.versions.includes('1.33.2') && e.origins.length === 1));
});

const hasAll = (have: string[], want: string[]) => want.filter((w) => !have.includes(w));

/** The facts of one input element that the output element does not carry. */
function lostFacts(raw: RawFacts, out: OutElement): string[] {
  const lost: string[] = [];
  const say = (what: string, xs: string[]) => xs.length > 0 && lost.push(`${what} ${xs.join(', ')}`);
  say('version', hasAll(out.versions, raw.versions));
  say('purl', hasAll(out.purls, raw.purls));
  say('CPE', hasAll(out.cpes.map(cpeCore), raw.cpes.map(cpeCore)));
  say('hash', hasAll(out.hashes, raw.hashes));
  const dl = (x: string) => x.replace(/^git\+/, '');
  say('download location', hasAll(out.downloads.map(dl), raw.downloads.map(dl)));
  const declared = out.declared.flatMap(licenseTokens);
  const concluded = out.concluded.flatMap(licenseTokens);
  say('declared licence', hasAll(declared, raw.declared.flatMap(licenseTokens)));
  say('concluded licence', hasAll(concluded, raw.concluded.flatMap(licenseTokens)));
  say('licence', hasAll([...declared, ...concluded], raw.undetermined.flatMap(licenseTokens)));
  say('patched CVE', hasAll(out.cvesFixed, raw.cvesFixed));
  say('supplier/author', raw.suppliers.filter((p) => !out.parties.some((o) => o === p || o.includes(p))));
  return lost;
}

test('no fact of any input is lost in any output format (CPEs, download locations, hashes, licences, patched CVEs, suppliers)', async (t) => {
  const s = await ready(t);
  if (!s) return;
  for (const f of FORMATS) {
    const doc = s.outputs[f].doc;
    const problems: string[] = [];
    let compared = 0;
    for (const raw of s.raw) {
      for (const c of raw.components.values()) {
        const ref = doc.byOrigin.get(c.id);
        if (!ref) {
          problems.push(`${c.id}: not in the output`);
          continue;
        }
        compared++;
        for (const l of lostFacts(c, doc.elements.get(ref)!)) problems.push(`${c.name} (${c.id}): ${l}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), [], `${f}: ${problems.length} facts lost`);
    assert.equal(compared, s.raw.reduce((n, r) => n + r.components.size, 0));
  }
  // the merged SBOM states its own time, and keeps each input's
  const device = JSON.parse(readFileSync(s.outputs['cyclonedx-json'].file, 'utf8')).metadata;
  assert.equal(device.timestamp, '2023-11-14T22:13:20Z');
  const created = (device.component.properties as { name: string; value: string }[]).filter((p) => p.name === 'beambake:input-created');
  assert.ok(created.some((p) => p.value.startsWith('2025-07-28T17:09:52Z http://spdx.org/spdxdocs/')), 'the Yocto archive creation time');
  assert.equal(created.length, 6, 'every input with a creation time (the OpenWrt SBOM has none)');
});

// ------------------------------------------------------------------ profiles

const validSpdx = (expr: string): boolean => {
  try {
    parseSpdx(expr.replace(/DocumentRef-[A-Za-z0-9.+-]+:/g, ''));
    return true;
  } catch {
    return false;
  }
};

/** Whether the input stated the fact a finding says is missing. */
function inputHas(field: string, message: string, c: RawFacts, raw: RawInput): boolean {
  const licence = (xs: string[]) => (/not an SPDX/.test(message) ? xs.some(validSpdx) : xs.length > 0);
  switch (field) {
    case 'Component creator':
      return c.creatorContact;
    case 'Component name':
      return !!c.name;
    case 'Component version':
    case 'Version of the component':
      return c.versions.length > 0;
    case 'Filename of the component':
      return c.filename !== undefined;
    case 'Dependencies on other components':
      return /completeness/.test(message) ? c.completeness : raw.edges.some((e) => e.from === c.id);
    case 'Distribution licences':
      return licence(c.concluded);
    case 'Original licences':
      return licence([...c.declared, ...c.undetermined]);
    case 'Hash value of the deployable component':
      return c.hashes.some((h) => h.startsWith('SHA-512:'));
    case 'Executable property':
      return c.bsi.executable !== undefined;
    case 'Archive property':
      return c.bsi.archive !== undefined;
    case 'Structured property':
      return c.bsi.structured !== undefined;
    case 'Source code URI':
      return c.sourceUri;
    case 'URI of the deployable form':
      return c.deployableUri;
    case 'Other unique identifiers':
      return c.purls.length + c.cpes.length > 0;
    case 'Supplier name':
      return c.suppliers.length > 0;
    case 'Dependency relationship':
      return c.inGraph;
    default:
      throw new Error(`no input reading for the field "${field}"`);
  }
}

/** Device facts `sbom merge` has no option for: the assessor sees them listed, the merge cannot know them. */
const DEVICE_FACTS_NOT_GIVEN = new Set([
  'Filename of the component',
  'Hash value of the deployable component',
  'Distribution licences',
  'Original licences',
  'Executable property',
  'Archive property',
  'Structured property',
  'Source code URI',
  'URI of the deployable form',
  'Other unique identifiers',
]);

interface Finding {
  component?: string;
  field: string;
  level: string;
  message: string;
}

test('sbom check: schema-valid in all four formats; BSI TR-03183-2 and NTIA pass except for facts no input contains, listed by name', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const all = rawById(s);
  const inputOf = new Map(s.raw.flatMap((r) => [...r.components.keys()].map((id) => [id, r] as const)));
  const known = new Set(s.raw.flatMap((r) => [...r.components.keys(), ...r.files]));
  const runs: [OutFormat, 'bsi-tr-03183-2' | 'ntia'][] = [
    ['cyclonedx-json', 'bsi-tr-03183-2'],
    ['cyclonedx-xml', 'bsi-tr-03183-2'],
    ['spdx3-json', 'bsi-tr-03183-2'],
    ...FORMATS.map((f) => [f, 'ntia'] as [OutFormat, 'ntia']),
  ];
  for (const [f, profile] of runs) {
    const r = runCli(['sbom', 'check', s.outputs[f].file, '--profile', profile, '--json']);
    assert.equal(r.status, 1, `${f} ${profile}: the inputs lack required facts, so the check fails: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { schema: { valid: boolean; problems: unknown[] }; components: number; findings: Finding[]; summary: { field: string; level: string; missing: number }[] };
    assert.equal(report.schema.valid, true, `${f}: ${JSON.stringify(report.schema.problems.slice(0, 3))}`);
    assert.equal(report.components, s.reports[f].counts.out.components);
    assert.deepEqual(report.findings.filter((x) => !x.component), [], `${f} ${profile}: the document-level fields are all present`);

    const doc = s.outputs[f].doc;
    const wrong: string[] = [];
    for (const finding of report.findings) {
      const ref = /\[([^\]]+)\]$/.exec(finding.component!)?.[1];
      const el = ref ? doc.elements.get(ref) : undefined;
      if (!el) {
        wrong.push(`${finding.component}: not an element of the output`);
        continue;
      }
      if (!finding.component!.startsWith(el.name)) wrong.push(`${finding.component}: not named by its name ${el.name}`);
      if (el.device) {
        if (!DEVICE_FACTS_NOT_GIVEN.has(finding.field)) wrong.push(`device: ${finding.field} missing`);
      } else if (el.unresolved) {
        // only referenced by an input, never described: no input holds any fact about it
        if (known.has(el.unresolved)) wrong.push(`${finding.component}: placeholder for ${el.unresolved}, which an input describes`);
      } else {
        for (const o of el.origins) {
          const c = all.get(o);
          if (!c) wrong.push(`${finding.component}: origin ${o} is no input element`);
          else if (inputHas(finding.field, finding.message, c, inputOf.get(o)!)) wrong.push(`${finding.component}: ${finding.field} (${finding.message}) although ${c.input} states it for ${o}`);
        }
      }
    }
    assert.deepEqual(wrong.slice(0, 10), [], `${f} ${profile}: ${wrong.length} findings for facts an input has`);

    // the missing facts are listed per field with counts, and each per component by name
    const byField = new Map<string, number>();
    for (const x of report.findings) byField.set(`${x.level} ${x.field}`, (byField.get(`${x.level} ${x.field}`) ?? 0) + 1);
    assert.deepEqual(new Map(report.summary.map((x) => [`${x.level} ${x.field}`, x.missing])), byField);
    t.diagnostic(`${f} ${profile}: ${report.summary.map((x) => `${x.field} ${x.missing}${x.level === 'additional' ? ' (additional)' : ''}`).join('; ')}`);
  }

  // SPDX 2.3 is written for older tools; TR-03183-2 v2.1 does not accept it and the check says so
  const spdx2 = runCli(['sbom', 'check', s.outputs['spdx2-json'].file, '--json']);
  const r2 = JSON.parse(spdx2.stdout) as { schema: { valid: boolean }; findings: Finding[] };
  assert.equal(r2.schema.valid, true);
  assert.deepEqual(r2.findings.filter((x) => !x.component).map((x) => x.field), ['SBOM format']);

  // the text report: a table of missing fields with counts, then each missing fact by component name
  const text = runCli(['sbom', 'check', s.outputs['cyclonedx-json'].file]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /schema bom-1\.6\.SNAPSHOT\.schema\.json: valid/);
  assert.match(text.stdout, /^FIELD\s+LEVEL\s+MISSING$/m);
  assert.match(text.stdout, /^Distribution licences\s+required\s+\d+$/m);
  const section = text.stdout.split(/\n\n/).find((x) => x.startsWith('Distribution licences (required): missing for '))!;
  const listed = section.split('\n').slice(1);
  assert.equal(listed.length, Number(/missing for (\d+)/.exec(section)![1]), 'every component missing the fact is listed');
  assert.ok(listed.some((l) => /^  busybox@1\.36\.1 \[[^\]]+\]: no distribution \(concluded\) licence$/.test(l)));
});
