/**
 * Help text conventions yargs does not give by itself:
 * - examples are printed with the command on a line of its own, never
 *   wrapped (so it can be copied), and the description below it, wrapped at
 *   word boundaries. yargs lays examples out in two columns and breaks both;
 *   so `examples()` (options.ts) registers each example here and hands yargs a
 *   short placeholder, which `renderHelp` replaces.
 * - unknown options are named, with the closest known option and the
 *   subcommand whose help lists them (`unknownOptionMessage`).
 */

const examplesById: Array<readonly [string, string]> = [];
const PLACEHOLDER = /^ *@@beambake-example:(\d+)@@ *$/;

/** Remember an example; the returned placeholder is what yargs prints. */
export function registerExample(command: string, description: string): string {
  examplesById.push([command, description]);
  return `@@beambake-example:${examplesById.length - 1}@@`;
}

/** Greedy word wrap: breaks only at spaces; a word longer than the line stays whole. */
export function wrapWords(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (word === '') continue;
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/**
 * cliui (yargs' layout) appends an option's `[type]` column to the last line
 * of its description when it fits exactly, with no space between
 * (`(repeatable)[array]`); such an annotation goes on a line of its own.
 */
const GLUED_ANNOTATION = /^(.*\S)(\[(?:string|boolean|array|number|count|required|default:|choices:|deprecated)[^\]]*\].*)$/;

/** yargs' help output with the example placeholders replaced. */
export function renderHelp(text: string, width: number, programName = 'beambake'): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const glued = GLUED_ANNOTATION.exec(line);
      if (glued) return [glued[1]!, ' '.repeat(Math.max(0, width - glued[2]!.length)) + glued[2]!];
      const m = PLACEHOLDER.exec(line);
      if (!m) return [line];
      const [command, description] = examplesById[Number(m[1])]!;
      const out = [`  ${command.replace(/\$0/g, programName)}`];
      if (description) out.push(...wrapWords(description, width, '      '));
      return out;
    })
    .join('\n');
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known option closest to `name`, if it is close enough to be a likely typo. */
export function closestOption(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const prefix = known.filter((k) => k.startsWith(name));
  if (name.length >= 2 && prefix.length === 1) return prefix[0];
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The options in `args` (before `--`) that are not in `known` (long names and
 * aliases, kebab-case). `--no-x` counts as `--x`.
 */
export function unknownOptions(args: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '--') break;
    let names: string[] = [];
    if (arg.startsWith('--') && arg.length > 2) {
      const name = arg.slice(2).split('=')[0]!;
      names = [name.startsWith('no-') && !known.has(name) ? name.slice(3) : name];
    } else if (/^-[A-Za-z]/.test(arg)) {
      names = [...arg.slice(1).split('=')[0]!].filter((c) => /[A-Za-z]/.test(c)).slice(0, 1);
    }
    for (const n of names) if (!known.has(n) && !known.has(kebab(n))) out.push(arg.split('=')[0]!);
  }
  return out;
}

/** `error` text for unknown options: each one named, with the closest known option, and where the options are listed. */
export function unknownOptionMessage(unknown: readonly string[], known: ReadonlySet<string>, commandPath: string): string {
  const longKnown = [...known].filter((k) => k.length > 1).map((k) => `--${k}`);
  const parts = unknown.map((u) => {
    const guess = u.startsWith('--') ? closestOption(u, longKnown) : undefined;
    return `unknown option ${u}${guess ? ` (did you mean ${guess}?)` : ''}`;
  });
  return `${parts.join('; ')}\nRun 'beambake ${commandPath ? commandPath + ' ' : ''}--help' for the options${commandPath ? ` of ${commandPath}` : ''}.`;
}
