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

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function warn(message: string): void {
  process.stderr.write(`${style.yellow('warning', process.stderr)}: ${message}\n`);
}

export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Four columns wide, so titles line up: `ok  `, `FAIL`, `skip`. */
function resultMark(result: string): string {
  return result === 'pass' ? style.green('ok  ') : result === 'fail' ? style.red('FAIL') : style.dim('skip');
}

/** One entry of a check report on stdout: result mark and title, then its detail lines indented. */
export function reportEntry(result: string, title: string, details: readonly string[]): string {
  return `${resultMark(result)}  ${title}\n` + details.map((d) => `      ${d}\n`).join('');
}

/** Render rows as an aligned plain-text table (no colour inside cells). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/** A one-line progress bar on stderr; a no-op when stderr is not a TTY. */
export function progress(total: number, title: string): Progress {
  const stream = process.stderr;
  if (!stream.isTTY || total <= 1) return { tick() {}, done() {} };
  let n = 0;
  let last = 0;
  const draw = (label = '') => {
    const width = 24;
    const filled = Math.round((n / total) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const text = `${title} [${bar}] ${n}/${total} ${label}`.slice(0, (stream.columns ?? 80) - 1);
    stream.write(`\r\u001b[2K${text}`);
  };
  return {
    tick(label) {
      n++;
      const now = Date.now();
      if (now - last > 50 || n === total) {
        last = now;
        draw(label);
      }
    },
    done() {
      stream.write('\r\u001b[2K');
    },
  };
}
