/**
 * Recipe names: BitBake splits `PN_PV.bb` at `_`, so the application name becomes PN the
 * OpenEmbedded way and PV is the version as it is. test/integration/bitbake checks what the real
 * BitBake makes of these names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipeDir, recipeFileName, recipeName } from '../../src/bitbake/names.js';

test('PN is the application name lowercased with - for _, whatever the number of underscores', () => {
  assert.equal(recipeName('bbplain'), 'bbplain');
  assert.equal(recipeName('hello_beam'), 'hello-beam');
  assert.equal(recipeName('my_cool_app'), 'my-cool-app');
  assert.equal(recipeName('a_b_c_d_e'), 'a-b-c-d-e');
  assert.equal(recipeDir('my_cool_app'), 'recipes-beam/my-cool-app');
});

test('the file name keeps the SemVer version, pre-release and build metadata included, as PV', () => {
  assert.equal(recipeFileName('hello_beam', '0.1.0'), 'hello-beam_0.1.0.bb');
  assert.equal(recipeFileName('bbplain', '1.0.0-rc.1'), 'bbplain_1.0.0-rc.1.bb');
  assert.equal(recipeFileName('bb_one', '1.2.3+build.5'), 'bb-one_1.2.3+build.5.bb');
  // exactly one `_`: BitBake reads PN before it and PV after it
  for (const [app, version] of [['my_cool_app', '2.0.0'], ['x', '1.0.0-alpha-1+sha.5114f85']]) {
    const parts = recipeFileName(app!, version!).replace(/\.bb$/, '').split('_');
    assert.deepEqual(parts, [recipeName(app!), version]);
  }
  assert.throws(() => recipeFileName('app', '1.0_1'), /underscore/);
});
