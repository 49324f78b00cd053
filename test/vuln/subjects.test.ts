import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readProject } from '../../src/lockfiles/index.js';
import { componentSubject, parsePurl, projectTarget } from '../../src/vuln/subjects.js';
import type { Project } from '../../src/model.js';
import { corpusDir } from '../helpers/paths.js';

test('project subjects: production packages by default, dev/test ones only when asked, build-only ones never', async () => {
  const project = await readProject(join(corpusDir, 'mix/phoenix'));
  const scopes = (p: Project) => new Map(p.packages.map((x) => [x.app, x.scope ?? 'prod']));
  const byScope = scopes(project);
  const devTest = [...byScope].filter(([, s]) => s !== 'prod').map(([a]) => a);
  const prod = projectTarget(project);
  const all = projectTarget(project, ['dev', 'test']);
  for (const a of devTest) assert.ok(!prod.subjects.some((s) => s.name === a), `${a} is ${byScope.get(a)}`);
  assert.ok(all.subjects.length >= prod.subjects.length);
  if (devTest.length > 0) assert.ok(prod.notes.some((n) => /left out/.test(n)));
});

test('SBOM subjects from purls: public Hex, GitHub commits, vcs_url commits; private Hex repositories are not OSV\'s Hex', () => {
  const c = (purl: string) => componentSubject({ id: 'x', name: 'n', cpes: [], purl });
  assert.deepEqual(c('pkg:hex/phoenix@1.8.7').hex, { name: 'phoenix', version: '1.8.7' });
  assert.equal(c('pkg:hex/acme/secret@1.0.0').hex, undefined);
  assert.equal(c('pkg:hex/oban_pro@1.0.0?repository_url=https://getoban.pro/repo').hex, undefined);
  const rev = 'de3ecd611fb0f3b3f9f861f9397c2a5e97f5f4d2';
  assert.deepEqual(c(`pkg:github/team-alembic/ash_authentication_phoenix@${rev}`).git, { repo: 'https://github.com/team-alembic/ash_authentication_phoenix', rev });
  assert.deepEqual(c(`pkg:generic/esaml@${rev}?vcs_url=git%2Bhttps://github.com/Jump-App/esaml.git%40${rev}`).git, { repo: 'https://github.com/Jump-App/esaml', rev });
  assert.deepEqual(parsePurl('pkg:hex/jason@1.4.5'), { type: 'hex', name: 'jason', version: '1.4.5', qualifiers: {} });
  assert.equal(parsePurl('not a purl'), undefined);
});
