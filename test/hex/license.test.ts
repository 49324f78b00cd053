import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import { hexLicenseExpression, licenseRefFor, normalizeLicense } from '../../src/hex/license.js';
import { readHexTarball } from '../../src/hex/tarball.js';
import { corpusDir } from '../helpers/paths.js';

test('common Hex spellings normalise to SPDX identifiers', () => {
  const cases: [string, string | null][] = [
    ['MIT', 'MIT'],
    ['mit', 'MIT'],
    ['The MIT License', 'MIT'],
    ['Apache 2.0', 'Apache-2.0'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['Apache v2.0', 'Apache-2.0'],
    ['apache-2.0', 'Apache-2.0'],
    ['BSD 3-Clause', 'BSD-3-Clause'],
    ['New BSD', 'BSD-3-Clause'],
    ['ISC License', 'ISC'],
    ['MPL 2.0', 'MPL-2.0'],
    ['Mozilla Public License 2.0', 'MPL-2.0'],
    ['GPL-2.0', 'GPL-2.0-only'],
    ['GPLv2', 'GPL-2.0-only'],
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['GPL-3.0+', 'GPL-3.0-or-later'],
    ['LGPL v3 or later', 'LGPL-3.0-or-later'],
    ['Erlang Public License', 'ErlPL-1.1'],
    ['EPL 1.1', 'ErlPL-1.1'],
    ['Apache-2.0 OR MIT', 'Apache-2.0 OR MIT'],
    ['LGPL-2.1-or-later WITH Classpath-exception-2.0', 'LGPL-2.1-or-later WITH Classpath-exception-2.0'],
    // Never guessed: no version, no identity, or not a licence at all.
    ['BSD', null],
    ['Apache', null],
    ['GPL', null],
    ['Public Domain', null],
    ['Copyright 2020 ACME', null],
    ['', null],
  ];
  for (const [input, want] of cases) {
    const got = normalizeLicense(input);
    assert.equal(got.spdx, want, `${JSON.stringify(input)} -> ${got.spdx}`);
    if (want !== null) assert.doesNotThrow(() => parseSpdx(want));
    if (want !== null && want !== input) assert.ok(got.note, `${input}: reinterpretation is noted`);
  }
});

test('a licences list becomes one valid SPDX expression (AND by default), unknown entries reported', () => {
  const two = hexLicenseExpression(['Apache 2.0', 'MIT']);
  assert.equal(two.expression, 'Apache-2.0 AND MIT');
  assert.equal(two.complete, true);
  assert.equal(hexLicenseExpression(['Apache 2.0', 'MIT'], { combine: 'OR' }).expression, 'Apache-2.0 OR MIT');
  assert.equal(hexLicenseExpression(['MIT', 'mit', 'MIT License']).expression, 'MIT', 'duplicates collapse');
  const mixed = hexLicenseExpression(['Apache-2.0 OR MIT', 'BSD', 'Public Domain']);
  assert.equal(mixed.expression, '(Apache-2.0 OR MIT) AND LicenseRef-hex-BSD AND LicenseRef-hex-Public-Domain');
  assert.equal(mixed.complete, false);
  assert.deepEqual(mixed.unknown, ['BSD', 'Public Domain']);
  assert.doesNotThrow(() => parseSpdx(mixed.expression!));
  assert.equal(licenseRefFor(' weird / name!! '), 'LicenseRef-hex-weird-name');
  assert.deepEqual(hexLicenseExpression([]), { expression: null, complete: false, licenses: [], unknown: [] });
});

test('licences of the real corpus packages', async () => {
  const gpio = await readHexTarball(join(corpusDir, 'hex', 'swh-gpio', 'gpio-0.6.0.tar'));
  assert.equal(hexLicenseExpression(gpio.metadata.licenses).expression, 'Apache-2.0');
  const foo = await readHexTarball(join(corpusDir, 'hex', 'mini_repo', 'foo-0.1.0.tar'));
  assert.equal(hexLicenseExpression(foo.metadata.licenses).expression, 'MIT');
});
