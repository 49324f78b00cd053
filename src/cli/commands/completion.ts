import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { examples } from '../options.js';

interface CompletionArgs {
  shell?: string;
}

/**
 * `beambake completion [bash|zsh]`: the shell script that asks beambake for
 * completions (yargs answers them through the hidden `--get-yargs-completions`).
 */
export const completionCommand: CommandModule<object, CompletionArgs> = {
  command: 'completion [shell]',
  describe: 'Print a bash or zsh completion script (default: for $SHELL)',
  builder: (y: Argv) =>
    examples(y.positional('shell', { type: 'string', choices: ['bash', 'zsh'], describe: 'Shell to write the script for' }), [
      ['$0 completion bash >> ~/.bashrc', 'Complete commands and options in bash'],
      ['$0 completion zsh >> ~/.zshrc', 'The same for zsh'],
    ]) as unknown as Argv<CompletionArgs>,
  handler: async (args: ArgumentsCamelCase<CompletionArgs>) => {
    const { completionScript } = await import('../completion-script.js');
    process.stdout.write(completionScript(args.shell === 'zsh' || (args.shell === undefined && /zsh/.test(process.env.SHELL ?? '')) ? 'zsh' : 'bash'));
  },
};
