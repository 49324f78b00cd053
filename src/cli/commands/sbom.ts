import { existsSync } from 'node:fs';
import { includedScopes, projectIdentity, withProjectIdentity, withScopeOption, type ProjectIdentityArgs, type ScopeArgs } from './project-options.js';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../../util/errors.js';
import { info, printJson, safeLine, style, table, warn } from '../output.js';
import { sbomMergeCommand } from './sbom-merge.js';
import { examples, hexRepoSpecs, withHexRepo, withJson, withVendor } from '../options.js';
// `sbom merge` lives in sbom-merge.ts (SBOM-MERGE side); registered below as a subcommand

const FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'] as const;
const PROFILES = ['bsi-tr-03183-2', 'ntia'] as const;

interface GenerateArgs extends ProjectIdentityArgs, ScopeArgs {
  release?: string;
  path: string;
  format: (typeof FORMATS)[number];
  output?: string;
  vendor?: string[];
  json: boolean;
  'otp-version'?: string;
  'erts-version'?: string;
  'elixir-version'?: string;
  'otp-from-host': boolean;
  'extra-application'?: string[];
  author?: string;
  'author-email'?: string;
  'author-url'?: string;
  manufacturer?: string;
  'manufacturer-email'?: string;
  'manufacturer-url'?: string;
  'hex-repo'?: string[];
}

interface CheckArgs {
  file: string;
  profile: (typeof PROFILES)[number];
  json: boolean;
  summary: boolean;
  shacl: boolean;
}

function party(name?: string, email?: string, url?: string): { name?: string; email?: string; urls?: string[] } | undefined {
  if (!name && !email && !url) return undefined;
  return { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(url ? { urls: [url] } : {}) };
}

