import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { projectIdentity, withProjectIdentity, type ProjectIdentityArgs } from './project-options.js';
import { BeambakeError } from '../../util/errors.js';
import { examples, withJson, withVendor } from '../options.js';

const usage = (message: string) => new BeambakeError('INVALID_ARGUMENT', message);

interface VerifyArgs extends ProjectIdentityArgs {
  path: string;
  vendor?: string[];
  registry?: string[];
  repoKey?: string[];
  strict: boolean;
  json: boolean;
  artifact?: string[];
  bundle?: string;
  policy?: string;
  trustedRoot?: string;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify [path]',
  describe: 'Verify vendored Hex tarballs against the lock (and a signed registry snapshot), or artifacts against Sigstore bundles',
  builder: (y: Argv) => {
    let b = withProjectIdentity(y).positional('path', { type: 'string', default: '.', describe: 'Project directory or lockfile' });
    b = withVendor(b, 'Directory of vendored tarballs: DL_DIR, a beambake mirror, or a Hex/rebar3/Gleam package cache')
      .option('registry', {
        type: 'string',
        array: true,
        nargs: 1,
        describe: 'Registry snapshot holding packages/NAME resources; REPO=DIR for one repository (repeatable). Without --vendor: check the lock against it, no tarballs needed',
      })
      .option('repo-key', { type: 'string', array: true, nargs: 1, describe: 'NAME=PEMFILE public key of a self-hosted repository (hex.pm key is built in)' })
      .option('strict', { type: 'boolean', default: false, describe: 'Retired releases and security advisories fail instead of warn' });
    b = withJson(b, 'One record per artifact: {artifact, checks:[{check, result, reason}], result}')
      .option('artifact', { type: 'string', array: true, nargs: 1, describe: 'Verify this file against its Sigstore bundle instead of a project (repeatable)' })
      .option('bundle', { type: 'string', describe: 'Sigstore bundle of --artifact (default: FILE.sigstore.json, FILE.sigstore)' })
      .option('policy', { type: 'string', describe: 'Sigstore policy (JSON/YAML): expected identity and issuer per artifact pattern' })
      .option('trusted-root', { type: 'string', describe: 'Sigstore trusted root JSON (default: the bundled public-good root)' });
    return examples(b, [
      ['$0 verify . --vendor downloads/', 'Check every Hex tarball of the lock in a BitBake DL_DIR'],
      ['$0 verify . --vendor mirror/ --registry snapshot/ --strict', 'Also check hex.pm signatures; retired releases fail'],
      ['$0 verify . --registry snapshot/', 'No tarballs: is every locked checksum one hex.pm signed, and not retired?'],
      ['$0 verify . --vendor ~/.hex/packages/hexpm --json', 'Machine-readable report from the Hex cache'],
      ['$0 verify --artifact otp.tar.gz --policy policy.json', 'Check a release against its Sigstore bundle'],
    ]).check((raw) => {
      const a = raw as unknown as VerifyArgs;
      if (a.artifact && a.artifact.length > 0) {
        if (!a.policy) throw usage('--artifact needs --policy FILE');
        if (a.bundle && a.artifact.length > 1) throw usage('--bundle applies to a single --artifact');
      } else if ((!a.vendor || a.vendor.length === 0) && (!a.registry || a.registry.length === 0)) {
        throw usage('name the vendored tarballs with --vendor DIR, a registry snapshot with --registry DIR (or both), or use --artifact FILE --policy FILE');
      }
      return true;
    }) as unknown as Argv<VerifyArgs>;
  },
  handler: async (args: ArgumentsCamelCase<VerifyArgs>) => {
    const { printJson, progress, reportEntry, warn } = await import('../output.js');
    const { ExitCode } = await import('../../util/errors.js');
    const { notableChecks, summaryLine, summarise } = await import('../../verify/report.js');

    if (args.artifact && args.artifact.length > 0) {
      // Sigstore bundles: the library lives in src/sigstore/ and returns the same record shape.
      const { verifyArtifact, loadPolicy, loadTrustedRoot } = await import('../../sigstore/index.js');
      const policy = loadPolicy(args.policy!);
      const trustedRoot = loadTrustedRoot(args.trustedRoot);
      const records = [];
      for (const artifactPath of args.artifact) {
        records.push(await verifyArtifact({ artifactPath, policy, trustedRoot, ...(args.bundle ? { bundlePath: args.bundle } : {}) }));
      }
      const summary = summarise(records);
      if (args.json) printJson({ artifacts: records, summary });
      else {
        for (const r of records) process.stdout.write(reportEntry(r.result, `${r.artifact}${r.identity ? `  (${r.identity})` : ''}`, notableChecks(r)));
        process.stdout.write(summaryLine(summary, 'artifact') + '\n');
      }
      if (summary.fail > 0) process.exitCode = ExitCode.CHECK_FAILED;
      return;
    }

    const { readProject } = await import('../../lockfiles/index.js');
    const { verifyPackages } = await import('../../verify/index.js');
    const project = await readProject(args.path, projectIdentity(args));
    for (const w of project.warnings) warn(w);
    const bar = progress(project.packages.length, 'verifying');
    let result;
    try {
      result = await verifyPackages(project, {
        vendorDirs: args.vendor ?? [],
        ...(args.registry ? { registry: args.registry } : {}),
        ...(args.repoKey ? { repoKeys: args.repoKey } : {}),
        strict: args.strict,
        onPackage: (r) => bar.tick(r.artifact),
      });
    } finally {
      bar.done();
    }
    if (args.json) {
      printJson({
        project: { name: project.name, version: project.version, lockfile: project.lockfile },
        artifacts: result.records,
        summary: result.summary,
      });
    } else {
      for (const r of result.records) process.stdout.write(reportEntry(r.result, r.artifact, notableChecks(r)));
      process.stdout.write(summaryLine(result.summary) + '\n');
    }
    if (result.summary.fail > 0) process.exitCode = ExitCode.CHECK_FAILED;
  },
};
