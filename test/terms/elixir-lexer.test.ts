import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizeElixir, tokenizeElixirGeneral } from '../../src/terms/elixir-lexer.js';
import { BeambakeError } from '../../src/util/errors.js';
import { randomText, rng } from '../helpers/rng.js';
import { corpusDir } from '../helpers/paths.js';

/** Every token (or the located error that ends the stream), as comparable text. */
function tokens(tokenize: typeof tokenizeElixir, text: string): string[] {
  const out: string[] = [];
  try {
    for (const t of tokenize(text, 'in.exs')) out.push(JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  } catch (e) {
    if (!(e instanceof BeambakeError)) throw e;
    out.push(`error ${e.message}`);
  }
  return out;
}

const same = (text: string) => assert.deepEqual(tokens(tokenizeElixir, text), tokens(tokenizeElixirGeneral, text), JSON.stringify(text));

test('the regular-expression shortcuts read the tokens the general tokenizer reads, at the same places', () => {
  for (const text of [
    '%{"a": {:hex, :a, "1.0.0", "ab", [:mix], [{:b, "~> 1.0", [hex: :b, optional: false]}], "hexpm", "cd"},\n}',
    'a!=b a?: 1 a? :a? :a! :a!= ab?c :ab?c a::b :a@b a@b :"q" "k": 1 """\nx\n""" "x""y" "#{a}" "a\\nb" :é aé é: 1',
    'key:x key:\t1 key:\n2 key:\r\n3 _: 1 _a :_ :_9 [a: 1, b: 2] {a, b} (x) "" "":  "\\"" "#" "a#b" "a\nb"',
    // quoted keys; the ones after the first line end the stream with an error or at its end
    '"k": 1 "k":\t1 "k":\n1 "k":\r\n1 "k":\f1 "k":\u00a01 "k"::a "k"":" "": 1 ["#": 1, "a b": 2]',
    '"k":1',
    '"":1',
    '"k":',
    '"k":\v',
  ]) {
    same(text);
  }
});

test('the shortcuts agree with the general tokenizer on seeded random text made of the characters they decide on', () => {
  const pieces = ['a', 'b', 'Z', '_', '9', '?', '!', '=', ':', '::', '"', ' ', '\n', '\t', '#', '{', '}', '%{', '@', 'é', '😀', '\\', ',', '[', ']', '=>', '"x"', ':a', 'k: ', '~s', "'", '"k":', '\r', '\f', '\u00a0'];
  const random = rng(20261207);
  for (let n = 0; n < 3000; n++) same(randomText(random, pieces, 12));
});

test('the shortcuts agree with the general tokenizer on every mix.lock and mix.exs of the corpus', () => {
  const root = join(corpusDir, 'mix');
  let files = 0;
  for (const project of readdirSync(root)) {
    for (const name of ['mix.lock', 'mix.exs']) {
      let text: string;
      try {
        text = readFileSync(join(root, project, name), 'utf8');
      } catch {
        continue;
      }
      same(text);
      files++;
    }
  }
  assert.ok(files > 10, `only ${files} corpus files`);
});
