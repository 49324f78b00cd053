import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { projectIdentity, withProjectIdentity, type ProjectIdentityArgs } from './project-options.js';
import { examples, hexRepoSpecs, withHexRepo, withJson, withVendor, withYocto, type HexRepoArgs } from '../options.js';

interface RecipeArgs extends ProjectIdentityArgs, HexRepoArgs {
  path: string;
  output: string;
  yocto: string;
  source?: string;
  branch?: string;
  allowUnpinned: boolean;
  check: boolean;
  ignoreAppRevision: boolean;
  license?: string;
  profile?: string;
  machineSpecific: boolean;
  vendor?: string[];
  json: boolean;
}

export const recipeCommand: CommandModule<object, RecipeArgs> = {
  command: 'recipe [path]',
  describe: 'Write a BitBake layer with a recipe that pins every dependency of a BEAM project',
  builder: (y: Argv) => {
    let b = withProjectIdentity(y)
      .positional('path', { type: 'string', default: '.', describe: 'Project directory or lockfile (mix.lock, rebar.lock, manifest.toml)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Layer directory to create or update' });
    b = withYocto(b, 'Yocto release the recipe is written for')
      .option('source', { type: 'string', describe: 'Git URL (SRCREV from the checkout HEAD) or local directory for the application source' })
      .option('branch', { type: 'string', describe: 'Branch BitBake checks SRCREV against (default: the upstream of the checked-out branch)' })
      .option('allow-unpinned', { type: 'boolean', default: false, describe: 'Accept Hex packages without an outer checksum (marked UNPINNED)' })
      .option('check', { type: 'boolean', default: false, describe: 'Write nothing; exit 1 with a diff of the changed lines when the layer is stale' })
      .option('ignore-app-revision', {
        type: 'boolean',
        default: false,
        describe: "With --check: ignore the application's own SRCREV (for a layer committed in the application's repository, where every commit moves HEAD)",
      });
    b = withHexRepo(b, true)
      .option('license', { type: 'string', describe: 'SPDX licence expression of the application (default: from the project)' })
      .option('profile', { type: 'string', describe: "Hardware profile (see `beambake profiles list`): adds the board's BEAM flavor, NIF flags and Rust target" })
      .option('machine-specific', { type: 'boolean', default: false, describe: "With --profile: set COMPATIBLE_MACHINE to the profile's MACHINE" });
    b = withVendor(b, 'Directory of vendored Hex tarballs: verify them, then take licences, licence files and missing outer checksums from them');
    b = withJson(b, 'Print a JSON summary on stdout');
    return examples(b, [
      ['$0 recipe examples/hello_beam -o build/meta-hello', 'Create or update the layer for the bundled example'],
      ['$0 recipe . -o ../meta-myapp --yocto wrynose', 'Target Yocto 6.0 (wrynose)'],
      ['$0 recipe . -o ../meta-myapp --profile raspberrypi4-64', 'Add what the Raspberry Pi 4 (64-bit) needs'],
      ['$0 recipe . -o ../meta-myapp --check', 'CI: fail with a diff when the committed layer is stale'],
      ['$0 recipe . -o meta-myapp --check --ignore-app-revision', "CI, for a layer kept in the application's own repository"],
      ['$0 recipe . -o ../meta-myapp --vendor downloads/', "Verify vendored tarballs and fill LICENSE, LIC_FILES_CHKSUM and old locks' checksums from them"],
      ['$0 recipe . -o meta-app --hex-repo acme=https://hex.acme.com', 'Resolve the self-hosted Hex repository "acme"'],
    ]) as unknown as Argv<RecipeArgs>;
  },
  handler: async (args: ArgumentsCamelCase<RecipeArgs>) => {
    const { recipe } = await import('../../bitbake/index.js');
    const { printJson, warn, info, safeText, style } = await import('../output.js');
    const repoUrls = hexRepoSpecs(args, warn);
    if (args.ignoreAppRevision && !args.check) {
      const { BeambakeError } = await import('../../util/errors.js');
      throw new BeambakeError('INVALID_ARGUMENT', '--ignore-app-revision only applies to --check', { entry: '--ignore-app-revision' });
    }
    const profileLines = args.profile !== undefined ? await profileRecipeLines(args.profile, args.machineSpecific) : undefined;
    const result = await recipe({
      path: args.path,
      outDir: args.output,
      yocto: args.yocto,
      allowUnpinned: args.allowUnpinned,
      check: args.check,
      ignoreAppRevision: args.ignoreAppRevision,
      ...(args.source !== undefined ? { source: args.source } : {}),
      ...(args.branch !== undefined ? { branch: args.branch } : {}),
      ...(repoUrls.length > 0 ? { repoUrls } : {}),
      ...projectIdentity(args),
      ...(args.license !== undefined ? { license: args.license } : {}),
      ...(profileLines ? { extraRecipeLines: profileLines } : {}),
      ...(args.vendor !== undefined && args.vendor.length > 0 ? { vendorDirs: args.vendor } : {}),
    });
    for (const w of result.warnings) warn(w);
    const r = result.recipe;
    if (args.json) {
      printJson({
        layer: result.layerDir,
        recipe: r.recipePath,
        inc: r.incPath,
        sbom: result.sbomPath,
        files: result.files,
        ...(args.check ? { stale: result.stale, ...(result.missing ? { missing: true } : {}) } : {}),
        summary: r.summary,
        warnings: result.warnings,
      });
    } else if (args.check) {
      if (result.stale) process.stdout.write(safeText(result.diff ?? ''));
      else info(`${result.layerDir} is up to date`);
    } else {
      const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
      const vendored = r.summary.vendor ? `; ${r.summary.vendor.verified.length} verified against vendored tarballs` : '';
      info(
        `${result.layerDir}/${r.recipePath}, ${name(r.incPath)} and ${name(result.sbomPath)} ` +
          `(${r.summary.hex} Hex, ${r.summary.git} git dependencies${vendored}; Yocto ${r.summary.yocto})`,
        style.green('wrote', process.stderr),
      );
    }
    if (args.check && result.stale) {
      if (args.json) process.stderr.write(safeText(result.diff ?? ''));
      info(
        result.missing
          ? `${result.layerDir} does not exist: run the same command without --check to create it`
          : `${result.layerDir} is stale: run the same command without --check to update it`,
      );
      process.exitCode = 1;
    }
  },
};

async function profileRecipeLines(name: string, machineSpecific: boolean) {
  const { getProfile, recipeLinesForProfile } = await import('../../profiles/index.js');
  return recipeLinesForProfile(getProfile(name), { machineSpecific });
}