const generateCommand: CommandModule<object, GenerateArgs> = {
  command: '$0 [path]',
  describe: 'Write the SBOM of a project (application, Hex/git dependencies, ERTS and OTP applications)',
  builder: (y) => {
    let b = withScopeOption(withProjectIdentity(y))
      .positional('path', { type: 'string', default: '.', describe: 'Project directory or lockfile' })
      .option('release', { type: 'string', describe: 'The SBOM of this release (relx / mix.exs releases): its name, version and own applications' })
      .option('format', { alias: 'f', choices: FORMATS, default: 'cyclonedx-json' as const, describe: 'Output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'Output file (written atomically); stdout when omitted' });
    b = withVendor(b, 'Directory of vendored Hex tarballs: adds SHA-512, licences and links')
      .option('otp-version', { type: 'string', describe: 'Target OTP release, recorded on ERTS and the OTP applications' })
      .option('erts-version', { type: 'string', describe: 'Target ERTS version' })
      .option('elixir-version', { type: 'string', describe: 'Target Elixir version (for elixir, logger, ...)' })
      .option('otp-from-host', { type: 'boolean', default: false, describe: "Take OTP/Elixir versions from the host's erl/elixir" })
      .option('extra-application', { type: 'string', array: true, nargs: 1, describe: 'OTP application the release includes beyond what the project file says' })
      .option('author', { type: 'string', describe: 'Name of the SBOM creator' })
      .option('author-email', { type: 'string', describe: 'E-mail of the SBOM creator (BSI TR-03183-2 needs e-mail or URL)' })
      .option('author-url', { type: 'string', describe: 'URL of the SBOM creator' })
      .option('manufacturer', { type: 'string', describe: 'Creator of the application (defaults to the SBOM creator)' })
      .option('manufacturer-email', { type: 'string', describe: 'E-mail of the application creator' })
      .option('manufacturer-url', { type: 'string', describe: 'URL of the application creator' });
    b = withJson(withHexRepo(b), 'With -o: print what was written (file, format, counts) as JSON');
    return examples(b, [
      ['$0 sbom -o app.cdx.json', 'CycloneDX 1.6 JSON for the project in the current directory'],
      ['$0 sbom path/to/app --format spdx3-json --vendor deps-cache -o app.spdx3.json', 'SPDX 3.0.1 with SHA-512 and licences from vendored tarballs'],
      ['$0 sbom --include-scope dev,test -o all.cdx.json', 'Also list dev/test dependencies, as CycloneDX scope "excluded"'],
      ['SOURCE_DATE_EPOCH=1700000000 $0 sbom --author-email sbom@example.com --otp-version 26', 'Reproducible timestamp, BSI creator, target OTP'],
    ]) as unknown as Argv<GenerateArgs>;
  },
  handler: async (argv) => {
    const { readProject } = await import('../../lockfiles/index.js');
    const { projectToSbomGraph } = await import('../../sbom/from-project.js');
    const { sbomChunks, writeSbomToStream } = await import('../../sbom/writers/index.js');
    const { writeChunksAtomic } = await import('../../util/atomic.js');
    const { BeambakeError } = await import('../../util/errors.js');
    const { isDirectory } = await import('../../util/files.js');
    const hexRepoUrls: Record<string, string> = {};
    for (const spec of hexRepoSpecs(argv, warn)) {
      const m = /^([^=\s]+)=(https?:\/\/\S+)$/.exec(spec);
      if (!m) throw new BeambakeError('INVALID_ARGUMENT', `--hex-repo "${spec}": expected NAME=https://URL`);
      hexRepoUrls[m[1]!] = m[2]!;
    }
    for (const dir of argv.vendor ?? []) {
      if (!isDirectory(dir)) throw new BeambakeError('IO', existsSync(dir) ? 'vendor directory: not a directory' : 'vendor directory: no such file or directory', { file: dir });
    }
    const scopes = includedScopes(argv);
    const read = await readProject(argv.path, projectIdentity(argv));
    for (const w of read.warnings) warn(w);
    let project = read;
    let releaseApps: string[] | undefined;
    if (argv.release !== undefined) {
      const r = (read.releases ?? []).find((x) => x.name === argv.release);
      if (!r) {
        const names = (read.releases ?? []).map((x) => x.name);
        throw new BeambakeError('INVALID_ARGUMENT', `--release ${argv.release}: ${names.length > 0 ? `no such release (the project defines ${names.join(', ')})` : 'the project defines no releases'}`);
      }
      const version = argv['app-version'] ?? r.version;
      const held = r.packages ? new Set(r.packages) : undefined;
      project = {
        ...read,
        name: r.name,
        ...(version !== undefined ? { version } : { version: undefined }),
        ...(held ? { packages: read.packages.filter((p) => held.has(p.app) || (p.scope ?? 'prod') !== 'prod' || p.runtime === false) } : {}),
      };
      releaseApps = r.apps;
    }
    const graph = await projectToSbomGraph(project, {
      ...(releaseApps ? { releaseApps } : {}),
      includeScopes: scopes,
      ...(argv.vendor && argv.vendor.length > 0 ? { vendorDir: argv.vendor } : {}),
      otpVersion: argv['otp-version'],
      ertsVersion: argv['erts-version'],
      elixirVersion: argv['elixir-version'],
      hostOtp: argv['otp-from-host'],
      extraApplications: argv['extra-application'],
      author: party(argv.author, argv['author-email'], argv['author-url']),
      manufacturer: party(argv.manufacturer, argv['manufacturer-email'], argv['manufacturer-url']),
      hexRepoUrls,
    });
    if (!graph.metadata.timestamp && argv.format.startsWith('spdx')) {
      warn('SOURCE_DATE_EPOCH is not set; SPDX requires a creation time, so 1970-01-01T00:00:00Z is written');
    }
    // In pieces, never one string: 100,000 components are more text than V8 can hold in one.
    if (argv.output) {
      await writeChunksAtomic(argv.output, sbomChunks(graph, argv.format));
      const left = leftOut(project.packages, scopes);
      if (argv.json) printJson({ output: argv.output, format: argv.format, components: graph.components.length, dependencyEdges: graph.edges.length });
      else info(`wrote ${argv.output} (${argv.format}, ${graph.components.length} components, ${graph.edges.length} dependency edges${left})`);
    } else {
      // without -o the SBOM itself is the output (JSON already, for the JSON formats)
      await writeSbomToStream(graph, argv.format, process.stdout);
    }
  },
};

/** `; left out 6 dev, 7 test (--include-scope adds them)`: what the default selection did not list. */
function leftOut(packages: import('../../model.js').Package[], scopes: string[]): string {
  const counts = new Map<string, number>();
  for (const p of packages) {
    const s = p.scope ?? 'prod';
    const key = s === 'prod' ? (p.runtime === false && !scopes.includes('dev') ? 'compile-time only' : undefined) : scopes.includes(s) ? undefined : s;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return '';
  return `; left out ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')} (--include-scope adds them)`;
}

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <file>',
  describe: 'Validate an SBOM against its official schema and a conformance profile',
  builder: (y) =>
    examples(
      withJson(
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'CycloneDX (JSON/XML), SPDX 2.x JSON or SPDX 3 JSON-LD file' })
          .option('profile', { choices: PROFILES, default: 'bsi-tr-03183-2' as const, describe: 'Required fields to check' })
          .option('summary', { type: 'boolean', default: false, describe: 'One line per requirement: how many miss it, and which input or option fills the gap' })
          .option('shacl', { type: 'boolean', default: true, describe: 'Validate SPDX 3 against the 3.0.1 SHACL shapes (--no-shacl skips it)' }),
        'Print the report as JSON',
      ),
      [
        ['$0 sbom check app.cdx.json', 'Schema + BSI TR-03183-2 v2.1 required fields, per component'],
        ['$0 sbom check device.cdx.json --summary', 'One line per requirement with counts and how to fill each gap'],
        ['$0 sbom check device.spdx3.json --profile ntia --json', 'NTIA minimum elements as JSON'],
      ],
    ) as unknown as Argv<CheckArgs>,
  handler: async (argv) => {
    const { checkSbomFile, requirementSummary } = await import('../../sbom/check/index.js');
    const report = await checkSbomFile(argv.file, argv.profile, { shacl: argv.shacl });
    if (argv.json) printJson(argv.summary ? { ...report, requirements: requirementSummary(report) } : report);
    else if (argv.summary) process.stdout.write(renderSummary(report, requirementSummary(report)));
    else process.stdout.write(renderCheck(report));
    if (!report.passed) process.exitCode = ExitCode.CHECK_FAILED;
  },
};

