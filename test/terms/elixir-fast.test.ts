import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElixirTerm, parseElixirTermGeneral } from '../../src/terms/elixir.js';
import { readPlainElixirTerm } from '../../src/terms/elixir-fast.js';
import type { Term } from '../../src/terms/term.js';
import { BeambakeError } from '../../src/util/errors.js';
import { randomText, rng } from '../helpers/rng.js';
import { corpusDir } from '../helpers/paths.js';

type Parse = typeof parseElixirTerm;

/**
 * Everything a caller sees, as comparable text: the term (locations included),
 * each top-level map entry handed over, and the error that ends the parse. With
 * `failAt`, the callback throws at that entry, as mix.lock's reader does on a
 * duplicate: the error must come at the same point of the text on both paths.
 */
function outcome(parse: Parse, text: string, failAt?: number): string[] {
  const out: string[] = [];
  const json = (t: Term) => JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  try {
    out.push(
      json(
        parse(text, 'mix.lock', (k, v) => {
          if (out.length === failAt) throw new Error(`callback stops at ${json(k)}`);
          out.push(`entry ${json(k)} ${json(v)}`);
        }),
      ),
    );
  } catch (e) {
    out.push(e instanceof BeambakeError ? `error ${e.format()}` : `thrown ${(e as Error).message}`);
  }
  // without a callback, top-level entries stay in the map
  try {
    out.push(json(parse(text, 'mix.lock')));
  } catch (e) {
    if (!(e instanceof BeambakeError)) throw e;
    out.push(`error ${e.format()}`);
  }
  return out;
}

const same = (text: string, failAt?: number) =>
  assert.deepEqual(outcome(parseElixirTerm, text, failAt), outcome(parseElixirTermGeneral, text, failAt), JSON.stringify(text));

const LOCK =
  '%{\n  "a": {:hex, :a, "1.0.0", "ab", [:mix], [{:b, "~> 1.0", [hex: :b, repo: "hexpm", optional: false]}], "hexpm", "cd"},\n' +
  '  "b": {:git, "https://x/b.git", "0123", [branch: "main"]},\n  "c": {:hex, :c, "2.0.0", "ef", [:rebar3], [], "hexpm"},\n}\n';

test('the fast path reads what the general parser reads, at the same locations, entries handed over once', () => {
  for (const text of [
    LOCK,
    '\uFEFF' + LOCK,
    LOCK.replace(/\n/g, '\r\n'),
    '%{"a" => {:hex, :a, "1.0.0"}, "b" => [x: nil, y: true]}',
    '["a": {:package, "1.0.0"}, "b": {:package, "0.1"}]',
    '%{a: 1}',
    '%{"a": {:hex, :a}, "a": {:hex, :a}}',
    '{:a, b: 1, c: [d: :e]}',
    '%{"k": %{"n": [1]}}',
    '%{"é": {:hex, :é}, "x": "日本"}',
    '%{"😀": {:hex, :a}}',
    '%{"a": {:hex, :a}, # comment\n "b": {:hex, :b}}',
    '%{"a": {:hex, :a}, "b": {:hex, :b, "\\n"}}',
    '%{"a": {:hex, :a}, "b": {:hex, :b}} junk',
    '%{"a": {:hex, :a}, "b": {:hex, :b}, "c" {:hex}}',
    '%{"a": {:hex, :a}, "b": {:hex, :b}, "c": {:hex, :"q"}}',
    '%{"a": {:hex, :a},\n "b": {:hex, Elixir}}',
    '%{"a": {:hex, :a}, "b": {:hex, :b, 1, -2}}',
    '%{"a": {:hex, :a}, [b: 1, 2]}',
    '%{"a": 1, "b": 2, c: 3, "d" => 4}',
    '%{"a": true, "b": false, "c": nil, "d": maybe}',
    '%{"a":1}',
    '%{"a": "x":}',
    '',
    '   ',
    '%{',
    '"a""b"',
    '%{"a": [{:b, "c", [hex: :b]},], }',
    '%{"a": ~s(x)}',
    '[' .repeat(1000) + ']'.repeat(1000),
    '[' .repeat(1001) + ']'.repeat(1001),
    '{'.repeat(999) + ':a' + '}'.repeat(999),
    '{'.repeat(1000) + ':a' + '}'.repeat(1000),
  ]) {
    same(text);
    for (let failAt = 0; failAt < 3; failAt++) same(text, failAt);
  }
});

test('a plain mix.lock stays on the fast path; an escape hands over to the general parser, after the entries before it', () => {
  let entries = 0;
  assert.ok(readPlainElixirTerm(LOCK, () => entries++).term);
  assert.equal(entries, 3);
  assert.deepEqual(readPlainElixirTerm('%{"a": {:hex, :a}, "b": {:hex, :b, "\\n"}}', () => {}), { delivered: 1 });
  assert.deepEqual(readPlainElixirTerm('%{"a": {:hex, :a}} # done', () => {}), { delivered: 1 });
});

test('the fast path agrees with the general parser on seeded random text made of lockfile pieces', () => {
  const pieces = ['%{', '}', '{', '[', ']', ',', ', ', ' ', '\n', '"a"', '"b": ', '"a":', ':hex', ':b', 'k: ', 'true', 'nil', 'x', '=>', ' => ', '#c\n', '1', '"\\n"', '\t', '\u00a0', ':"q"', 'A'];
  const random = rng(20261208);
  for (let n = 0; n < 3000; n++) same(randomText(random, pieces, 16));
});

test('the fast path agrees with the general parser on every corpus mix.lock, whole, cut short and with a character changed', () => {
  const root = join(corpusDir, 'mix');
  const random = rng(7);
  const chars = ['"', ':', ',', '}', ']', '{', ' ', '\n', '#', 'a', '1', '\\', 'é', '😀', '='];
  let files = 0;
  for (const project of readdirSync(root)) {
    let text: string;
    try {
      text = readFileSync(join(root, project, 'mix.lock'), 'utf8');
    } catch {
      continue;
    }
    same(text);
    same(text, 2);
    for (let n = 0; n < 20; n++) {
      const at = Math.floor(random() * text.length);
      same(text.slice(0, at));
      same(text.slice(0, at) + chars[Math.floor(random() * chars.length)] + text.slice(at + 1), n % 3);
    }
    files++;
  }
  assert.ok(files > 10, `only ${files} corpus files`);
});
