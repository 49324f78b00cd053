/**
 * Seeded mutation fuzzing of every reader beambake has. Each reader gets
 * seed inputs (generated, and real corpus files where the corpus has them;
 * the SBOM readers small documents of every format cut from the corpus, see
 * sbom-seeds.ts), and each iteration applies one to three mutations (byte flips, deleted,
 * duplicated or swapped ranges, inserted syntax, control characters, huge
 * numbers, hostile names, nesting up to 100,000 deep, truncation) and reads
 * the result in-process, then runs the lock gate as every command does.
 *
 * A reader passes an input when it returns or throws a BeambakeError whose
 * message is one line. Anything else (a TypeError or RangeError, which the
 * CLI reports as an internal error, exit 70), any read over 10 s, and any
 * read that never settles (given up on after 15 s) is a finding. A CLI phase runs `deps`, `vendor` and `recipe` on mutated
 * projects inside a sandbox and checks exit codes, stack traces and that
 * nothing is written outside the sandbox.
 *
 *   node dist/test/fuzz/run.js [--per-reader N] [--seed S] [--cli N] [--only NAME,NAME]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { parseGleamManifest, parseMixLock, parseRebarLock } from '../../src/lockfiles/index.js';
import { validateLockedPackages } from '../../src/validate/lock.js';
import { readMixProject } from '../../src/project/mix.js';
import { readRebarProject } from '../../src/project/rebar.js';
import { readGleamProject } from '../../src/project/gleam.js';
import { assembleHexTarball, createHexTarball, gzipDeterministic, inspectHexTarball } from '../../src/hex/tarball.js';
import { writeTar } from '../../src/hex/tar.js';
import { decodeSignedPackage } from '../../src/hex/registry.js';
import { readSbom } from '../../src/sbom/readers/index.js';
import { checkSbomText } from '../../src/sbom/check/index.js';
import { BeambakeError } from '../../src/util/errors.js';
import { packYocto, sbomSeeds, type YoctoSet } from './sbom-seeds.js';
import { gleamManifest, mixLock, rebarLock, writeProject, MIX_EXS, REBAR_CONFIG, GLEAM_TOML, APP_SRC } from '../../bench/lib/generate.js';
import { encodePackage, signedResource } from '../verify/fixture.js';
import { corpusDir, fixturesDir } from '../helpers/paths.js';
import { rng } from '../helpers/rng.js';

export const SLOW_MS = 10_000;
/** A read still pending after this is given up on (and counted slow, as it is over SLOW_MS). */
const HANG_MS = 15_000;
class NeverSettled extends Error {}


type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** Fragments that mean something to one of the formats, or to a terminal, or to a path. */
const TOKENS = [
  '{', '}', '[', ']', '<<', '>>', '%{', '#{', '(', ')', ',', '.', '=>', ':', '::', '|', '"', "'", '\\', '$', '=', '[[', ']]',
  '\n', '\r\n', '\t', '\u0000', '\u001b[2J', '\u001b]0;x\u0007', '\u202e', '\uFEFF', '\uD800', '%', '#', '--', '-', '+',
  'fun ', 'fun m:f/1', ':hex', ':git', '{pkg,', 'pkg_hash', 'nil', 'true', '1e309', '-0', '0x1F', '16#FF', '2#102',
  '99999999999999999999999999999999', '-99999999999999999999', '1.0e-400', 'NaN', 'inf',
  'a/../../../../escaped_pkg', '../../etc/passwd', '/etc/passwd', '${@os.system("x")}', '"; rm -rf / #', 'x'.repeat(300),
  '<bom>', '</bom>', '<component>', '<!ENTITY x "y">', '&x;', '<![CDATA[', '"@graph"', '"SPDXID"', '"spdxVersion":"SPDX-2.3"',
  'name = "x"', '[requirements]', 'packages = [', 'version = ', '"""', "'''", 'outer_checksum = "zz"',
];

function nest(r: Rand): string {
  const depth = pick(r, [50, 1000, 1001, 5000, 100_000]);
  const [open, close] = pick(r, [['[', ']'], ['{', '}'], ['<<', '>>'], ['%{a: ', '}'], ['#{a => ', '}'], ['{"a":', '}'], ['<a>', '</a>'], ['{a=', '}']]);
  return open.repeat(depth) + '1' + close.repeat(depth);
}

