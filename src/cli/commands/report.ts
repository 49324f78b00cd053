/**
 * `beambake report`: the technical file a person reads, from the device SBOM
 * and optionally the VEX of `beambake vuln`, the evidence of `beambake verify
 * --json` and a conformance profile check.
 */
import type { CommandModule } from 'yargs';
import { info } from '../output.js';
import { examples } from '../options.js';

const PROFILES = ['bsi-tr-03183-2', 'ntia'] as const;

interface ReportArgs {
  sbom: string;
  vuln?: string;
  verify?: string[];
  'check-profile'?: (typeof PROFILES)[number];
  format: 'html' | 'md';
  output?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Write the technical-file report (self-contained HTML, or Markdown) of a device SBOM',
  builder: (y) =>
    examples(
      y
      .option('sbom', { type: 'string', demandOption: true, describe: 'The device SBOM (any format beambake reads)' })
      .option('vuln', { type: 'string', describe: '`beambake vuln -f json` output or an OpenVEX document' })
      .option('verify', { type: 'string', array: true, describe: '`beambake verify --json` output (repeatable)' })
      .option('check-profile', { choices: PROFILES, describe: 'Check the SBOM against this profile and list each gap with how to fix it' })
      .option('format', { alias: 'f', choices: ['html', 'md'] as const, default: 'html' as const, describe: 'Output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'Output file (written atomically); stdout when omitted' }),
      [
        ['$0 report --sbom device.cdx.json --vuln device.vuln.json --verify verify.json --check-profile bsi-tr-03183-2 -o report.html', 'The full report'],
        ['$0 report --sbom device.cdx.json -f md >> "$GITHUB_STEP_SUMMARY"', 'A Markdown summary for CI'],
      ],
    ),
  handler: async (argv) => {
    const { collectReport, renderHtml, renderMarkdown } = await import('../../report/index.js');
    const { writeFileAtomic } = await import('../../util/atomic.js');
    const { packageVersion } = await import('../../util/package.js');
    const { sourceDateEpoch, isoSeconds } = await import('../../util/time.js');
    const epoch = sourceDateEpoch();
    const data = await collectReport({
      sbom: argv.sbom,
      ...(argv.vuln ? { vuln: argv.vuln } : {}),
      ...(argv.verify ? { verify: argv.verify } : {}),
      ...(argv['check-profile'] ? { checkProfile: argv['check-profile'] } : {}),
      ...(epoch ? { generated: isoSeconds(epoch) } : {}),
      toolVersion: packageVersion(),
    });
    const text = argv.format === 'md' ? renderMarkdown(data) : renderHtml(data);
    if (argv.output) {
      await writeFileAtomic(argv.output, text);
      info(`wrote ${argv.output} (${argv.format}: ${data.components.length} components${data.vulns ? `, ${data.vulns.rows.length} vulnerability statements` : ''})`);
    } else process.stdout.write(text);
  },
};
