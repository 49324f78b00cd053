/**
 * Examples in Markdown: every ```console block, each `$ beambake ...` line
 * (with `\` continuation lines) followed by the output the docs show, up to
 * the next `$ ` line or the end of the block. A line of only `...` in the
 * shown output stands for any number of lines.
 */
import { readFileSync } from 'node:fs';

export interface DocExample {
  file: string;
  /** 1-based line of the `$ beambake` line. */
  line: number;
  /** The command as written, without `$ ` and continuations joined. */
  command: string;
  expected: string[];
}

export function docExamples(file: string, label = file): DocExample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: DocExample[] = [];
  let inConsole = false;
  let current: DocExample | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!inConsole) {
      if (/^```console\s*$/.test(l)) inConsole = true;
      continue;
    }
    if (/^```\s*$/.test(l)) {
      inConsole = false;
      current = undefined;
      continue;
    }
    if (l.startsWith('$ ')) {
      let command = l.slice(2);
      const line = i + 1;
      while (command.endsWith('\\') && i + 1 < lines.length) command = command.slice(0, -1).trimEnd() + ' ' + lines[++i]!.trim();
      current = { file: label, line, command, expected: [] };
      out.push(current);
      continue;
    }
    current?.expected.push(l);
  }
  return out;
}

/** Split a command line into words: plain words and '...' / "..." quoted ones (what the docs use). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Does `actual` match `expected`, where an `...` line in expected matches any run of lines? */
export function matchesWithEllipsis(expected: readonly string[], actual: readonly string[]): boolean {
  const go = (e: number, a: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (expected[e] === '...') {
      for (let k = a; k <= actual.length; k++) if (go(e + 1, k)) return true;
      return false;
    }
    return a < actual.length && expected[e] === actual[a] && go(e + 1, a + 1);
  };
  return go(0, 0);
}