/** One to three mutations of a text. */
export function mutateText(r: Rand, text: string): string {
  let s = text;
  for (let k = 0, n = 1 + int(r, 3); k < n; k++) {
    const at = int(r, s.length + 1);
    const len = int(r, Math.min(64, s.length - at) + 1);
    switch (int(r, 9)) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(int(r, 0x80) || 0x20) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      case 3:
      case 4:
        s = s.slice(0, at) + pick(r, TOKENS) + s.slice(at);
        break;
      case 5:
        s = s.slice(0, at);
        break;
      case 6: {
        const b = int(r, s.length + 1);
        const [x, y] = at < b ? [at, b] : [b, at];
        s = s.slice(0, x) + s.slice(y, Math.min(s.length, y + len)) + s.slice(x + len, y) + s.slice(x, x + len) + s.slice(Math.min(s.length, y + len));
        break;
      }
      case 7:
        if (r() < 0.15) s = s.slice(0, at) + nest(r) + s.slice(at);
        else s = s.slice(0, at) + String.fromCodePoint(int(r, 0x3000)) + s.slice(at);
        break;
      default: {
        // replace a quoted value with a hostile one: names, versions and paths are what readers pass on
        const m = /"[^"\n]{1,80}"/g;
        const found = [...s.matchAll(m)];
        if (found.length > 0) {
          const f = pick(r, found);
          s = s.slice(0, f.index) + JSON.stringify(pick(r, TOKENS)) + s.slice(f.index + f[0].length);
        }
      }
    }
  }
  return s;
}

export function mutateBytes(r: Rand, data: Uint8Array): Buffer {
  const b = Buffer.from(data);
  let out = b;
  for (let k = 0, n = 1 + int(r, 4); k < n; k++) {
    const at = int(r, out.length);
    switch (int(r, 4)) {
      case 0:
        out[at] = out[at]! ^ (1 << int(r, 8));
        break;
      case 1:
        out[at] = int(r, 256);
        break;
      case 2:
        out = out.subarray(0, at);
        break;
      default:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(pick(r, TOKENS)), out.subarray(at)]);
    }
  }
  return out;
}

export interface Outcome {
  ok: number;
  /** Refused with a one-line BeambakeError. */
  refused: number;
  /** Anything else: the finding, with the input that caused it. */
  crashes: { error: string; input: string }[];
  /** Reads over SLOW_MS; `pending`: given up on after HANG_MS, still unsettled. */
  slow: { ms: number; input: string; pending?: boolean }[];
  maxMs: number;
}

/** A file's text or bytes, or (SBOM inputs) a Yocto SPDX output of several files. */
export type Input = string | Buffer | YoctoSet;

export interface Reader {
  name: string;
  seeds: () => Promise<Input[]>;
  mutate: (r: Rand, seed: Input) => Input;
  read: (input: Input, work: string) => Promise<unknown> | unknown;
}

const corpusFiles = (pattern: RegExp, limit: number): string[] => {
  const all = readdirSync(corpusDir, { recursive: true, encoding: 'utf8' }).filter((f) => pattern.test(f)).sort();
  // small files first: mutations of a 2 MB lock cost more than they find
  return all
    .map((f) => join(corpusDir, f))
    .map((p) => [p, readFileSync(p).length] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, limit)
    .map(([p]) => p);
};
const texts = (pattern: RegExp, limit: number) => corpusFiles(pattern, limit).map((p) => readFileSync(p, 'utf8'));
const text = (x: Input) => (typeof x === 'string' ? x : Buffer.isBuffer(x) ? x.toString('utf8') : '');
const isSet = (x: Input): x is YoctoSet => typeof x !== 'string' && !Buffer.isBuffer(x);

function inDir(work: string, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(work, 'p-'));
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), c);
  }
  return dir;
}

