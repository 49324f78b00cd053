/**
 * A small unified diff for `beambake recipe --check`, so CI shows what is
 * stale without depending on an external `diff` binary.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Line operations of a shortest edit script: common head and tail first, then
 * Myers' O((N+M)·D) greedy algorithm on the middle, so a 16,000-line file with
 * one changed line costs a few thousand comparisons. Past MAX_EDITS the middle
 * is shown as replaced wholesale (a correct diff, just not minimal).
 */
const MAX_EDITS = 2000;

function operations(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ' as const, line }));
  ops.push(...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)));
  ops.push(...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })));
  return ops;
}

function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const replaced = (): Op[] => [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  if (n === 0 || m === 0) return replaced();
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return replaced();
  // Walk back through the saved frontiers: trace[d] holds V before step d, for k in [-d-1, d+1].
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const saved = trace[d]!;
    const at = (k: number) => saved[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', line: a[--x]! }), y--;
    if (x === prevX) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', line: a[--x]! }), y--;
  return ops.reverse();
}

/**
 * `--- a/PATH` / `+++ b/PATH` with hunks of `context` lines; `undefined`
 * for a side means the file does not exist (`/dev/null`). Empty string when equal.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined, context = 3): string {
  if (before === after) return '';
  const ops = operations(splitLines(before ?? ''), splitLines(after ?? ''));
  const out = [`--- ${before === undefined ? '/dev/null' : `a/${path}`}`, `+++ ${after === undefined ? '/dev/null' : `b/${path}`}`];
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) {
    // Only the final newline differs.
    out.push('@@ -1 +1 @@', '\\ No newline at end of file');
    return out.join('\n') + '\n';
  }
  // Line numbers before each op, counted once (hunks need the numbers where they start).
  const aLine = new Int32Array(ops.length + 1);
  const bLine = new Int32Array(ops.length + 1);
  for (let x = 0; x < ops.length; x++) {
    aLine[x + 1] = aLine[x]! + (ops[x]!.kind !== '+' ? 1 : 0);
    bLine[x + 1] = bLine[x]! + (ops[x]!.kind !== '-' ? 1 : 0);
  }
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end) {
      k++;
      end = Math.min(ops.length, changed[k]! + context + 1);
    }
    k++;
    const aLen = aLine[end]! - aLine[start]!;
    const bLen = bLine[end]! - bLine[start]!;
    const aStart = aLine[start]! + 1;
    const bStart = bLine[start]! + 1;
    out.push(`@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@`);
    for (let x = start; x < end; x++) out.push(`${ops[x]!.kind}${ops[x]!.line}`);
  }
  return out.join('\n') + '\n';
}
