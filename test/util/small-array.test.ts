import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appended } from '../../src/util/small-array.js';

test('appended: items in order; a new array while the list is short, the same array (pushed) from three items on', () => {
  let list: number[] = [];
  const seen: number[][] = [];
  for (let i = 0; i < 6; i++) {
    const before = list;
    list = appended(list, i);
    assert.deepEqual(list, [...Array(i + 1).keys()]);
    assert.equal(list === before, i >= 3, `item ${i}`);
    seen.push(before);
  }
  // a short list handed in is left as it was (callers assign the result back)
  assert.deepEqual(seen[1], [0]);
  assert.deepEqual(seen[2], [0, 1]);
});