export function readers(): Reader[] {
  const lockRead = (parse: (t: string, f: string) => { packages: Parameters<typeof validateLockedPackages>[0] }) => (input: Input) => {
    validateLockedPackages(parse(text(input), 'fuzz.lock').packages);
  };
  // a fixed key: the signed bytes, and so the mutations a seed makes of them, are the same on every run
  const privateKey = createPrivateKey(readFileSync(join(fixturesDir, 'keys', 'fuzz-registry.pem')));
  const key = { privateKey, publicPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
  return [
    { name: 'mix.lock', seeds: async () => [mixLock(12), ...texts(/(^|\/)mix\.lock$/, 6)], mutate: (r, s) => mutateText(r, text(s)), read: lockRead(parseMixLock) },
    { name: 'rebar.lock', seeds: async () => [rebarLock(12), ...texts(/(^|\/)rebar\.lock$/, 6)], mutate: (r, s) => mutateText(r, text(s)), read: lockRead(parseRebarLock) },
    { name: 'manifest.toml', seeds: async () => [gleamManifest(12), ...texts(/(^|\/)manifest\.toml$/, 5)], mutate: (r, s) => mutateText(r, text(s)), read: lockRead(parseGleamManifest) },
    {
      name: 'mix.exs',
      seeds: async () => [MIX_EXS, ...texts(/(^|\/)mix\.exs$/, 8)],
      mutate: (r, s) => mutateText(r, text(s)),
      read: (input, work) => readMixProject(inDir(work, { 'mix.exs': text(input) })),
    },
    {
      name: 'rebar.config',
      seeds: async () => [REBAR_CONFIG, ...texts(/(^|\/)rebar\.config$/, 8)],
      mutate: (r, s) => mutateText(r, text(s)),
      read: (input, work) => readRebarProject(inDir(work, { 'rebar.config': text(input), 'src/big.app.src': APP_SRC })),
    },
    {
      name: 'gleam.toml',
      seeds: async () => [GLEAM_TOML, ...texts(/(^|\/)gleam\.toml$/, 6)],
      mutate: (r, s) => mutateText(r, text(s)),
      read: (input, work) => readGleamProject(inDir(work, { 'gleam.toml': text(input) })),
    },
    {
      name: 'hex tarball',
      seeds: async () => [
        ...corpusFiles(/\.tar$/, 4).map((p) => readFileSync(p)),
        createHexTarball({ name: 'fuzz', version: '1.0.0', app: 'fuzz', build_tools: ['rebar3'], licenses: ['MIT'], files: { 'src/fuzz.erl': '-module(fuzz).\n', LICENSE: 'MIT' } }).tarball,
      ],
      mutate: (r, s) => {
        const seed = s as Buffer;
        if (r() < 0.5) return mutateBytes(r, seed);
        // keep the checksums right so the mutation reaches metadata.config and the contents checks
        const md = `{<<"name">>,<<"fuzz">>}.\n{<<"version">>,<<"1.0.0">>}.\n{<<"app">>,<<"fuzz">>}.\n{<<"build_tools">>,[<<"rebar3">>]}.\n{<<"licenses">>,[<<"MIT">>]}.\n{<<"files">>,[<<"src/fuzz.erl">>]}.\n`;
        const entries = [
          { path: 'src/fuzz.erl', content: Buffer.from('-module(fuzz).\n') },
          ...(r() < 0.5 ? [{ path: pick(r, ['l', 'd/l1', 'src/x']), type: 'symlink' as const, linkname: pick(r, ['..', 'd/l1/..', '../x', 'src', '.', '/etc']) }] : []),
        ];
        const contents = r() < 0.5 ? gzipDeterministic(writeTar(entries)) : mutateBytes(r, gzipDeterministic(writeTar(entries)));
        return assembleHexTarball(r() < 0.7 ? mutateText(r, md) : md, contents).tarball;
      },
      read: (input) => inspectHexTarball(input as Buffer, { file: 'fuzz.tar' }),
    },
    {
      name: 'registry resource',
      seeds: async () => [Buffer.from(encodePackage({ name: 'fuzz', repository: 'hexpm', releases: [{ version: '1.0.0', inner: 'a'.repeat(64), outer: 'b'.repeat(64) }, { version: '1.1.0', inner: 'c'.repeat(64), retired: { reason: 1, message: 'x' } }] }))],
      mutate: (r, s) => {
        const payload = s as Buffer;
        // half: the signed bytes themselves; half: a mutated payload signed with the key (reaches the protobuf decoder)
        if (r() < 0.5) return mutateBytes(r, signedResource(payload, key.privateKey));
        return signedResource(mutateBytes(r, payload), key.privateKey);
      },
      read: (input) => decodeSignedPackage(input as Buffer, keyObject(key.publicPem), 'fuzz.bin.gz'),
    },
    {
      name: 'SBOM input',
      seeds: sbomSeeds,
      mutate: (r, s) => (isSet(s) ? mutateYocto(r, s) : mutateText(r, text(s))),
      read: async (input, work) => {
        if (isSet(input)) return readSbom(inDir(work, Object.fromEntries(input.members)));
        const dir = inDir(work, { 'in.sbom': input });
        if (Buffer.isBuffer(input)) return readSbom(join(dir, 'in.sbom'));
        try {
          await readSbom(join(dir, 'in.sbom'));
        } finally {
          await checkSbomText(input, join(dir, 'in.sbom')).catch((e: unknown) => {
            if (!(e instanceof BeambakeError)) throw e;
          });
        }
      },
    },
  ];
}

/**
 * A Yocto SPDX output: the packed bytes mutated, or one member's text (or
 * the member dropped) with index.json's SHA-1s mostly kept right, so the
 * mutation reaches the document parser rather than the checksum check.
 */
function mutateYocto(r: Rand, s: YoctoSet): Input {
  if (s.pack !== 'dir' && r() < 0.3) return mutateBytes(r, packYocto(s));
  const members = s.members.slice();
  const i = int(r, members.length);
  if (r() < 0.1) members.splice(i, 1);
  else members[i] = [members[i]![0], mutateText(r, members[i]![1])];
  if (i > 0 && r() < 0.8 && members[0]?.[0] === 'index.json' && members[i]) {
    try {
      const index = JSON.parse(members[0][1]) as { documents: { filename: string; sha1?: string }[] };
      const entry = index.documents.find((d) => d.filename === members[i]![0]);
      if (entry) entry.sha1 = createHash('sha1').update(members[i]![1]).digest('hex');
      members[0] = ['index.json', JSON.stringify(index, null, 2)];
    } catch {
      // a mutated index stays as it is
    }
  }
  const set = { pack: s.pack, members };
  return s.pack === 'dir' ? set : packYocto(set);
}

let publicKey: KeyObject | undefined;
function keyObject(pem: string): KeyObject {
  return (publicKey ??= createPublicKey(pem));
}

const oneLine = (e: BeambakeError) => !e.format().includes('\n');

/** Run `n` mutations of `reader`'s seeds. */
export async function fuzzReader(reader: Reader, n: number, seed: number): Promise<Outcome> {
  const r = rng(seed);
  const seeds = await reader.seeds();
  const work = mkdtempSync(join(tmpdir(), 'beambake-fuzz-'));
  const out: Outcome = { ok: 0, refused: 0, crashes: [], slow: [], maxMs: 0 };
  try {
    for (let i = 0; i < n; i++) {
      const input = reader.mutate(r, pick(r, seeds));
      const start = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let pending = false;
      // a read whose promise never settles would end the run silently (exit 13): give up on it after 15 s
      const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new NeverSettled()), HANG_MS)));
      try {
        await Promise.race([reader.read(input, work), hang]);
        out.ok++;
      } catch (e) {
        if (e instanceof NeverSettled) pending = true;
        else if (e instanceof BeambakeError && oneLine(e)) out.refused++;
        else out.crashes.push({ error: e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e), input: preview(input) });
      }
      clearTimeout(timer);
      const ms = performance.now() - start;
      out.maxMs = Math.max(out.maxMs, ms);
      if (ms > SLOW_MS || pending) out.slow.push({ ms, input: preview(input), ...(pending ? { pending } : {}) });
      // the project readers write one small directory per input
      if (i % 200 === 199) for (const d of readdirSync(work)) rmSync(join(work, d), { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

function preview(input: Input): string {
  const s = typeof input === 'string' ? input : Buffer.isBuffer(input) ? input.toString('latin1') : `${input.pack} ${JSON.stringify(input.members)}`;
  return JSON.stringify(s.length > 300 ? s.slice(0, 300) + '...' : s);
}

export interface CliOutcome {
  runs: number;
  byStatus: Record<string, number>;
  findings: string[];
}

/**
 * `deps`, `vendor`, `recipe` and `sbom` through the real CLI on mutated
 * projects, and `sbom check` / `sbom merge` on mutated SBOM inputs, all in
 * root/a/b/sandbox: exit 70, a stack trace, or any new file in root, root/a
 * or root/a/b (what `../` in a name would reach) is a finding.
 */
export async function fuzzCli(cli: string, n: number, seed: number): Promise<CliOutcome> {
  const r = rng(seed);
  const root = mkdtempSync(join(tmpdir(), 'beambake-fuzz-cli-'));
  const out: CliOutcome = { runs: 0, byStatus: {}, findings: [] };
  const outside = () => [root, join(root, 'a'), join(root, 'a', 'b')].flatMap((d) => readdirSync(d).map((f) => join(d, f))).sort().join('\n');
  const sboms = await sbomSeeds();
  try {
    const sandbox = join(root, 'a', 'b', 'sandbox');
    mkdirSync(join(sandbox, 'cache'), { recursive: true });
    const before = outside();
    const locks: [string, string, string, string][] = [
      ['mix.exs', MIX_EXS, 'mix.lock', mixLock(8)],
      ['rebar.config', REBAR_CONFIG, 'rebar.lock', rebarLock(8)],
      ['gleam.toml', GLEAM_TOML, 'manifest.toml', gleamManifest(8)],
    ];
    for (let i = 0; i < n; i++) {
      const project = join(sandbox, `p${i}`);
      mkdirSync(join(project, 'src'), { recursive: true });
      let args: string[];
      let shown: string;
      if (r() < 0.3) {
        // an SBOM input: a file, or a Yocto deploy directory
        const seedInput = pick(r, sboms);
        const input = isSet(seedInput) ? mutateYocto(r, seedInput) : mutateText(r, seedInput);
        let path = join(project, 'in.sbom');
        if (isSet(input)) {
          path = join(project, 'deploy');
          mkdirSync(path);
          for (const [name, t] of input.members) writeFileSync(join(path, name), t);
        } else writeFileSync(path, input);
        shown = preview(input);
        const check = [
          ['sbom', 'check', path],
          ['sbom', 'check', path, '--json'],
        ];
        // `sbom check` reads one document, not a Yocto deploy directory (that is `sbom merge`'s)
        args = pick(r, [
          ...(isSet(input) ? [] : check),
          ['sbom', 'merge', path, '--product', 'Fuzz', '--product-version', '1', '--manufacturer', 'Fuzz', '-o', join(sandbox, `merged${i}.cdx.json`), '--vex', join(sandbox, `vex${i}.json`)],
          ['sbom', 'merge', path, '--product', 'Fuzz', '--product-version', '1', '--manufacturer', 'Fuzz', '-f', 'spdx3-json', '-o', join(sandbox, `merged${i}.spdx3.json`)],
        ]);
      } else {
        const [pf, pt, lf, lt] = pick(r, locks);
        writeFileSync(join(project, pf), pt);
        writeFileSync(join(project, 'src', 'big.app.src'), APP_SRC);
        const lock = mutateText(r, lt);
        writeFileSync(join(project, lf), lock);
        shown = `lock ${preview(lock)}`;
        args = pick(r, [
          ['deps', project],
          ['deps', project, '--json'],
          ['vendor', project, '--from', join(sandbox, 'cache'), '-o', join(sandbox, `mirror${i}`)],
          // Gleam recipes need gleam-native, which meta-erlang has for wrynose only (else: usage error, exit 2)
          ['recipe', project, '-o', join(sandbox, `layer${i}`), '--source', project, ...(lf === 'manifest.toml' ? ['--yocto', 'wrynose'] : [])],
          ['sbom', project, '--format', 'cyclonedx-json', '-o', join(sandbox, `sbom${i}.json`)],
        ]);
      }
      const res = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: SLOW_MS * 3, env: { ...process.env, NO_COLOR: '1' } });
      out.runs++;
      const status = res.status === null ? `signal ${res.signal}` : String(res.status);
      out.byStatus[status] = (out.byStatus[status] ?? 0) + 1;
      // 0, 1 (check failed) and 3 (bad input) are the only answers to a mutated input: 70 is a bug, a
      // signal a hang, 13 a promise left pending, 2 and 4 a usage or I/O error these fixed arguments cannot cause
      if (res.status === null || ![0, 1, 3].includes(res.status) || /\n\s+at .+:\d+:\d+\)?\n/.test(res.stderr)) {
        out.findings.push(`${args.slice(0, 2).join(' ')} exit ${status}: ${res.stderr.split('\n')[0]} (${shown})`);
      }
      const now = outside();
      if (now !== before) {
        out.findings.push(`${args[0]} wrote outside the sandbox: ${now}`);
        break;
      }
      rmSync(project, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}
