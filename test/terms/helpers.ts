import assert from 'node:assert/strict';
import type { Term } from '../../src/terms/index.js';
import { BeambakeError } from '../../src/util/errors.js';

/** Strip positions so structures compare by value. */
export function plain(t: Term): unknown {
  switch (t.kind) {
    case 'tuple':
      return { tuple: t.items.map(plain) };
    case 'list':
      return t.tail ? { improper: t.items.map(plain), tail: plain(t.tail) } : t.items.map(plain);
    case 'fun':
      return { fun: `${t.module}:${t.name}/${t.arity}` };
    case 'bitstring':
      return { bitstring: [...t.value], bits: t.bits };
    case 'map':
      return { map: t.entries.map(([k, v]) => [plain(k), plain(v)]) };
    default:
      return { [t.kind]: t.value };
  }
}

/** `parse` must throw one located TERM_PARSE line: `file:line:column: message`. */
export function assertTermError(parse: () => unknown, file: string, pattern: RegExp, line: number, column: number): void {
  assert.throws(parse, (e: unknown) => {
    assert.ok(e instanceof BeambakeError);
    assert.equal(e.code, 'TERM_PARSE');
    assert.match(e.message, pattern);
    assert.deepEqual([e.location.file, e.location.line, e.location.column], [file, line, column]);
    assert.equal(e.format(), `${file}:${line}:${column}: ${e.message}`);
    assert.ok(!e.format().includes('\n'));
    return true;
  });
}