type Report = Awaited<ReturnType<(typeof import('../../sbom/check/index.js'))['checkSbomFile']>>;

function renderSummary(r: Report, reqs: ReturnType<(typeof import('../../sbom/check/index.js'))['requirementSummary']>): string {
  const lines = [`${r.file}: ${r.format} ${r.specVersion}, ${r.components} components; schema ${r.schema.valid ? 'valid' : 'INVALID'}; profile ${r.profile} ${r.passed ? 'passed' : 'FAILED'}`];
  for (const q of reqs) {
    const status = q.missing === 0 ? 'ok' : q.of === 1 ? `${q.missing} problem(s)` : `missing for ${q.missing} of ${q.of}`;
    lines.push(`${q.field} (${q.level}): ${status}${q.fill ? ` -> ${q.fill}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

function renderCheck(r: Report): string {
  const lines: string[] = [];
  lines.push(safeLine(`${r.file}: ${r.format} ${r.specVersion}, ${r.components} components`));
  lines.push(`schema ${r.schema.schema}: ${r.schema.valid ? style.green('valid') : style.red('INVALID')}`);
  for (const p of r.schema.problems.slice(0, 20)) lines.push(`  ${safeLine(`${p.path}: ${p.message}`)}`);
  if (r.shacl) lines.push(`shacl ${r.shacl.shapes}: ${r.shacl.conforms ? style.green('conforms') : style.red(`${r.shacl.total} violation(s)`)}`);
  const required = r.findings.filter((f) => f.level === 'required');
  lines.push(`profile ${r.profile}: ${r.passed ? style.green('passed') : style.red('FAILED')} (${required.length} required fields missing)`);
  if (r.summary.length > 0) {
    lines.push('');
    lines.push(table(['FIELD', 'LEVEL', 'MISSING'], r.summary.map((s) => [s.field, s.level, String(s.missing)])).trimEnd());
    // every missing fact by name, grouped by field: the list an assessor works through
    for (const s of r.summary) {
      lines.push('', safeLine(`${s.field} (${s.level}${s.level === 'additional' ? ', where it exists' : ''}): missing for ${s.missing}`));
      for (const f of r.findings) if (f.field === s.field && f.level === s.level) lines.push(`  ${safeLine(`${f.component ?? '(document)'}: ${f.message}`)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const sbomCommand: CommandModule<object, object> = {
  command: 'sbom',
  describe: 'Write, check and merge SBOMs (CycloneDX 1.6, SPDX 3.0.1, SPDX 2.3)',
  builder: (y: Argv) =>
    y
      .command(checkCommand as CommandModule<object, CheckArgs>)
      .command(sbomMergeCommand as unknown as CommandModule<object, object>)
      .command(generateCommand as CommandModule<object, GenerateArgs>) as unknown as Argv<object>,
  handler: () => undefined,
};
