import assert from 'node:assert/strict';
import { BeambakeError } from '../../src/util/errors.js';

/** `parse` must fail with one bad-input line (exit 3) of `code` that starts with `prefix` (`file:line:column: entry:`). */
export function assertInputError(parse: () => unknown, code: string, pattern: RegExp, prefix: string): void {
  assert.throws(parse, (e: unknown) => {
    assert.ok(e instanceof BeambakeError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.exitCode, 3);
    assert.match(e.message, pattern);
    assert.ok(e.format().startsWith(prefix), e.format());
    assert.ok(!e.format().includes('\n'));
    return true;
  });
}
