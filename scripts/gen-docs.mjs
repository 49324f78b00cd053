#!/usr/bin/env node
// Writes docs/cli/*.md from the CLI's option definitions (run `npm run docs`, which builds first).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPages } from './cli-docs.mjs';

const dir = fileURLToPath(new URL('../docs/cli/', import.meta.url));
mkdirSync(dir, { recursive: true });
const pages = await renderPages();
for (const name of readdirSync(dir)) if (!pages.has(name)) rmSync(join(dir, name));
for (const [name, text] of pages) writeFileSync(join(dir, name), text);
console.log(`wrote ${pages.size} pages to docs/cli/`);
