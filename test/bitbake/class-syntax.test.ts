/**
 * The layer's classes, its layer.conf and generated recipes against BitBake's statement grammar.
 *
 * No real BitBake here (Debian bookworm has no bitbake package, and only npm and apt are
 * reachable), so test/fixtures/bitbake/bb_statements.py re-implements BitBake's parser loop
 * with BitBake's own regular expressions (see its docstring), compiles every Python body and
 * `${@...}` expression, and runs `dash -n` on every shell function.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { corpusDir, fixturesDir, repoRoot } from '../helpers/paths.js';
import { needTools } from '../helpers/toolchain.js';
import { tempDir } from './fixtures.js';

const checker = join(fixturesDir, 'bitbake', 'bb_statements.py');
const templates = join(repoRoot, 'meta-beam-templates');
const templateClasses = join(templates, 'classes');

interface Checked {
  status: number;
  problems: string;
  stats: Record<string, number>;
}

function check(files: string[], classesDir = templateClasses): Checked {
  const r = spawnSync('python3', [checker, '--classes', classesDir, ...files], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const statsLine = r.stderr.split('\n').find((l) => l.startsWith('checked ')) ?? '';
  const stats = Object.fromEntries(
    statsLine.replace(/^checked /, '').split(' ').filter(Boolean).map((kv) => {
      const [k, v] = kv.split('=');
      return [k, Number(v)];
    }),
  );
  return { status: r.status ?? -1, problems: (r.stdout + r.stderr.replace(statsLine, '')).trim(), stats };
}

function bitbakeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(bb|bbclass|inc|conf)$/.test(e.name)) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

test('every class and the template layer.conf parse, compile and pass dash -n', (t) => {
  if (!needTools(t, 'python3', 'dash')) return;
  const classes = readdirSync(templateClasses).filter((f) => f.endsWith('.bbclass')).sort();
  assert.deepEqual(classes, ['beambake-deps.bbclass', 'beambake-gleam.bbclass', 'beambake-mix.bbclass', 'beambake-rebar3.bbclass', 'beambake-release.bbclass']);
  const r = check([...classes.map((c) => join(templateClasses, c)), join(templates, 'conf', 'layer.conf')]);
  assert.equal(r.problems, '');
  assert.equal(r.status, 0);
  // The checker really saw the bodies: do_beam_unpack_deps, do_beam_check_emu_flavor, beambake_nif_env, and the
  // do_compile/do_install of the tool classes; beambake_rust_target; the ${@...} values.
  assert.equal(r.stats.files, 6);
  assert.equal(r.stats.shell, 8);
  assert.equal(r.stats.def, 1);
  assert.ok(r.stats.inline >= 8, `inline expressions checked: ${r.stats.inline}`);
});

test('generated mix, rebar3 and gleam layers parse, compile and pass dash -n', (t) => {
  if (!needTools(t, 'python3', 'dash')) return;
  const out = tempDir();
  const projects: Array<[string, string[]]> = [
    ['mix', [join(repoRoot, 'examples', 'hello_beam')]],
    ['rebar3', [join(corpusDir, 'rebar', 'elvis'), '--app-name', 'elvis', '--app-version', '1.2.0']],
    ['gleam', [join(corpusDir, 'gleam', 'gleam-packages'), '--app-name', 'packages', '--app-version', '1.0.0', '--yocto', 'wrynose']],
  ];
  for (const [name, args] of projects) {
    const layer = join(out, name);
    const r = runCli(['recipe', ...args, '-o', layer]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const files = bitbakeFiles(layer);
    assert.ok(files.some((f) => f.endsWith('.bb')), `${name}: no .bb in ${files.join(' ')}`);
    assert.ok(files.some((f) => f.endsWith('-beam-deps.inc')), `${name}: no .inc`);
    assert.ok(files.some((f) => f.endsWith(join('conf', 'layer.conf'))), `${name}: no layer.conf`);
    const c = check(files, join(layer, 'classes'));
    assert.equal(c.problems, '', name);
    assert.equal(c.status, 0, name);
    assert.equal(c.stats.files, files.length);
    assert.ok(c.stats.statements > 20, `${name}: ${c.stats.statements} statements`);
  }
});

test('the checker rejects broken BitBake input, naming file, line and cause', (t) => {
  if (!needTools(t, 'python3', 'dash')) return;
  const dir = tempDir();
  const cases: Array<[string, string, RegExp]> = [
    ['unterminated.bbclass', 'do_x() {\n    echo hi\n', /unterminated\.bbclass:1: error: Shell function do_x is never closed/],
    ['bare-addtask.bbclass', 'addtask\n', /bare-addtask\.bbclass:1: error: unparsed line: 'addtask'/],
    ['keyword-addtask.bbclass', 'addtask foo:append_bar after do_compile\n', /:1: error: Task name 'foo:append_bar' contains a keyword/],
    ['pydef.bbclass', 'def f(d):\n    return (1 +\n\nX = "1"\n', /pydef\.bbclass:2: error: def block does not compile/],
    ['pyfunc.bbclass', 'python do_y() {\n    if True\n        pass\n}\n', /pyfunc\.bbclass:2: error: python function do_y does not compile/],
    ['inline.bb', 'X = "${@d.getVar(\'A\') +}"\n', /inline\.bb:1: error: inline python .* does not compile/],
    ['my-class.bbclass', 'do_install() {\n    :\n}\nEXPORT_FUNCTIONS do_install\n', /my-class\.bbclass:4: error: The classname my-class contains a dash character/],
    ['shell.bbclass', 'do_z() {\n    if [ -n "${FOO}" ]; then\n        echo\n}\n', /shell\.bbclass:1: error: shell function do_z fails dash -n/],
    ['home.bbclass', 'do_h() {\n    export HOME="${WORKDIR}/h"\n    rm -rf "${HOME}"\n}\n', /home\.bbclass:1: error: shell function do_h assigns HOME but reads \$\{HOME\}/],
    ['quote.conf', 'FOO = "a\n', /quote\.conf:1: error: unparsed line/],
    ['continued.bb', 'A = "1 \\\n# c\n  2"\n', /continued\.bb:2: error: comment in the middle of a multiline expression/],
    ['inherit.bb', 'inherit beambake-missing\n', /inherit\.bb:1: error: Could not inherit file classes\/beambake-missing\.bbclass/],
    ['nospace.bb', 'FOO="a"\n', /nospace\.bb:1: warning: lack of whitespace around the assignment/],
  ];
  for (const [name, text, expected] of cases) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = check([file]);
    assert.notEqual(r.status, 0, `${name} passed`);
    assert.match(r.problems, expected, name);
  }
  // The same class without a dash in its name may export its shell function.
  const ok = join(dir, 'myclass.bbclass');
  writeFileSync(ok, 'myclass_do_install() {\n    :\n}\nEXPORT_FUNCTIONS do_install\n');
  const r = check([ok]);
  assert.equal(r.problems, '');
  assert.equal(r.status, 0);
});
