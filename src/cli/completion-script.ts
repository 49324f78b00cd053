/**
 * yargs' own completion script for bash or zsh. yargs picks the template from
 * $SHELL when its instance is created, so a fresh instance is made with the
 * shell asked for, and its script captured.
 */
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';

export function completionScript(shell: 'bash' | 'zsh'): string {
  const require = createRequire(import.meta.url);
  const yargsFactory = require('yargs') as (args: string[]) => Argv;
  const saved = { SHELL: process.env.SHELL, ZSH_NAME: process.env.ZSH_NAME };
  process.env.SHELL = shell === 'zsh' ? '/bin/zsh' : '/bin/bash';
  delete process.env.ZSH_NAME;
  let script = '';
  try {
    const y = yargsFactory([]).scriptName('beambake').completion('completion', false);
    // with a parse callback yargs hands output over instead of printing it
    y.parse(['completion'], {}, (_err: unknown, _argv: unknown, output: string) => {
      script = output;
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return script.endsWith('\n') ? script : script + '\n';
}
