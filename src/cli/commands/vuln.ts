/**
 * `beambake vuln`: offline vulnerability matching of a project or SBOMs
 * against OSV records, written as OpenVEX, CycloneDX VEX, CSAF VEX, JSON or
 * text; `--fail-on` makes it a CI gate.
 */
import type { CommandModule } from 'yargs';
import { includedScopes, projectIdentity, withProjectIdentity, withScopeOption, type ProjectIdentityArgs, type ScopeArgs } from './project-options.js';
import { info, warn } from '../output.js';
import { examples } from '../options.js';

const FORMATS = ['openvex', 'cyclonedx-vex', 'csaf', 'json', 'text'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const LOCKFILES = new Set(['mix.lock', 'rebar.lock', 'manifest.toml']);

interface VulnArgs extends ProjectIdentityArgs, ScopeArgs {
  inputs: string[];
  osv: string[];
  'cve-check'?: string[];
  triage?: string[];
  vex?: string[];
  format: (typeof FORMATS)[number];
  output?: string;
  'fail-on'?: (typeof SEVERITIES)[number];
  author?: string;
  'author-url'?: string;
}

export const vulnCommand: CommandModule<object, VulnArgs> = {
  command: 'vuln [inputs..]',
  describe: 'Match a project (its lock) or SBOMs against OSV advisories offline and write VEX',
  builder: (y) =>
    examples(
      withScopeOption(withProjectIdentity(y))
      .positional('inputs', { type: 'string', array: true, default: ['.'], describe: 'A project directory or lockfile, or SBOM files (layer or device SBOM)' })
      .option('osv', { type: 'string', array: true, demandOption: true, describe: 'OSV records: a directory, a .zip export or a .json file (repeatable)' })
      .option('cve-check', { type: 'string', array: true, describe: "Yocto cve-check JSON: its statuses pass through into the output (repeatable)" })
      .option('vex', { type: 'string', array: true, describe: 'OpenVEX documents to pass through, e.g. the Yocto side from `sbom merge --vex` (repeatable)' })
      .option('triage', { type: 'string', array: true, describe: 'Decisions (JSON/YAML "decisions" list or an OpenVEX document); the only source of not_affected' })
      .option('format', { alias: 'f', choices: FORMATS, default: 'text' as const, describe: 'Output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'Output file (written atomically); stdout when omitted' })
      .option('fail-on', { choices: SEVERITIES, describe: 'Exit 1 when an affected, untriaged vulnerability at or above this CVSS severity remains (unscored counts)' })
      .option('author', { type: 'string', describe: 'Author of the VEX document (default: the SBOM manufacturer, else "Unknown")' })
      .option('author-url', { type: 'string', describe: "Publisher namespace URL (CSAF's publisher.namespace)" }),
      [
        ['$0 vuln myapp --osv advisories/ -f openvex -o myapp.vex.json', 'Match the lock of myapp against a directory of OSV records'],
        ['$0 vuln device.cdx.json --osv hex-osv.zip --cve-check image.cve.json -f cyclonedx-vex -o device.vex.cdx.json', 'The device SBOM with the Yocto cve-check results: one VEX for the image'],
        ['$0 vuln --osv advisories/ --triage triage.yml --fail-on high', 'CI gate: fail on untriaged high or critical vulnerabilities'],
      ],
    ),
  handler: async (argv) => {
    const { existsSync, statSync } = await import('node:fs');
    const { basename } = await import('node:path');
    const { runVuln, writeVuln, failingFindings } = await import('../../vuln/index.js');
    const { writeFileAtomic } = await import('../../util/atomic.js');
    const { packageVersion } = await import('../../util/package.js');
    const { BeambakeError } = await import('../../util/errors.js');
    const inputs = argv.inputs.length ? argv.inputs : ['.'];
    const isSbom = (p: string) => existsSync(p) && statSync(p).isFile() && !LOCKFILES.has(basename(p));
    const sboms = inputs.filter(isSbom);
    if (sboms.length > 0 && sboms.length !== inputs.length) {
      throw new BeambakeError('INVALID_ARGUMENT', `give either one project (directory or lockfile) or SBOM files, not both: ${inputs.filter((p) => !isSbom(p)).join(', ')}`);
    }
    if (sboms.length === 0 && inputs.length > 1) throw new BeambakeError('INVALID_ARGUMENT', `one project at a time, got ${inputs.length}`);
    const result = await runVuln({
      ...(sboms.length ? { sboms } : { project: inputs[0]!, projectIdentity: projectIdentity(argv), includeScopes: includedScopes(argv) }),
      osv: argv.osv,
      ...(argv['cve-check'] ? { cveCheck: argv['cve-check'] } : {}),
      ...(argv.triage ? { triage: argv.triage } : {}),
      ...(argv.vex ? { vex: argv.vex } : {}),
    });
    // a broken export can reject thousands: the first few name the problem, --format json lists all
    for (const r of result.rejected.slice(0, 20)) warn(`${r.origin}: skipped: ${r.problem}`);
    if (result.rejected.length > 20) warn(`... and ${result.rejected.length - 20} more OSV records skipped (-f json lists them all)`);
    for (const n of result.target.notes) info(`note: ${n}`);
    for (const u of result.unusedDecisions) warn(u);
    const author = argv.author ?? result.target.manufacturer ?? 'Unknown';
    const authorUrl = argv['author-url'] ?? result.target.manufacturerUrl;
    const text = writeVuln(result, argv.format, { author, ...(authorUrl ? { authorUrl } : {}), toolVersion: packageVersion() });
    if (argv.output) {
      await writeFileAtomic(argv.output, text);
      const affected = result.findings.filter((f) => f.status === 'affected').length;
      info(`wrote ${argv.output} (${argv.format}: ${result.findings.length} statements, ${affected} affected)`);
    } else process.stdout.write(text);
    if (argv['fail-on']) {
      const failing = failingFindings(result.findings, argv['fail-on']);
      if (failing.length > 0) {
        for (const f of failing) info(`FAIL  ${f.vuln.id} ${f.subject.name} ${f.subject.version ?? ''}${f.fixedVersion ? ` (fix: ${f.fixedVersion})` : ''}`);
        info(`${failing.length} affected, untriaged vulnerabilit${failing.length === 1 ? 'y' : 'ies'} at or above ${argv['fail-on']}`);
        process.exitCode = 1;
      }
    }
  },
};
