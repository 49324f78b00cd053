/**
 * Terminal output conventions: colour only on a TTY and never with NO_COLOR,
 * progress only when stderr is a TTY, JSON always on stdout with a newline.
 */

const useColor = (stream: NodeJS.WriteStream): boolean =>
  Boolean(stream.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';

function wrap(code: number, reset: number) {
  return (s: string, stream: NodeJS.WriteStream = process.stdout): string =>
    useColor(stream) ? `\u001b[${code}m${s}\u001b[${reset}m` : s;
}

export const style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

// C0 and C1 controls, DEL, line/paragraph separators and bidi overrides: what a hostile
// lockfile could use to move the cursor, recolour or rewrite a terminal or CI log.
// eslint-disable-next-line no-control-regex
const CONTROL_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeControl = (c: string): string => {
  const u = c.charCodeAt(0);
  return u <= 0xff ? '\\x' + u.toString(16).padStart(2, '0') : '\\u' + u.toString(16).padStart(4, '0');
};

/**
 * A value for one line of human output: every control character (newline and
 * escape included) printed as `\xNN`/`\uNNNN`. Every string that comes from an
 * input file goes through here, or through `safeText`, before a terminal sees it.
 */
export function safeLine(s: string): string {
  return s.replace(CONTROL_LINE, escapeControl);
}

/** Several lines of human output built without colour: newlines and tabs kept, every other control escaped. */
export function safeText(s: string): string {
  return s.replace(CONTROL_TEXT, escapeControl);
}

/** JSON output: `JSON.stringify` already escapes C0 controls; an integer beyond 2^53 (a bigint) prints exact, as a string. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
}

export function warn(message: string): void {
  process.stderr.write(`${style.yellow('warning', process.stderr)}: ${safeLine(message)}\n`);
}

/** A message on stderr, escaped (newlines kept); `styledPrefix` is beambake's own coloured word, if any. */
export function info(message: string, styledPrefix?: string): void {
  process.stderr.write(`${styledPrefix ? styledPrefix + ' ' : ''}${safeText(message)}\n`);
}

/** Four columns wide, so titles line up: `ok  `, `FAIL`, `skip`. */
function resultMark(result: string): string {
  return result === 'pass' ? style.green('ok  ') : result === 'fail' ? style.red('FAIL') : style.dim('skip');
}

/** One entry of a check report on stdout: result mark and title, then its detail lines indented. */
export function reportEntry(result: string, title: string, details: readonly string[]): string {
  return `${resultMark(result)}  ${safeLine(title)}\n` + details.map((d) => `      ${safeLine(d)}\n`).join('');
}

/** Render rows as an aligned plain-text table (no colour inside cells). */
export function table(headers: string[], rowsGiven: string[][]): string {
  const rows = rowsGiven.map((r) => r.map(safeLine));
  // A loop, not Math.max(...rows): 100,000 rows would overflow the argument list.
  const widths = headers.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** One line of status on stderr, redrawn in place; nothing at all when stderr is not a terminal (or TERM=dumb). */
export interface StatusLine {
  /** Whether anything is drawn at all (a terminal that can erase a line): work done only to be shown can be skipped otherwise. */
  readonly active: boolean;
  /** Show `text` (made terminal-safe here) unless the line was drawn less than 100 ms ago; `force` draws it anyway. */
  update(text: string, force?: boolean): void;
  /** Remove the line, so what is printed next starts on a clean line. */
  clear(): void;
}

// carriage return, erase the line; autowrap off while the text is written, so a line wider than the
// terminal (double-width characters count twice) is cut at the margin instead of wrapping onto a
// row the next redraw would not erase
const DRAW_START = '\r\u001b[2K\u001b[?7l';
const DRAW_END = '\u001b[?7h';

export function statusLine(stream: NodeJS.WriteStream = process.stderr): StatusLine {
  if (!stream.isTTY || process.env.TERM === 'dumb') return { active: false, update() {}, clear() {} };
  let last = 0;
  let shown = false;
  const clear = (): void => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  // an interrupt (the atomic writer exits on SIGINT/SIGTERM) leaves no status line for the prompt to follow
  process.once('exit', clear);
  return {
    active: true,
    update(text, force = false) {
      const now = Date.now();
      if (!force && now - last < 100) return;
      last = now;
      shown = true;
      // a pseudo-terminal may report no width (0): a line then fits 80 columns; cut between characters,
      // never inside a surrogate pair
      const width = stream.columns > 0 ? stream.columns : 80;
      const chars = Array.from(safeLine(text));
      stream.write(`${DRAW_START}${chars.length < width ? chars.join('') : chars.slice(0, width - 1).join('')}${DRAW_END}`);
    },
    clear,
  };
}

/** `[#####-----]`: `done` of `total` as a bar `width` characters wide. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/** A one-line progress bar on stderr counting `total` steps; a no-op when stderr is not a TTY. */
export function progress(total: number, title: string): Progress {
  if (total <= 1) return { tick() {}, done() {} };
  const line = statusLine();
  let n = 0;
  return {
    tick(label = '') {
      n++;
      line.update(`${title} ${bar(n, total)} ${n}/${total} ${label}`, n === total);
    },
    done() {
      line.clear();
    },
  };
}
