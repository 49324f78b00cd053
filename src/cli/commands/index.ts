/**
 * Every `beambake` command. Each module here only declares options; its
 * handler imports the library it needs when it runs, so `beambake --help`
 * and unrelated commands never load SBOM, Sigstore or tar code.
 */
import type { CommandModule } from 'yargs';
import { depsCommand } from './deps.js';
import { recipeCommand } from './recipe.js';
import { verifyCommand } from './verify.js';
import { vendorCommand } from './vendor.js';
import { sbomCommand } from './sbom.js';
import { profilesCommand } from './profiles.js';
import { kasCommand } from './kas.js';
import { completionCommand } from './completion.js';
import { vulnCommand } from './vuln.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [depsCommand, recipeCommand, verifyCommand, vendorCommand, sbomCommand, profilesCommand, kasCommand, vulnCommand, completionCommand];
