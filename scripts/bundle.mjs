#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, tsc's output) into dist/bin/cli.cjs and
// the bin that runs it, dist/bin/beambake.cjs; `node scripts/bundle.mjs DIR`
// bundles DIR/src into DIR/bin.
//
// Why: start-up (issue 13: `recipe` within 3x of a bare `node -e ''`). Node
// resolves, reads (asynchronously) and links each ES module on its own, and
// compiles every run anew. One CommonJS file is read and compiled at once, and
// the bin runs it through V8's code cache (src/cli/compile-cache.ts), which
// ES modules cannot use on Node 20. Modules a command loads with import() are
// still only evaluated when it runs, so `deps` never loads the SBOM writers or
// ajv. Other npm packages stay external (resolved from node_modules at run
// time): several of them read files beside themselves (wasm, JSON, .proto),
// and the ES-module-only ones are import()ed where they are used.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.argv[2] ?? join(root, 'dist');
const outdir = join(dist, 'bin');

// yargs and what it requires, bundled in their CommonJS form: src/cli/app.ts
// loads `yargs/yargs` with require() because its ES module build wraps help
// text mid-word. y18n finds no locale files beside the bundle and falls back
// to the English strings in the code, which app.ts asks for anyway.
const YARGS_FAMILY = [
  'yargs', 'yargs-parser', 'y18n', 'cliui', 'escalade', 'get-caller-file', 'require-directory',
  'string-width', 'strip-ansi', 'wrap-ansi', 'ansi-regex', 'ansi-styles', 'emoji-regex', 'is-fullwidth-code-point',
];
const inYargsFamily = (file) => YARGS_FAMILY.some((name) => file.includes(`${sep}node_modules${sep}${name}${sep}`));
const YARGS_LOAD = "require('yargs/yargs')";

// yargs requires node:assert for two invariant checks it makes while building commands; loading
// assert (its error class and the colour set-up behind it) is ~1.5 ms of every start. These are
// the same two checks (strict equality is Object.is), and node:assert is only loaded to throw its
// own error when one fails.
const YARGS_ASSERT_USE = 'assert:{notStrictEqual:t.notStrictEqual,strictEqual:t.strictEqual}';
const LAZY_ASSERT = `module.exports = {
  notStrictEqual(a, b, m) { if (Object.is(a, b)) require('node:assert').notStrictEqual(a, b, m); },
  strictEqual(a, b, m) { if (!Object.is(a, b)) require('node:assert').strictEqual(a, b, m); },
};`;

const yargsInside = {
  name: 'yargs-inside',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) => {
      if (!inYargsFamily(args.importer)) return undefined;
      const source = readFileSync(args.importer, 'utf8');
      if (!source.includes(YARGS_ASSERT_USE)) throw new Error(`${args.importer} uses node:assert in another way now: update LAZY_ASSERT in scripts/bundle.mjs`);
      return { path: 'yargs-lazy-assert', namespace: 'beambake' };
    });
    b.onLoad({ filter: /^yargs-lazy-assert$/, namespace: 'beambake' }, () => ({ contents: LAZY_ASSERT, loader: 'js' }));
    b.onLoad({ filter: /[\\/]cli[\\/]app\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(YARGS_LOAD)) throw new Error(`${args.path} no longer has ${YARGS_LOAD}: update scripts/bundle.mjs`);
      return { contents: `import __yargsFactory from 'yargs-cjs';\n${source.replace(YARGS_LOAD, '__yargsFactory')}`, loader: 'js' };
    });
    b.onResolve({ filter: /^yargs-cjs$/ }, () => ({ path: createRequire(join(root, 'package.json')).resolve('yargs/yargs') }));
    // every other bare specifier: external, unless yargs (or one of its own dependencies) asks, or it
    // is a JSON file (the SPDX licence lists): esbuild would drop its `with { type: 'json' }`
    b.onResolve({ filter: /^[^./]/ }, (args) => (inYargsFamily(args.importer) || args.path.endsWith('.json') ? undefined : { path: args.path, external: true }));
  },
};

// both outputs: one CommonJS file each, for the Node versions package.json allows
const commonJsFile = { outdir, outExtension: { '.js': '.cjs' }, bundle: true, format: 'cjs', platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning' };

// The licence ids CycloneDX's schema enumerates, as src/sbom/writers/licenses.ts would read them
// from the library at run time (~3 ms of package resolution and JSON on `recipe`'s start-up).
const cdxSchema = join(createRequire(join(root, 'package.json')).resolve('@cyclonedx/cyclonedx-library/package.json'), '..', 'res', 'schema', 'spdx.SNAPSHOT.schema.json');
const cdxSpdxIds = JSON.parse(readFileSync(cdxSchema, 'utf8')).enum;
if (!Array.isArray(cdxSpdxIds) || !cdxSpdxIds.includes('Apache-2.0') || cdxSpdxIds.some((id) => typeof id !== 'string' || !/^[\w.+-]+$/.test(id))) {
  throw new Error(`${cdxSchema}: no list of SPDX licence ids in its enum any more: update scripts/bundle.mjs`);
}

rmSync(outdir, { recursive: true, force: true });
await build({
  ...commonJsFile,
  entryPoints: { cli: join(dist, 'src', 'cli', 'main.js') },
  plugins: [yargsInside],
  // packages come from this checkout's node_modules even when DIR is elsewhere
  nodePaths: [join(root, 'node_modules')],
  // ES module code inside a CommonJS file: its import.meta.url (createRequire, the package root)
  banner: { js: "const __bbImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bbImportMetaUrl', __CYCLONEDX_SPDX_IDS__: JSON.stringify(cdxSpdxIds.join(' ')) },
  // import() of a package becomes a lazy require(): code compiled through node:vm with V8's cache
  // has no dynamic-import callback on Node 20. Node >= 20.19 require()s the ES-module-only ones.
  supported: { 'dynamic-import': false },
  // names stay readable in the rare stack trace (BEAMBAKE_DEBUG=1)
  minify: false,
});

// The bin: its cache files are named by the bundle's content, since V8 checks only a source's length.
const cli = readFileSync(join(outdir, 'cli.cjs'));
// an import() left in the bundle would fail at run time (no loader inside node:vm): see src/util/import-esm.ts
const nativeImport = /(?<![\w$.])import\(\s*["'`]/.exec(cli.toString('utf8'));
if (nativeImport) throw new Error(`dist/bin/cli.cjs still has an import() at offset ${nativeImport.index}: use importEsm() for that package`);
const stamp = { sha256: createHash('sha256').update(cli).digest('hex'), bytes: cli.length };
await build({
  ...commonJsFile,
  entryPoints: { beambake: join(dist, 'src', 'cli', 'bin.js') },
  define: { __BEAMBAKE_BUNDLE__: JSON.stringify(stamp) },
});
chmodSync(join(outdir, 'beambake.cjs'), 0o755);
