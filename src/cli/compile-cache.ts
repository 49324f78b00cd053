/**
 * Running the bundled CLI through V8's code cache.
 *
 * Most of a short `beambake` run is V8 compiling the CLI's JavaScript before
 * any work starts (issue 13: `recipe` within 3x of a bare `node -e ''`).
 * Node 22 can keep compiled code between runs (module.enableCompileCache);
 * Node 20 cannot, so the `beambake` bin does what that cache does, with
 * node:vm: the bundle is compiled with the code V8 serialised on an earlier
 * run, and the first run of each command leaves its compiled code behind.
 *
 * The cache is only ever a speed-up: a missing, foreign or damaged cache file
 * means compiling from source, never a different result. Files are named by
 * the bundle's content hash (embedded at build time), Node's version and the
 * architecture, because V8 itself only checks the source's length. They live
 * in the user's own cache directory, never in a shared one such as /tmp, where
 * another user could plant compiled code.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/** What scripts/bundle.mjs embeds in the bin: how to recognise the bundle the cache was made for. */
export interface BundleStamp {
  /** sha256 of the bundle, hex. */
  sha256: string;
  /** Its length in bytes: a bundle edited after the build is compiled from source, uncached. */
  bytes: number;
}

/**
 * `$XDG_CACHE_HOME/beambake/v8` (or `~/.cache/beambake/v8`), created 0700;
 * undefined when caching is off (NODE_DISABLE_COMPILE_CACHE, as Node 22 names
 * it) or no private directory can be had.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    // homedir() throws for a user with neither HOME nor a passwd entry (a container run with --user 12345)
    const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
    const dir = join(base, 'beambake', 'v8');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // compiled code is run as it is: only from a directory nobody else can write to
    const st = statSync(dir);
    if (!st.isDirectory() || !ownedByMe(st) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * One cache file per first command word: `recipe` compiles other functions
 * than `sbom`, and V8 keeps only what a run compiled. Node's own options
 * (`node --max-old-space-size=... beambake`, NODE_OPTIONS) are part of the
 * name too: V8 rejects code cached under other flags, and runs with and
 * without them would otherwise keep replacing each other's file.
 */
export function compileCacheFile(dir: string, stamp: BundleStamp, argv: readonly string[], nodeOptions = `${process.execArgv.join(' ')}|${process.env.NODE_OPTIONS ?? ''}`): string {
  const command = commandWord(argv);
  const flags = nodeOptions === '|' ? '' : `-o${fnv1a(nodeOptions)}`;
  return join(dir, `${stamp.sha256.slice(0, 16)}-node${process.versions.node}-${process.arch}${flags}-${command}.bin`);
}

/** The first command word (`recipe`, `sbom`), or `default` (`--version`, `--help`, none). */
function commandWord(argv: readonly string[]): string {
  const word = argv.find((a) => !a.startsWith('-'));
  return word !== undefined && /^[a-z][a-z0-9-]{0,31}$/.test(word) ? word : 'default';
}

/**
 * Commands that finish in well under a second on ordinary input: `recipe` and
 * `deps` read one lockfile, the others print. On Node 20 (V8 11.3), V8 starts
 * optimising a function on a background thread once it has run a fixed amount
 * of bytecode in it (the interrupt budget, 66 KiB); a 60 ms run never repays
 * that (`recipe` on the largest corpus lock: ~24 ms of CPU and ~6 ms of wall
 * time), so these runs give V8 a 16 times larger budget. A 100,000-package
 * lock still gets its hot loops optimised and takes as long as before (~5 s);
 * `sbom`, `verify` and the other long runs keep V8's default, which a larger
 * budget slows by ~10%. V8 12 and 13 (Node 22, 24) tier up by invocation
 * counts, with Maglev on Node 24: raising the TurboFan count gained ~1 ms on
 * Node 22 and lost 5 ms on Node 24, so they keep their defaults, as does any
 * V8 this was not measured on (V8 prints an error for a flag it does not know).
 */
const SHORT_RUNS = new Set(['recipe', 'deps', 'kas', 'profiles', 'completion', 'default']);

/** The V8 flags for this run's command, or undefined (set before the bundle is compiled: V8's cached code records them). */
export function v8FlagsFor(argv: readonly string[], v8Version: string = process.versions.v8): string | undefined {
  return SHORT_RUNS.has(commandWord(argv)) && v8Version.startsWith('11.3.') ? '--interrupt-budget=1048576' : undefined;
}

/**
 * Node's own modules a short run loads in any case. V8 also refuses the code
 * Node ships compiled for its modules once a flag differs, so these are
 * loaded before the flag is set: the output streams every command writes to,
 * and the hashing `recipe` does (~2 ms).
 */
const LOADED_BEFORE_FLAGS: Record<string, readonly string[]> = { recipe: ['node:crypto'] };

function setShortRunFlags(argv: readonly string[], flags: string, bundleFile: string): void {
  const require = createRequire(bundleFile);
  for (const id of LOADED_BEFORE_FLAGS[commandWord(argv)] ?? []) require(id);
  void process.stdout;
  void process.stderr;
  setFlagsFromString(flags);
}

/** 32-bit FNV-1a, hex: tells option sets apart in a file name (a collision only costs a recompile). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Owned by the user running beambake (always true where there are no user ids). */
function ownedByMe(st: Stats): boolean {
  const uid = process.getuid?.();
  return uid === undefined || st.uid === uid;
}

function readCache(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedByMe(st)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function writeCache(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

/**
 * Run the CommonJS bundle `bundleFile` as the main module, compiled with the
 * cached code when there is a usable one; when there is none, V8's code for
 * this run is saved as the process exits.
 */
export function runBundle(bundleFile: string, stamp: BundleStamp, argv: readonly string[] = process.argv.slice(2)): void {
  const flags = v8FlagsFor(argv);
  if (flags !== undefined) setShortRunFlags(argv, flags, bundleFile);
  const bytes = readFileSync(bundleFile);
  const source = bytes.toString('utf8');
  const dir = bytes.length === stamp.bytes ? compileCacheDir() : undefined;
  const cacheFile = dir !== undefined ? compileCacheFile(dir, stamp, argv) : undefined;
  const cachedData = cacheFile !== undefined ? readCache(cacheFile) : undefined;
  const script = new Script(Module.wrap(source.replace(/^#!.*/, '')), {
    filename: bundleFile,
    ...(cachedData ? { cachedData } : {}),
    // no importModuleDynamically: code from V8's cache loses it on Node 20, so the bundle has no
    // import() at all (scripts/bundle.mjs checks) and borrows the bin's (util/import-esm.ts)
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
  }
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const mod = new Module(bundleFile);
  mod.filename = bundleFile;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundleFile));
  mod.loaded = true;
  wrapper.call(mod.exports, mod.exports, createRequire(bundleFile), mod, bundleFile, dirname(bundleFile));
}
