/**
 * JSON input files. V8's `JSON.parse` messages carry a character offset (or
 * nothing); users need the file and line:column, so every reader of a JSON
 * input goes through here.
 */
import { BeambakeError } from './errors.js';
import { readText } from './files.js';

export type JsonParse =
  | { ok: true; value: unknown }
  /** `message` is V8's text without the offset; line and column are 1-based, absent when V8 gives no offset. */
  | { ok: false; message: string; line?: number; column?: number };

/** Parse without throwing, for callers that report bad JSON as a check result rather than an error. */
export function tryParseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, ...describeJsonError(text, e) };
  }
}

/** " at line:column: message" (or ": message" without a position), to follow "not valid JSON" in a check's reason. */
export function jsonFailureSuffix(r: Extract<JsonParse, { ok: false }>): string {
  return `${r.line !== undefined ? ` at ${r.line}:${r.column}` : ''}: ${r.message}`;
}

/** The parsed value, or `BeambakeError(code, 'not valid JSON: ...', {file, line, column})`. */
export function parseJsonText(text: string, file: string, code: string): unknown {
  const r = tryParseJson(text);
  if (r.ok) return r.value;
  const { message, line, column } = r;
  throw new BeambakeError(code, `not valid JSON: ${message}`, { file, ...(line !== undefined ? { line, column } : {}) });
}

/** Read and parse a JSON file; an unreadable file is an `IO` error starting with `what`. */
export function readJsonFile(path: string, code: string, what = 'cannot read'): unknown {
  return parseJsonText(readText(path, what), path, code);
}

function describeJsonError(text: string, error: unknown): { message: string; line?: number; column?: number } {
  const raw = error instanceof Error ? error.message : String(error);
  const m = /\bat position (\d+)/.exec(raw);
  const message = raw.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/\s*(in JSON )?at position \d+.*$/, '');
  if (m) return { message, ...lineColumn(text, Number(m[1])) };
  // "Unexpected token 'x', "<excerpt of the input>" is not valid JSON" gives no offset, and the excerpt
  // can hold newlines or binary bytes: find the token and name it escaped instead.
  if (/^Unexpected token\b/.test(raw)) {
    const offset = badTokenOffset(text);
    if (offset !== undefined) return { message: `Unexpected token ${JSON.stringify(text[offset])}`, ...lineColumn(text, offset) };
    return { message: 'Unexpected token' };
  }
  // "Unexpected end of JSON input" carries no offset: the problem is at the end.
  return /end of JSON input/.test(raw) ? { message, ...lineColumn(text, text.length) } : { message };
}

/**
 * The offset of the character V8 rejects. A prefix that stops before it fails only for running
 * out of input (no position, or a position at its very end); one that includes it fails earlier.
 * That is monotonic in the prefix length, so bisect on it.
 */
function badTokenOffset(text: string): number | undefined {
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const msg = e instanceof Error ? e.message : '';
      const pos = /\bat position (\d+)/.exec(msg);
      if (pos) return Number(pos[1]) < k;
      return /^Unexpected token\b/.test(msg);
    }
  };
  if (!failsInside(text.length)) return undefined;
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
