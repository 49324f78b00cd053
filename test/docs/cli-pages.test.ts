/**
 * docs/cli/*.md are generated from the option definitions (`npm run docs`);
 * the committed pages must be what the current code generates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';

test('docs/cli/ is current: one page per command, generated from the same definitions as --help', async () => {
  const { renderPages } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'cli-docs.mjs')).href)) as { renderPages: () => Promise<Map<string, string>> };
  const pages = await renderPages();
  const dir = join(repoRoot, 'docs', 'cli');
  const stale: string[] = [];
  for (const [name, text] of pages) {
    const file = join(dir, name);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(name);
  }
  const extra = existsSync(dir) ? readdirSync(dir).filter((n) => !pages.has(n)) : [];
  assert.deepEqual({ stale, extra }, { stale: [], extra: [] }, 'docs/cli/ differs from the option definitions: run `npm run docs` and commit the result');
  for (const cmd of ['deps', 'recipe', 'verify', 'vendor', 'sbom', 'sbom check', 'sbom merge', 'profiles', 'kas', 'vuln', 'completion']) {
    assert.ok([...pages.values()].some((t) => t.startsWith(`# beambake ${cmd}\n`)), cmd);
  }
});
