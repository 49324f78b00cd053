/**
 * Streaming reader for SBOM-shaped JSON: one top-level object whose big
 * arrays (`@graph`, `packages`, `files`, `relationships`, `components`, ...)
 * are delivered element by element. Each element is parsed with the native
 * JSON.parse, so memory stays bounded by one element plus what the caller
 * keeps, and speed stays close to JSON.parse (a token-by-token parser such as
 * stream-json is several times slower; the bench measures the difference).
 *
 * The scanner only finds element boundaries (brackets outside strings);
 * JSON.parse does the validation. Where the layout lets it, a run of elements
 * is parsed at once without the byte scan (Scanner.run). Errors name the file
 * and line:column (the column counts bytes).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { BeambakeError, ioError } from '../../util/errors.js';
import { isStackOverflow } from '../../util/nesting.js';

/** V8's JSON.parse message without its position and its excerpt of the input (which may hold newlines). */
export function jsonReason(msg: string): string {
  return msg
    .replace(/\s+in JSON at position \d+.*$/s, '')
    .replace(/,\s*".*" is not valid JSON$/s, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
}

export interface ScanHandlers {
  /** True when the array under this top-level key should be delivered element by element. */
  streamed(key: string): boolean;
  onElement(key: string, value: unknown, index: number): void;
  onValue(key: string, value: unknown): void;
}

const enum S {
  TopStart,
  KeyOrEnd,
  Key,
  Colon,
  ValueStart,
  Value,
  AfterValue,
  ElemOrEnd,
  AfterElem,
  Done,
}

/** Line and column (1-based) of byte offset `abs` of a file, counted from the file itself (for an error message). */
function positionInFile(path: string, abs: number): { line: number; column: number } {
  let line = 1;
  let lastNewline = -1;
  const buf = Buffer.alloc(1 << 20);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (let at = 0; at < abs; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, abs - at), at);
      if (n === 0) break;
      for (let nl = buf.indexOf(0x0a, 0); nl !== -1 && nl < n; nl = buf.indexOf(0x0a, nl + 1)) {
        line++;
        lastNewline = at + nl;
      }
      at += n;
    }
  } catch {
    // the file went away after it was read: the position is the part of the message that is lost
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return { line, column: abs - lastNewline };
}

const isWs = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Bytes of streamed array elements parsed at once (see Scanner.run): small enough that the parsed run dies young. */
const RUN = 1 << 16;
/** Runs of one array that may fail to parse before the scanner reads the rest of it on its own. */
const RUN_FAILURES = 4;
const CLOSE_BRACE = Buffer.from('}');

/**
 * What ends an element of the array whose object element begins at `i`, and
 * where in the match the element ends (`end`):
 * - pretty-printed (the `{` begins its line): a newline, the same indentation
 *   and `}`. A newline is never inside a JSON string and a nested object's
 *   brace is indented deeper, so only a malformed or oddly indented document
 *   gives a wrong match (`pretty`: one failed run ends the runs of that array).
 * - otherwise (compact): `}`, the separator this element follows (`,` and the
 *   white space around it) and this element's first key, as in `},{"SPDXID":`.
 *   An object inside an element may match too (nested components); the parse
 *   tells, and the array is scanned on its own after a few such failures.
 */
function runNeedle(b: Buffer, i: number): { bytes: Buffer; end: number; pretty: boolean } | undefined {
  let line = i;
  while (line > 0 && (b[line - 1] === 0x20 || b[line - 1] === 0x09)) line--;
  if (line > 0 && b[line - 1] === 0x0a) {
    const bytes = Buffer.concat([b.subarray(line - 1, i), CLOSE_BRACE]);
    return { bytes, end: bytes.length, pretty: true };
  }
  let sep = i;
  while (isWs(b[sep - 1])) sep--;
  if (b[sep - 1] !== 0x2c) return undefined;
  sep--;
  while (isWs(b[sep - 1])) sep--;
  if (b[sep - 1] !== 0x7d) return undefined;
  const colon = b.indexOf(0x3a, i);
  if (colon === -1 || colon - i > 64) return undefined;
  return { bytes: b.subarray(sep - 1, colon + 1), end: 1, pretty: false };
}


