/**
 * Atomic output. Everything beambake writes goes to a temporary sibling first
 * and is renamed into place, so a failure (or Ctrl-C) never leaves a
 * half-written file or layer behind.
 *
 * Directory steps (mkdir, rename, rm, stat) are synchronous: each is one quick
 * system call, and awaiting them one after the other only added thread-pool
 * round trips (~10 ms of a `recipe` run spent idle). File contents, which can
 * be large, are still written asynchronously.
 */
import type { FileHandle } from 'node:fs/promises';
// fs.promises rather than node:fs/promises: node:fs loads it on first use, and `recipe` never does
import { chmodSync, existsSync, mkdirSync, promises as fsp, readdirSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, basename, join, resolve } from 'node:path';
import { BeambakeError, ioError } from './errors.js';
import { joinedPieces } from './flat.js';

/**
 * Temporary files and directories being filled right now. Ctrl-C or a
 * SIGTERM from CI removes them before the process exits (with the signal's
 * conventional status); a SIGKILL cannot be caught, so `replaceDirAtomic`
 * also removes the staging directories of processes that no longer exist.
 */
const inProgress = new Map<string, () => void>();
let signalsHooked = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const cleanUp of inProgress.values()) {
    try {
      cleanUp();
    } catch {
      // keep cleaning the others; the next run removes what is left
    }
  }
  inProgress.clear();
  process.exit(128 + (osConstants.signals[signal] ?? 15));
}

/** Register `path` for removal on a signal (or `cleanUp`, when removing is not all there is to it). */
function track(path: string, cleanUp: () => void = () => rmSync(path, { recursive: true, force: true })): void {
  inProgress.set(path, cleanUp);
  if (!signalsHooked) {
    signalsHooked = true;
    for (const s of SIGNALS) process.on(s, onSignal);
  }
}

