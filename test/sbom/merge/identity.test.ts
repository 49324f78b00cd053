import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyComponent, type Component } from '../../../src/sbom/model.js';
import { groupComponents } from '../../../src/sbom/merge/identity.js';

const pkg = (id: string, purl: string): Component => ({ ...emptyComponent(id, purl.replace(/^.*\/|@.*$/g, '')), version: purl.split('@')[1], purl });

test('identity: components of different inputs with the same purl are one group; two of one input never are', () => {
  const a = [pkg('a#1', 'pkg:generic/zlib@1.3'), pkg('a#2', 'pkg:generic/xz@5.4'), pkg('a#3', 'pkg:generic/xz@5.4')];
  const b = [pkg('b#1', 'pkg:generic/zlib@1.3'), pkg('b#2', 'pkg:generic/zlib@1.3')];
  const { groups, groupOf, decisions } = groupComponents([a, b]);
  // b#1 joins input a's zlib; b#2 finds that group holding b#1 already
  assert.deepEqual(
    groups.map((g) => g.members.map((m) => m.id)),
    [['a#1', 'b#1'], ['a#2'], ['a#3'], ['b#2']],
  );
  assert.deepEqual([...groupOf[0]!], [0, 1, 2]);
  assert.deepEqual([...groupOf[1]!], [0, 3]);
  assert.equal(decisions.filter((d) => d.kind === 'merged').length, 1);
  // b#2 was kept from a group that holds input a's component: a decision; input a's two xz are input a's own statement
  const separate = decisions.filter((d) => d.kind === 'separate');
  assert.equal(separate.length, 1);
  assert.match(separate[0]!.component, /\(b#2\)/);
  assert.match(separate[0]!.reason!, /already stands for another component of the same input/);
  assert.ok(!decisions.some((d) => /\(a#3\)/.test(d.component)));
});

test('identity: a single input is one group per component, with no decisions', () => {
  const a = [pkg('a#1', 'pkg:generic/zlib@1.3'), pkg('a#2', 'pkg:generic/zlib@1.3'), pkg('a#3', 'pkg:generic/xz@5.4')];
  const { groups, groupOf, decisions } = groupComponents([a]);
  assert.deepEqual(groups.map((g) => g.members.map((m) => m.id)), [['a#1'], ['a#2'], ['a#3']]);
  assert.deepEqual([...groupOf[0]!], [0, 1, 2]);
  assert.deepEqual(decisions, []);
});
