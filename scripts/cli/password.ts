import { CliError } from './errors';

/** The environment variable a script sets to the acting user's password (no terminal to type it in). */
export const PASSWORD_VARIABLE = 'LOANFLOW_PASSWORD';

/**
 * The password of the user a command acts as (`--as`): LOANFLOW_PASSWORD when set (scripts),
 * else typed at a prompt on the terminal, not echoed. Without either there is no way to ask, and
 * the command is refused in one line. The database takes the acting user's id on trust
 * (docs/security.md), so the CLI, like the API, checks that whoever names a user knows their password.
 */
export async function actingPassword(username: string): Promise<string> {
  const fromEnv = process.env[PASSWORD_VARIABLE];
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError(`--as ${username} needs ${username}'s password: type it at a terminal, or set ${PASSWORD_VARIABLE} for a script`);
  }
  return askHidden(`password for ${username}: `);
}

/**
 * Reads a line from the terminal in raw mode, echoing nothing (a dozen lines of node's own; a
 * dependency for one prompt is not worth its weight). Ctrl-C cancels; backspace deletes.
 */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed.push(ch);
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