function untrack(path: string): void {
  inProgress.delete(path);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `.NAME.tmp-PID-XXXXXX` staging left next to `target` by a process
 * that is gone (killed, or a crash), and the `.NAME.tmp-XXXXXX` ones of
 * versions that did not record their process id.
 */
function removeStaleStaging(target: string): string[] {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length));
    if (pid && processAlive(Number(pid[1]))) continue;
    // Killed between its two renames: the previous tree is the `.old` one; put it back.
    if (name.endsWith('.old') && !existsSync(target)) {
      try {
        renameSync(join(parent, name), target);
      } catch {
        // the next run tries again
      }
      continue;
    }
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
      removed.push(join(parent, name));
    } catch {
      // not ours to insist on
    }
  }
  return removed;
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdir(..., {recursive: true})`
 * never returns for a missing directory under /proc (it retries ENOENT forever).
 */
function makeDirs(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`not a directory: ${dir}`), { code: 'ENOTDIR' });
      return;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    makeDirs(parent);
    try {
      mkdirSync(dir);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
    }
  }
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

/**
 * Temp file in the same directory, `fill` writes it, fsync, rename; the temp file is removed on
 * any failure. A BeambakeError from `fill` (a producer's own input error) passes through as it is.
 */
async function writeAtomicWith(path: string, fill: (fh: FileHandle) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  try {
    makeDirs(dir);
  } catch (e) {
    throw ioError(e, dir, 'cannot create directory');
  }
  const tmp = tempName(path);
  track(tmp);
  try {
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      await fill(fh);
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    if (e instanceof BeambakeError) throw e;
    throw ioError(e, path, 'cannot write');
  } finally {
    untrack(tmp);
  }
}

/** Write a file atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomicWith(path, (fh) => fh.writeFile(data));
}

/**
 * `writeFileAtomic` for a document produced in pieces (an SBOM of 100,000
 * components is larger than the longest string V8 can hold): chunks are
 * batched into 1 MiB writes of the temporary file.
 */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  await writeAtomicWith(path, (fh) => writeChunks(fh, chunks));
}

/**
 * One write in flight while the next megabyte is made: the file system writes
 * one piece while the generator makes the next (awaiting each write left the
 * process idle for a sixth of a large SBOM's writing).
 */
async function writeChunks(fh: FileHandle, chunks: Iterable<string>): Promise<void> {
  let inFlight: Promise<unknown> | undefined;
  try {
    for (const piece of joinedPieces(chunks, 1 << 20)) {
      await inFlight;
      inFlight = fh.write(piece);
    }
  } catch (e) {
    // the producer (an input error) or the write before failed: a write still running must not end unobserved
    await inFlight?.catch(() => undefined);
    throw e;
  }
  await inFlight;
}

/** What one file of writeFilesAtomic holds: its bytes, its text, or its text in pieces (see writeChunksAtomic). */
export type FileData = string | Uint8Array | Iterable<string>;

/**
 * Write several files that belong together (an SBOM and its VEX): every temp file is written
 * and every target checked before the first rename, so a bad path leaves none of them behind.
 */
export async function writeFilesAtomic(files: ReadonlyArray<readonly [path: string, data: FileData]>): Promise<void> {
  const seen = new Set<string>();
  for (const [path] of files) {
    if (seen.has(resolve(path))) throw new BeambakeError('INVALID_ARGUMENT', 'the same file is named as two outputs', { file: path });
    seen.add(resolve(path));
  }
  const temps: string[] = [];
  const cleanUp = () => Promise.all(temps.map((t) => fsp.rm(t, { force: true }).finally(() => untrack(t))));
  for (const [path, data] of files) {
    const dir = dirname(path);
    try {
      makeDirs(dir);
    } catch (e) {
      await cleanUp();
      throw ioError(e, dir, 'cannot create directory');
    }
    const tmp = tempName(path);
    track(tmp);
    try {
      const fh = await fsp.open(tmp, 'wx', 0o644);
      temps.push(tmp);
      try {
        if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
        else await writeChunks(fh, data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      // rename() would only find this out after the other files are in place
      if (isDir(path)) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (e) {
      await cleanUp();
      throw ioError(e, path, 'cannot write');
    }
  }
  for (const [i, [path]] of files.entries()) {
    try {
      renameSync(temps[i]!, path);
      untrack(temps[i]!);
    } catch (e) {
      await cleanUp();
      throw ioError(e, path, 'cannot write');
    }
  }
}

function isDir(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() === true;
}

/**
 * A new empty sibling directory of `target`. Not mkdtemp(), which always makes
 * it 0700: a mirror or layer is read by other users (BitBake's build user), so
 * the directory gets the mode any tool would give it, 0777 minus the umask.
 */
function makeTempDir(target: string): string {
  for (let attempt = 0; ; attempt++) {
    const tmp = tempName(target);
    try {
      mkdirSync(tmp, { mode: 0o777 });
      return tmp;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) throw e;
    }
  }
}

/**
 * Build a whole directory tree atomically. `fill` writes into a fresh
 * temporary directory next to `target`; on success the old tree (if any) is
 * swapped out and removed. On failure the temporary tree is deleted and
 * `target` is untouched.
 */
export async function replaceDirAtomic(target: string, fill: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const parent = dirname(target);
  try {
    makeDirs(parent);
  } catch (e) {
    throw ioError(e, parent, 'cannot create directory');
  }
  removeStaleStaging(target);
  let tmp: string;
  try {
    tmp = makeTempDir(target);
  } catch (e) {
    throw ioError(e, target, 'cannot write');
  }
  const old = `${tmp}.old`;
  // A signal between the two renames must not lose the tree: put the old one back first.
  track(tmp, () => {
    if (!existsSync(target) && existsSync(old)) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  });
  try {
    await replaceWith(target, tmp, fill);
  } finally {
    untrack(tmp);
  }
}

async function replaceWith(target: string, tmp: string, fill: (tmpDir: string) => void | Promise<void>): Promise<void> {
  try {
    // A directory that is replaced keeps its mode (and the new one gets it before anything is inside).
    const previous = statOrUndefined(target);
    if (previous?.isDirectory()) chmodSync(tmp, previous.mode & 0o7777);
    await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = existsSync(target) ? `${tmp}.old` : undefined;
  try {
    if (old) renameSync(target, old);
    renameSync(tmp, target);
  } catch (e) {
    if (old && !existsSync(target)) {
      try {
        renameSync(old, target);
      } catch {
        // the next run puts it back (removeStaleStaging)
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    throw ioError(e, target, 'cannot replace directory');
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
