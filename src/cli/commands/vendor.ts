import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { projectIdentity, withProjectIdentity, type ProjectIdentityArgs } from './project-options.js';
import { BeambakeError } from '../../util/errors.js';
import { examples, withJson } from '../options.js';

interface VendorArgs extends ProjectIdentityArgs {
  path: string;
  from: string[];
  output: string;
  registry?: string[];
  repoKey?: string[];
  strict: boolean;
  partial: boolean;
  json: boolean;
}

export const vendorCommand: CommandModule<object, VendorArgs> = {
  command: 'vendor [path]',
  describe: 'Copy verified Hex tarballs of a project into a flat mirror BitBake can use as PREMIRRORS (file://)',
  builder: (y: Argv) => {
    let b = withProjectIdentity(y)
      .positional('path', { type: 'string', default: '.', describe: 'Project directory or lockfile' })
      .option('from', { type: 'string', array: true, nargs: 1, demandOption: true, describe: 'Where tarballs are now: DL_DIR, Hex/rebar3/Gleam cache, another mirror (repeatable)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Mirror directory to create or update (atomically)' })
      .option('registry', { type: 'string', array: true, nargs: 1, describe: 'Registry snapshot (packages/NAME); REPO=DIR for one repository (repeatable)' })
      .option('repo-key', { type: 'string', array: true, nargs: 1, describe: 'NAME=PEMFILE public key of a self-hosted repository' })
      .option('strict', { type: 'boolean', default: false, describe: 'Refuse retired releases and releases with advisories' })
      .option('partial', { type: 'boolean', default: false, describe: 'Write the packages that verified even if others did not (still exits 1)' });
    b = withJson(b, 'Print the verification records and the mirror entries as JSON');
    return examples(b, [
      ['$0 vendor . --from ~/.hex/packages/hexpm -o /srv/beam-mirror', 'Mirror the locked packages from the Hex cache'],
      ['$0 vendor . --from build/downloads --registry snapshot/ -o mirror', 'Also require valid hex.pm registry signatures'],
    ]).check((a) => {
      if (a.from.length === 0) throw new BeambakeError('INVALID_ARGUMENT', 'name at least one --from DIR');
      return true;
    }) as unknown as Argv<VendorArgs>;
  },
  handler: async (args: ArgumentsCamelCase<VendorArgs>) => {
    const { printJson, progress, reportEntry, warn } = await import('../output.js');
    const { ExitCode } = await import('../../util/errors.js');
    const { notableChecks } = await import('../../verify/report.js');
    const { vendorProject } = await import('../../vendor/index.js');
    let bar: ReturnType<typeof progress> | undefined;
    let result;
    try {
      result = await vendorProject(args.path, {
        from: args.from,
        out: args.output,
        project: projectIdentity(args),
        ...(args.registry ? { registry: args.registry } : {}),
        ...(args.repoKey ? { repoKeys: args.repoKey } : {}),
        strict: args.strict,
        partial: args.partial,
        onPackage: (r, _i, total) => {
          bar ??= progress(total, 'vendoring');
          bar.tick(r.artifact);
        },
      });
    } finally {
      bar?.done();
    }
    for (const w of result.project.warnings) warn(w);
    const failed = result.records.filter((r) => r.result !== 'pass');
    if (args.json) {
      printJson({ mirror: args.output, written: result.written, artifacts: result.records, rejected: result.rejected, files: [...result.kept, ...result.added].sort((a, b) => (a.file < b.file ? -1 : 1)) });
    } else {
      for (const r of result.rejected) warn(`rejected ${r.file}: ${notableChecks(r).join('; ')}`);
      for (const r of failed) process.stdout.write(reportEntry('fail', r.artifact, notableChecks(r)));
      if (result.written) {
        process.stdout.write(`${args.output}: ${result.added.length} verified tarball(s) written, ${result.kept.length} kept from the previous mirror\n`);
      } else {
        process.stdout.write(`${args.output}: not written, ${failed.length} of ${result.records.length} package(s) did not verify (--partial writes the others)\n`);
      }
    }
    if (failed.length > 0) process.exitCode = ExitCode.CHECK_FAILED;
  },
};
