#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, tsc's output) into dist/bin/beambake.js;
// `node scripts/bundle.mjs DIR` bundles DIR/src/cli/main.js into DIR/bin.
//
// Why: start-up (issue 13: `recipe` within 3x of a bare `node -e ''`). Node
// resolves, reads and links each module on its own; the ~70 modules of a
// `recipe` run and yargs' ~15 CommonJS files cost ~20 ms of a ~140 ms run.
// Modules a command loads with import() stay separate chunks, so `deps` still
// never loads the SBOM writers or ajv. Other npm packages stay external
// (resolved from node_modules at run time as before): several of them read
// files beside themselves (wasm, JSON, .proto).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
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

const yargsInside = {
  name: 'yargs-inside',
  setup(b) {
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

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { beambake: join(dist, 'src', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [yargsInside],
  // packages come from this checkout's node_modules even when DIR is elsewhere
  nodePaths: [join(root, 'node_modules')],
  // CommonJS code inside an ES module: its require() of Node's own modules and its __dirname
  banner: { js: "import { createRequire as __bbCreateRequire } from 'node:module'; const require = __bbCreateRequire(import.meta.url);" },
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
  // names stay readable in the rare stack trace (BEAMBAKE_DEBUG=1)
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
