/**
 * Conventions users expect from a command line (issue 13, part 3): help
 * wrapped at word boundaries with examples unbroken, unknown options named
 * with a suggestion, shared options alike in every command, completion,
 * `recipe --check` output and `--ignore-app-revision`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { corpusDir, repoRoot } from '../helpers/paths.js';
import { writeMixProject } from '../verify/fixture.js';
import { needTools } from '../helpers/toolchain.js';
import { runCli as runInProcess } from '../../src/cli/app.js';
import { YOCTO_RELEASES } from '../../src/bitbake/releases.js';

const example = join(repoRoot, 'examples', 'hello_beam');
const noFail = (f: { message: string; error?: unknown }) => {
  throw new Error(f.message || String(f.error));
};
const words = (text: string) => new Set(text.split(/\s+/).filter((w) => w.length > 0));

for (const cmd of [['recipe'], ['verify'], ['sbom', 'merge'], ['kas'], ['profiles'], ['vuln'], ['report']]) {
  test(`${cmd.join(' ')} --help: wrapped at word boundaries at every width, examples on one line`, async () => {
    const unwrapped = await runInProcess([...cmd, '--help'], 10_000, noFail);
    const known = words(unwrapped);
    const exampleLines = unwrapped.split('\n').filter((l) => l.startsWith('  beambake ') || l.startsWith('  SOURCE_DATE_EPOCH='));
    assert.ok(exampleLines.length > 0);
    for (const width of [60, 67, 72, 80, 91, 100]) {
      const text = await runInProcess([...cmd, '--help'], width, noFail);
      // a word cut in two leaves fragments that are no word of the unwrapped text
      for (const w of words(text)) assert.ok(known.has(w), `width ${width}: "${w}" is a broken word`);
      for (const ex of exampleLines) assert.ok(text.split('\n').includes(ex), `width ${width}: example broken: ${ex}`);
      for (const line of text.split('\n')) {
        if (!exampleLines.includes(line) && !/^\s*\S+$/.test(line)) assert.ok(line.length <= width, `width ${width}: ${JSON.stringify(line)}`);
      }
    }
  });
}

test('an unknown option is named, with the closest one and the subcommand help (exit 2)', () => {
  const r = runCli(['recipe', '--ouput', 'd']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "error: unknown option --ouput (did you mean --output?)\nRun 'beambake recipe --help' for the options of recipe.\n");
  const d = runCli(['deps', '--josn']);
  assert.equal(d.status, 2);
  assert.match(d.stderr, /^error: unknown option --josn \(did you mean --json\?\)\nRun 'beambake deps --help'/);
  const m = runCli(['sbom', 'merge', 'a.json', '--prodct', 'x']);
  assert.match(m.stderr, /unknown option --prodct \(did you mean --product\?\)\nRun 'beambake sbom merge --help'/);
  const far = runCli(['deps', '--zzzzzzzz']);
  assert.equal(far.stderr.split('\n')[0], 'error: unknown option --zzzzzzzz');
});

test('profiles show with an unknown name names no flag', () => {
  const r = runCli(['profiles', 'show', 'nosuch']);
  assert.equal(r.status, 3);
  assert.doesNotMatch(r.stderr, /--profile/);
  assert.match(r.stderr, /^error: no hardware profile named "nosuch"; known: /);
});

test('shared options: --yocto has the same choices in recipe and kas, --json everywhere data is printed', async () => {
  const choices = `[choices: ${YOCTO_RELEASES.map((r) => `"${r}"`).join(', ')}]`;
  for (const cmd of ['recipe', 'kas']) assert.ok((await runInProcess([cmd, '--help'], 10_000, noFail)).includes(choices), cmd);
  for (const cmd of [['deps'], ['recipe'], ['verify'], ['vendor'], ['sbom'], ['sbom', 'check'], ['sbom', 'merge'], ['profiles'], ['kas']]) {
    assert.match(await runInProcess([...cmd, "--help"], 10_000, noFail), /^ +--json +/m, cmd.join(" "));
  }
  for (const cmd of ['recipe', 'sbom']) {
    const help = await runInProcess([cmd, '--help'], 10_000, noFail);
    assert.match(help, /--hex-repo +NAME=URL/, cmd);
    assert.match(help, /--vendor .*\(repeatable\)/, cmd);
  }
});

test('kas --json prints what was written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-kasjson-'));
  try {
    const r = runCli(['kas', '--profile', 'qemuarm64', '--distro', 'nodistro', '-o', join(dir, 'k.yml'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { machine: string; kasFormat: number; repos: { name: string; commit?: string }[] };
    assert.equal(doc.machine, 'qemuarm64');
    assert.equal(doc.kasFormat, 12);
    assert.match(doc.repos.find((repo) => repo.name === 'meta-erlang')?.commit ?? '', /^[0-9a-f]{40}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recipe --repo-url still works, as a deprecated name of --hex-repo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-hexrepo-'));
  try {
    const a = runCli(['recipe', example, '-o', join(dir, 'a'), '--hex-repo', 'acme=https://hex.acme.example']);
    const b = runCli(['recipe', example, '-o', join(dir, 'b'), '--repo-url', 'acme=https://hex.acme.example']);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /warning: --repo-url is deprecated for Hex repositories; use --hex-repo NAME=URL/);
    assert.doesNotMatch(a.stderr, /deprecated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('completion: bash and zsh scripts that ask beambake for completions', () => {
  const bash = runCli(['completion', 'bash']);
  assert.equal(bash.status, 0, bash.stderr);
  assert.match(bash.stdout, /complete -o bashdefault -o default -F _beambake_yargs_completions beambake/);
  assert.match(bash.stdout, /beambake --get-yargs-completions/);
  const zsh = runCli(['completion', 'zsh']);
  assert.match(zsh.stdout, /^#compdef beambake/);
  const reply = runCli(['--get-yargs-completions', 'beambake', 'recipe', '--']);
  assert.ok(reply.stdout.split('\n').includes('--ignore-app-revision'), reply.stdout);
  assert.ok(runCli(['--get-yargs-completions', 'beambake', '']).stdout.split('\n').includes('completion'));
});

test('recipe --check: a missing layer is one line', () => {
  const r = runCli(['recipe', example, '-o', join(tmpdir(), 'beambake-no-such-layer-dir'), '--check']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.split('\n').filter((l) => !l.startsWith('warning: ')), [`${join(tmpdir(), 'beambake-no-such-layer-dir')} does not exist: run the same command without --check to create it`, '']);
});

test('recipe --check --ignore-app-revision: a layer committed in the application repository', (t) => {
  if (!needTools(t, 'git')) return;
  const repo = mkdtempSync(join(tmpdir(), 'beambake-inrepo-'));
  try {
    cpSync(example, repo, { recursive: true });
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'app');
    const args = ['recipe', repo, '-o', join(repo, 'meta-app'), '--source', 'https://git.example.com/hello_beam.git', '--branch', 'main'];
    assert.equal(runCli(args).status, 0);
    git('add', '.');
    git('commit', '-qm', 'layer'); // HEAD moves: the committed SRCREV is now one commit old
    const plain = runCli([...args, '--check']);
    assert.equal(plain.status, 1);
    assert.match(plain.stdout, /^-SRCREV = "[0-9a-f]{40}"\n\+SRCREV = "[0-9a-f]{40}"$/m);
    const ignoring = runCli([...args, '--check', '--ignore-app-revision']);
    assert.equal(ignoring.status, 0, ignoring.stdout + ignoring.stderr);
    // everything else is still compared
    const inc = join(repo, 'meta-app', 'recipes-beam', 'hello-beam', 'hello-beam-beam-deps.inc');
    writeFileSync(inc, readFileSync(inc, 'utf8').replace('928f6495', '00000000'));
    const stale = runCli([...args, '--check', '--ignore-app-revision']);
    assert.equal(stale.status, 1);
    assert.doesNotMatch(stale.stdout, /SRCREV = /);
    assert.match(stale.stdout, /^-SRC_URI\[hex-telemetry\.sha256sum\] = "00000000/m);
    assert.equal(runCli(['recipe', example, '-o', join(repo, 'x'), '--ignore-app-revision']).status, 2, 'only with --check');
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

test('a mistyped command is named with the closest one', () => {
  const r = runCli(['depz']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "error: unknown command depz (did you mean deps?)\nRun 'beambake --help' for the commands.\n");
});

test('yargs speaks English under any locale: its suggestion is still found, help has no mixed languages', () => {
  const env = { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
  const r = runCli(['depz'], { env });
  assert.equal(r.stderr, "error: unknown command depz (did you mean deps?)\nRun 'beambake --help' for the commands.\n");
  const help = runCli(['recipe', '--help'], { env });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /\[default: "\."\]/);
  assert.doesNotMatch(help.stdout, /Standard|Optionen|Positionsargumente/);
});

test('sbom --vendor is repeatable: tarballs are found in any of the directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-sbomvendor-'));
  try {
    const gpio = join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar');
    const outer = (JSON.parse(readFileSync(join(corpusDir, 'hex', 'swh-gpio', 'api_packages_gpio_releases_0.6.0.json'), 'utf8')) as { checksum: string }).checksum;
    const inner = readFileSync(gpio).subarray(1024 + 512, 1024 + 512 + 64).toString().toLowerCase();
    writeMixProject(join(dir, 'app'), [{ name: 'gpio', version: '0.6.0', outer, inner, buildTools: ['rebar3'] }]);
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'cache'));
    cpSync(gpio, join(dir, 'cache', 'gpio-0.6.0.tar'));
    const r = runCli(['sbom', join(dir, 'app'), '--vendor', join(dir, 'empty'), '--vendor', join(dir, 'cache')]);
    assert.equal(r.status, 0, r.stderr);
    const c = (JSON.parse(r.stdout) as { components: { name: string; hashes?: { alg: string }[] }[] }).components.find((x) => x.name === 'gpio')!;
    assert.ok(c.hashes?.some((h) => h.alg === 'SHA-512'), JSON.stringify(c));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