class Scanner {
  private state = S.TopStart;
  private key = '';
  private inArray = false;
  private index = 0;
  // capture of the value / element / key being read
  private parts: Uint8Array[] = [];
  private depth = 0;
  private inString = false;
  private backslashCarry = 0;
  private primitive = false;
  private valueLine = 1;
  private valueColumn = 1;
  /** Byte offset (from the start of the input) of the value being captured. */
  private valueStart = 0;
  // position tracking, only advanced lazily (see `locate`)
  private chunkStart = 0;
  private lineAtCounted = 1;
  private countedTo = 0;
  private lastNewline = -1;
  private firstChunk = true;
  private chunk: Uint8Array = new Uint8Array(0);
  /** Runs of a streamed array (see `run`) that did not parse; from RUN_FAILURES on, none is tried. */
  private readonly runFailures = new Map<string, number>();

  /**
   * `fromFile`: the input is the file `file`, which can be read again, so lines are counted only
   * when an error needs a position (a pretty-printed SBOM has millions of lines, each a call to
   * find); otherwise they are counted as the chunks pass.
   */
  constructor(
    private readonly file: string,
    private readonly handlers: ScanHandlers,
    private readonly fromFile = false,
  ) {}

  /** Line and column (1-based) of byte offset `pos` in the current chunk. */
  private locate(pos: number): { line: number; column: number } {
    const abs = this.chunkStart + pos;
    if (this.fromFile) return positionInFile(this.file, abs);
    const buf = this.chunk;
    let from = this.countedTo - this.chunkStart;
    if (from < 0) from = 0;
    while (from < pos) {
      const nl = buf.indexOf(0x0a, from);
      if (nl === -1 || nl >= pos) break;
      this.lineAtCounted++;
      this.lastNewline = this.chunkStart + nl;
      from = nl + 1;
    }
    this.countedTo = Math.max(this.countedTo, abs);
    return { line: this.lineAtCounted, column: abs - this.lastNewline };
  }

  private fail(pos: number, what: string): never {
    const { line, column } = this.locate(pos);
    throw new BeambakeError('SBOM_PARSE', what, { file: this.file, line, column });
  }

  private startCapture(pos: number, primitive: boolean): void {
    this.valueStart = this.chunkStart + pos;
    if (!this.fromFile) {
      const at = this.locate(pos);
      this.valueLine = at.line;
      this.valueColumn = at.column;
    }
    if (this.parts.length > 0) this.parts = [];
    this.depth = 0;
    this.inString = false;
    this.backslashCarry = 0;
    this.primitive = primitive;
  }

  /** The captured value ends at `end` of `buf`; it began in `buf` too unless earlier chunks were kept in `parts`. */
  private finishCapture(buf: Uint8Array, start: number, end: number): unknown {
    let text: string;
    if (this.parts.length === 0) {
      // the usual case, a value inside one chunk: decoded from the chunk, no view or copy of its bytes
      text = Buffer.isBuffer(buf) ? buf.toString('utf8', start, end) : Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    } else {
      this.parts.push(buf.subarray(start, end));
      const bytes = Buffer.concat(this.parts);
      this.parts = [];
      text = bytes.toString('utf8');
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      let { line, column } = this.fromFile ? positionInFile(this.file, this.valueStart) : { line: this.valueLine, column: this.valueColumn };
      if (m) {
        const before = text.slice(0, Number(m[1]));
        const nl = before.lastIndexOf('\n');
        const lines = before.split('\n').length - 1;
        if (lines > 0) {
          line += lines;
          column = before.length - nl;
        } else column += before.length;
      }
      const where = this.key ? (this.inArray ? `${this.key}[${this.index}]` : this.key) : undefined;
      throw new BeambakeError('SBOM_PARSE', `invalid JSON: ${jsonReason(msg)}`, {
        file: this.file,
        line,
        column,
        entry: where,
      });
    }
  }

