import { test } from 'node:test';
import assert from 'node:assert/strict';
import parseWithLibrary from 'spdx-expression-parse';
import ids from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import { conjunctiveIds, isSpdxExpression, parseSpdx } from '../../../src/sbom/writers/licenses.js';

test('a single licence id parses as the SPDX expression parser parses it, without loading it', () => {
  for (const id of [...ids, ...deprecatedIds]) assert.deepEqual(parseSpdx(id), parseWithLibrary(id), id);
});

test('everything else still goes through the parser', () => {
  assert.deepEqual(parseSpdx('GPL-2.0+'), { license: 'GPL-2.0', plus: true });
  assert.deepEqual(parseSpdx('MIT OR Apache-2.0'), parseWithLibrary('MIT OR Apache-2.0'));
  assert.deepEqual(parseSpdx('LicenseRef-acme'), { license: 'LicenseRef-acme' });
  for (const bad of ['apache-2.0', 'Apache 2.0', '', 'MIT AND']) assert.equal(isSpdxExpression(bad), false, bad);
  assert.deepEqual(conjunctiveIds('MIT AND Apache-2.0'), ['MIT', 'Apache-2.0']);
  assert.equal(conjunctiveIds('MIT OR Apache-2.0'), null);
});
