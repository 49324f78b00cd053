/** Turn a `JSON.parse` error into a message without the offset and a 1-based line:column. */
export function jsonErrorLocation(
  text: string,
  error: unknown,
): { message: string; position?: { line: number; column: number } } {
  const raw = error instanceof Error ? error.message : String(error);
  const m = /\bat position (\d+)/.exec(raw);
  const message = raw.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/\s*(in JSON )?at position \d+.*$/, '');
  if (!m) {
    // "Unexpected end of JSON input" carries no offset: the problem is at the end.
    return /end of JSON input/.test(raw) ? { message, position: lineColumn(text, text.length) } : { message };
  }
  return { message, position: lineColumn(text, Number(m[1])) };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}
