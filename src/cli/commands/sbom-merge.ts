/**
 * `beambake sbom merge`: registered as a subcommand by `sbom.ts` (owned by
 * the SBOM-WRITE side) through `.command(sbomMergeCommand)`; this module only
 * declares the options and wires them to `src/sbom/merge/`.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import type { MergeProgress } from '../../sbom/merge/index.js';
import { bar, info, printJson, safeText, statusLine, type StatusLine } from '../output.js';
import { examples } from '../options.js';

const mb = (bytes: number): string => (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);

/** The merge's progress on the status line: each input's bytes against its size (a directory has none), then the merge. */
function mergeProgress(line: StatusLine): MergeProgress {
  let label = '';
  let done = 0;
  let total: number | undefined;
  const draw = (force: boolean) => line.update(`reading ${label} ${total ? `${bar(done, total)} ${mb(done)}/${mb(total)} MB` : `${mb(done)} MB`}`, force);
  return {
    reading(path, index, count) {
      label = count > 1 ? `${basename(path)} (${index + 1}/${count})` : basename(path);
      done = 0;
      try {
        const st = statSync(path);
        total = st.isFile() ? st.size : undefined;
      } catch {
        total = undefined; // the reader says what is wrong with it
      }
      draw(true);
    },
    read(bytes) {
      done += bytes;
      draw(false);
    },
    merging(components) {
      line.update(`merging ${components} components`, true);
    },
  };
}

/** The document's chunks, with the bytes written so far on the status line. */
function* countedChunks(chunks: Iterable<string>, output: string, line: StatusLine): Generator<string> {
  let bytes = 0;
  for (const c of chunks) {
    line.update(`writing ${basename(output)} ${mb(bytes)} MB`, bytes === 0);
    bytes += Buffer.byteLength(c);
    yield c;
  }
}

const FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx3-json', 'spdx2-json'] as const;

interface MergeArgs {
  inputs: string[];
  product: string;
  'product-version': string;
  manufacturer: string;
  'manufacturer-url'?: string;
  contact?: string;
  format: (typeof FORMATS)[number];
  output: string;
  explain: boolean;
  vex?: string;
  json: boolean;
  'keep-files': boolean;
  'allow-unreachable': boolean;
}

export const sbomMergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <inputs..>',
  describe: 'Merge Yocto SPDX (2.2 archive/directory, 3.0 JSON-LD), CycloneDX and SPDX 2.3 SBOMs into one device SBOM',
  builder: (y) =>
    examples(
      y
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'SBOM files, Yocto .spdx.tar.zst archives or deploy directories' })
      .option('product', { type: 'string', demandOption: true, describe: 'Device name (the root component)' })
      .option('product-version', { type: 'string', demandOption: true, describe: 'Device version' })
      .option('manufacturer', { type: 'string', demandOption: true, describe: 'Device manufacturer (also the SBOM creator)' })
      .option('manufacturer-url', { type: 'string', describe: 'Manufacturer website (BSI TR-03183-2 needs a URL or e-mail)' })
      .option('contact', { type: 'string', describe: 'Contact e-mail of the manufacturer' })
      .option('format', { alias: 'f', choices: FORMATS, default: 'cyclonedx-json' as const, describe: 'Output format' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Output SBOM (written atomically)' })
      .option('explain', { type: 'boolean', default: false, describe: 'Print every merge decision (identity, folds, placeholders, roots)' })
      .option('vex', { type: 'string', describe: 'Write the vulnerability facts of the inputs as OpenVEX 0.2.0 to this file' })
      .option('keep-files', { type: 'boolean', default: false, describe: 'Keep SPDX files as components instead of folding them into their package' })
      .option('allow-unreachable', { type: 'boolean', default: false, describe: 'Write the SBOM (with a warning) even when components are not reachable from the device and no input says why' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the merge report as JSON' }),
      [
        [
          '$0 sbom merge core-image.spdx.tar.zst app.cdx.json --product Gateway --product-version 2.1 --manufacturer ACME --contact sbom@acme.example -o device.cdx.json',
          'Yocto SPDX 2.2 image archive + beambake layer SBOM -> CycloneDX 1.6',
        ],
        [
          'SOURCE_DATE_EPOCH=1700000000 $0 sbom merge image.spdx.json app.spdx3.json --product Gateway --product-version 2.1 --manufacturer ACME -f spdx3-json -o device.spdx3.json --vex device.vex.json --explain',
          'SPDX 3.0.1 output, OpenVEX beside it, every decision printed',
        ],
      ],
    ),
  handler: async (argv) => {
    const { mergeFiles, renderReport, reportJson, toOpenVex, newestInputTime } = await import('../../sbom/merge/index.js');
    const { sbomChunks } = await import('../../sbom/writers/index.js');
    const { writeFilesAtomic } = await import('../../util/atomic.js');
    const { sourceDateEpoch, isoSeconds } = await import('../../util/time.js');
    const { packageVersion } = await import('../../util/package.js');
    const pkg = { version: packageVersion() };
    const epoch = sourceDateEpoch();
    // progress on a terminal only (statusLine draws nothing otherwise), cleared before anything else is printed
    const line = statusLine();
    try {
      const result = await mergeFiles(
        argv.inputs,
        {
          product: argv.product,
          productVersion: argv['product-version'],
          manufacturer: argv.manufacturer,
          ...(argv['manufacturer-url'] ? { manufacturerUrl: argv['manufacturer-url'] } : {}),
          ...(argv.contact ? { contact: argv.contact } : {}),
          ...(epoch ? { timestamp: epoch } : {}),
          toolVersion: pkg.version,
          keepFiles: argv['keep-files'],
          allowUnreachable: argv['allow-unreachable'],
        },
        mergeProgress(line),
      );
      line.clear();
      if (result.counts.unreachable > 0) {
        const { warn } = await import('../output.js');
        warn(`${result.counts.unreachable} of ${result.graph.components.length} components are not reachable from the device (--explain lists them)`);
      }
      // written in pieces: a device SBOM of 100,000 components is never held as one string
      const chunks = sbomChunks(result.graph, argv.format);
      const text = line.active ? countedChunks(chunks, argv.output, line) : chunks;
      let vexText: string | undefined;
      if (argv.vex) {
        const timestamp = epoch ? isoSeconds(epoch) : newestInputTime(result) ?? '1970-01-01T00:00:00Z';
        const doc = toOpenVex(result.graph, { author: argv.contact ? `${argv.manufacturer} <${argv.contact}>` : argv.manufacturer, timestamp });
        if (doc) vexText = JSON.stringify(doc, null, 2) + '\n';
        else info(`no vulnerability information in the inputs; ${argv.vex} not written`);
      }
      await writeFilesAtomic(argv.vex && vexText ? [[argv.output, text], [argv.vex, vexText]] : [[argv.output, text]]);
      line.clear();
      if (argv.json) printJson({ output: argv.output, format: argv.format, ...(vexText ? { vex: argv.vex } : {}), ...reportJson(result, argv.explain) });
      else {
        process.stderr.write(safeText(renderReport(result, argv.explain)));
        info(`wrote ${argv.output} (${argv.format})${vexText ? ` and ${argv.vex} (OpenVEX 0.2.0)` : ''}`);
      }
    } finally {
      line.clear();
    }
  },
};
