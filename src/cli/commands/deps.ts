import type { CommandModule } from 'yargs';
import { projectIdentity, withProjectIdentity, type ProjectIdentityArgs } from './project-options.js';
import type { Package, Project } from '../../model.js';
import { printJson, safeLine, table, warn } from '../output.js';
import { examples, withJson } from '../options.js';

interface DepsArgs extends ProjectIdentityArgs {
  path: string;
  json: boolean;
}

export const depsCommand: CommandModule<object, DepsArgs> = {
  command: 'deps [path]',
  describe: 'Print the dependency model read from a lockfile (mix.lock, rebar.lock, manifest.toml)',
  builder: (y) =>
    examples(withJson(withProjectIdentity(y).positional('path', { type: 'string', default: '.', describe: 'Project directory or lockfile' }), 'Print the model as JSON (a stable contract)'), [
      ['$0 deps', 'Table of the packages locked in the current directory'],
      ['$0 deps path/to/app --json', 'The model as JSON, packages sorted by app'],
      ['$0 deps rebar.lock --app-name myapp --app-version 1.2.0', 'A lockfile whose project version comes from git'],
    ]),
  handler: async (argv) => {
    const { readProject } = await import('../../lockfiles/index.js');
    const { projectToJson } = await import('../../model.js');
    const project = await readProject(argv.path, projectIdentity(argv));
    for (const w of project.warnings) warn(w);
    if (argv.json) printJson(projectToJson(project));
    else process.stdout.write(render(project));
  },
};

function render(p: Project): string {
  const rows = p.packages.map((pkg) => [pkg.app, version(pkg), source(pkg), pkg.direct ? 'yes' : 'no', details(pkg)]);
  const counts = { hex: 0, git: 0, path: 0 };
  let direct = 0;
  for (const x of p.packages) {
    counts[x.source]++;
    if (x.direct) direct++;
  }
  const count = (s: Package['source']) => counts[s];
  const head = safeLine(`${p.name} ${p.version} (${p.buildTool}${p.lockfile ? `, ${p.lockfile}` : ''})`) + '\n';
  const umbrella = p.umbrellaApps?.length ? safeLine(`umbrella apps: ${p.umbrellaApps.join(', ')}`) + '\n' : '';
  const summary =
    `${p.packages.length} packages, ${direct} direct: ` + `${count('hex')} hex, ${count('git')} git, ${count('path')} path\n`;
  if (p.packages.length === 0) return head + umbrella + summary;
  return head + umbrella + '\n' + table(['APP', 'VERSION', 'SOURCE', 'DIRECT', 'DETAILS'], rows) + '\n' + summary;
}

function version(pkg: Package): string {
  if (pkg.source === 'hex') return pkg.version;
  if (pkg.source === 'git') return pkg.rev.slice(0, 12);
  return pkg.version ?? '';
}

function source(pkg: Package): string {
  return pkg.source === 'hex' && pkg.repository !== 'hexpm' ? `hex (${pkg.repository})` : pkg.source;
}

function details(pkg: Package): string {
  const parts: string[] = [];
  if (pkg.source === 'hex') {
    if (pkg.name !== pkg.app) parts.push(`package ${pkg.name}`);
    if (pkg.outerChecksum === null) parts.push('no outer checksum');
    if (pkg.buildTools.length) parts.push(pkg.buildTools.join('+'));
  } else if (pkg.source === 'git') {
    parts.push(pkg.url);
    for (const k of ['ref', 'tag', 'branch', 'subdir', 'sparse'] as const) if (pkg[k] !== undefined) parts.push(`${k} ${pkg[k]}`);
    if (pkg.submodules) parts.push('submodules');
    if (pkg.depth !== undefined) parts.push(`depth ${pkg.depth}`);
  } else {
    parts.push(pkg.path);
  }
  return parts.join(', ');
}