  /**
   * Advance through a captured value from `i`; returns the index just past
   * its end, or -1 when the chunk ran out first.
   */
  private scanValue(buf: Uint8Array, i: number): number {
    const n = buf.length;
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf(0x22, i);
        if (q === -1) {
          let k = n - 1;
          while (k >= i && buf[k] === 0x5c) k--;
          const run = n - 1 - k;
          this.backslashCarry = k < i ? this.backslashCarry + run : run;
          return -1;
        }
        let k = q - 1;
        while (k >= i && buf[k] === 0x5c) k--;
        let run = q - 1 - k;
        if (k < i) run += this.backslashCarry;
        this.backslashCarry = 0;
        i = q + 1;
        if (run % 2 === 0) {
          this.inString = false;
          if (this.depth === 0 && !this.primitive) return i; // a top-level string value
        }
        continue;
      }
      const b = buf[i]!;
      if (this.primitive) {
        if (b === 0x2c || b === 0x5d || b === 0x7d || isWs(b)) return i;
        i++;
        continue;
      }
      if (b === 0x22) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this.depth++;
      else if (b === 0x7d || b === 0x5d) {
        this.depth--;
        if (this.depth === 0) return i + 1;
        if (this.depth < 0) this.fail(i, `unexpected '${String.fromCharCode(b)}'`);
      }
      i++;
    }
    return -1;
  }

  /**
   * The objects of a streamed array from the one that begins at `i` (up to RUN
   * bytes of them, at least one), parsed with one JSON.parse instead of being
   * scanned byte by byte; returns the index just past the last, or -1 when this
   * element is left to the scanner. Where an element ends is found by a needle
   * (see `runNeedle`) and proven by the parse: the text from an element's start
   * parses as a list of values only when it ends where an element ends (a cut
   * inside a string leaves it open, a cut inside an object leaves a bracket
   * open). Anything else (malformed JSON, a needle that also matched inside an
   * element) goes to the scanner, which reports errors as before; an array
   * whose runs keep failing is scanned element by element from then on.
   */
  private run(buf: Uint8Array, i: number): number {
    if ((this.runFailures.get(this.key) ?? 0) >= RUN_FAILURES) return -1;
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    const needle = runNeedle(b, i);
    if (needle === undefined) return -1;
    let at = b.lastIndexOf(needle.bytes, i + RUN);
    if (at < i) at = b.indexOf(needle.bytes, i);
    if (at === -1) return -1;
    const end = at + needle.end;
    let list: unknown[];
    try {
      list = JSON.parse(`[${b.toString('utf8', i, end)}]`) as unknown[];
    } catch {
      this.runFailures.set(this.key, needle.pretty ? RUN_FAILURES : (this.runFailures.get(this.key) ?? 0) + 1);
      return -1;
    }
    for (const v of list) this.handlers.onElement(this.key, v, this.index++);
    return end;
  }

  private beginValue(buf: Uint8Array, i: number): void {
    const b = buf[i]!;
    this.startCapture(i, !(b === 0x7b || b === 0x5b || b === 0x22));
  }

  push(buf: Uint8Array): void {
    this.chunk = buf;
    let i = 0;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    }
    const n = buf.length;
    while (i < n) {
      const b = buf[i]!;
      switch (this.state) {
        case S.Value: {
          const start = i;
          const end = this.scanValue(buf, i);
          if (end === -1) {
            this.parts.push(buf.subarray(start));
            i = n;
            break;
          }
          i = end;
          const value = this.finishCapture(buf, start, end);
          if (this.inArray) {
            this.handlers.onElement(this.key, value, this.index++);
            this.state = S.AfterElem;
          } else {
            this.handlers.onValue(this.key, value);
            this.state = S.AfterValue;
          }
          break;
        }
        case S.Key: {
          const end = this.scanValue(buf, i);
          if (end === -1) {
            this.parts.push(buf.subarray(i));
            i = n;
            break;
          }
          const start = i;
          i = end;
          this.key = this.finishCapture(buf, start, end) as string;
          this.state = S.Colon;
          break;
        }
        default:
          if (isWs(b)) {
            i++;
            break;
          }
          if (this.state === S.ElemOrEnd && b === 0x7b) {
            const end = this.run(buf, i);
            if (end !== -1) {
              i = end;
              this.state = S.AfterElem;
              break;
            }
          }
          i = this.structural(buf, i, b);
      }
    }
    this.chunkStart += n;
    if (this.fromFile) return;
    this.countedTo = Math.max(this.countedTo, this.chunkStart - n);
    // newline counting restarts from the next chunk's beginning
    this.locateTail(buf);
  }

  /** Count the newlines of the rest of this chunk so positions stay right in the next one. */
  private locateTail(buf: Uint8Array): void {
    const startOfChunk = this.chunkStart - buf.length;
    let from = Math.max(0, this.countedTo - startOfChunk);
    for (;;) {
      const nl = buf.indexOf(0x0a, from);
      if (nl === -1) break;
      this.lineAtCounted++;
      this.lastNewline = startOfChunk + nl;
      from = nl + 1;
    }
    this.countedTo = this.chunkStart;
  }

  private structural(buf: Uint8Array, i: number, b: number): number {
    const ch = String.fromCharCode(b);
    switch (this.state) {
      case S.TopStart:
        if (b !== 0x7b) this.fail(i, `expected a JSON object, found '${ch}'`);
        this.state = S.KeyOrEnd;
        return i + 1;
      case S.KeyOrEnd:
        if (b === 0x7d) {
          this.state = S.Done;
          return i + 1;
        }
        if (b !== 0x22) this.fail(i, `expected a key or '}', found '${ch}'`);
        this.startCapture(i, false);
        this.inArray = false;
        this.key = '';
        this.state = S.Key;
        return i;
      case S.Colon:
        if (b !== 0x3a) this.fail(i, `expected ':' after key "${this.key}", found '${ch}'`);
        this.state = S.ValueStart;
        return i + 1;
      case S.ValueStart:
        if (b === 0x5b && this.handlers.streamed(this.key)) {
          this.inArray = true;
          this.index = 0;
          this.state = S.ElemOrEnd;
          return i + 1;
        }
        this.beginValue(buf, i);
        this.state = S.Value;
        return i;
      case S.ElemOrEnd:
        if (b === 0x5d) {
          this.inArray = false;
          this.state = S.AfterValue;
          return i + 1;
        }
        if (b === 0x2c) this.fail(i, `unexpected ',' in ${this.key}`);
        this.beginValue(buf, i);
        this.state = S.Value;
        return i;
      case S.AfterElem:
        if (b === 0x2c) {
          this.state = S.ElemOrEnd;
          return i + 1;
        }
        if (b === 0x5d) {
          this.inArray = false;
          this.state = S.AfterValue;
          return i + 1;
        }
        return this.fail(i, `expected ',' or ']' in ${this.key}, found '${ch}'`);
      case S.AfterValue:
        if (b === 0x2c) {
          this.state = S.KeyOrEnd;
          return i + 1;
        }
        if (b === 0x7d) {
          this.state = S.Done;
          return i + 1;
        }
        return this.fail(i, `expected ',' or '}' after "${this.key}", found '${ch}'`);
      case S.Done:
        return this.fail(i, `unexpected '${ch}' after the end of the document`);
      default:
        return this.fail(i, `internal scanner state ${this.state}`);
    }
  }

  end(): void {
    if (this.state !== S.Done) {
      const what = this.state === S.TopStart ? 'empty input, expected a JSON object' : 'unexpected end of input';
      const at = this.fromFile ? positionInFile(this.file, this.chunkStart) : { line: this.lineAtCounted, column: this.chunkStart - this.lastNewline };
      throw new BeambakeError('SBOM_PARSE', what, {
        file: this.file,
        line: at.line,
        column: at.column,
        ...(this.key ? { entry: this.inArray ? `${this.key}[${this.index}]` : this.key } : {}),
      });
    }
  }
}

/**
 * Scan one JSON document given as a sequence of byte chunks. `fromFile`: the
 * chunks are the file `file` from its first byte, so an error's line is
 * counted by reading it again instead of counting every chunk's newlines.
 */
export async function scanJson(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file: string,
  handlers: ScanHandlers,
  fromFile = false,
): Promise<void> {
  const s = new Scanner(file, handlers, fromFile);
  for await (const c of chunks) s.push(c);
  s.end();
}

/** Scan a JSON file from disk in 1 MiB chunks; `onChunk` sees every byte (for hashing). */
export async function scanJsonFile(path: string, handlers: ScanHandlers, onChunk?: (b: Uint8Array) => void): Promise<void> {
  const s = new Scanner(path, handlers, true);
  try {
    for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) {
      onChunk?.(c as Buffer);
      s.push(c as Buffer);
    }
  } catch (e) {
    if (e instanceof BeambakeError || isStackOverflow(e)) throw e;
    throw ioError(e, path, 'cannot read');
  }
  s.end();
}
