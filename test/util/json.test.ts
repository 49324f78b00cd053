import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonText, readJsonFile, tryParseJson } from '../../src/util/json.js';
import { BeambakeError } from '../../src/util/errors.js';

function rejected(text: string): BeambakeError {
  try {
    parseJsonText(text, 'x.json', 'PROFILE_INVALID');
  } catch (e) {
    assert.ok(e instanceof BeambakeError);
    return e;
  }
  assert.fail('accepted');
}

test('parsed values come back unchanged', () => {
  assert.deepEqual(parseJsonText('{"a": [1, "é", null]}', 'x.json', 'PROFILE_INVALID'), { a: [1, 'é', null] });
  assert.deepEqual(tryParseJson('3'), { ok: true, value: 3 });
});

test('syntax errors name the file and the 1-based line:column V8 points at, without the offset text', () => {
  const e = rejected('{\n  "a": 1,\n}');
  assert.equal(e.code, 'PROFILE_INVALID');
  assert.equal(e.format(), "x.json:3:1: not valid JSON: Expected double-quoted property name");
  const cut = rejected('{"a": [1, 2');
  assert.deepEqual([cut.location.line, cut.location.column], [1, 12]);
  assert.ok(!/position/.test(cut.message), cut.message);
});

test('end of input is placed at the end; an unexpected token (V8 gives no offset) is located and named escaped', () => {
  const eof = rejected('{\n"a":');
  assert.deepEqual([eof.location.line, eof.location.column], [2, 5]);
  const token = tryParseJson('{"a":}');
  assert.deepEqual(token, { ok: false, message: 'Unexpected token "}"', line: 1, column: 6 });
  assert.equal(rejected('{"a":}').format(), 'x.json:1:6: not valid JSON: Unexpected token "}"');
  // V8 quotes the input itself in this message: newlines and binary bytes must not reach the one-line error
  assert.equal(rejected('{"a": 1,\n "b": x}\n').format(), 'x.json:2:7: not valid JSON: Unexpected token "x"');
  assert.equal(rejected('\u0000\u00ff\n\n').format(), 'x.json:1:1: not valid JSON: Unexpected token "\\u0000"');
});

test('readJsonFile: an unreadable file is an IO error, bad JSON the caller\'s code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beambake-json-'));
  try {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[1,\n 2 3]');
    assert.throws(() => readJsonFile(bad, 'TRUST_ROOT_INVALID'), (e: unknown) => e instanceof BeambakeError && e.code === 'TRUST_ROOT_INVALID' && e.format() === `${bad}:2:4: not valid JSON: Expected ',' or ']' after array element`);
    assert.throws(
      () => readJsonFile(join(dir, 'missing.json'), 'TRUST_ROOT_INVALID', 'cannot read trusted root'),
      (e: unknown) => e instanceof BeambakeError && e.code === 'IO' && e.message === 'cannot read trusted root: no such file or directory',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
