#!/usr/bin/env node
/**
 * The `beambake` bin (dist/bin/beambake.cjs): runs the bundled CLI beside it
 * (dist/bin/cli.cjs, built from main.ts) through V8's code cache.
 */
import { join } from 'node:path';
import { runBundle, type BundleStamp } from './compile-cache.js';
import { BIN_IMPORT } from '../util/import-esm.js';

/** Replaced by scripts/bundle.mjs with the hash and length of cli.cjs. */
declare const __BEAMBAKE_BUNDLE__: BundleStamp;

// compiled by Node's own loader, this file's import() works: the bundle borrows it for ES-module-only packages
(globalThis as { [BIN_IMPORT]?: (s: string) => Promise<unknown> })[BIN_IMPORT] = (specifier) => import(specifier);
runBundle(join(__dirname, 'cli.cjs'), __BEAMBAKE_BUNDLE__);
