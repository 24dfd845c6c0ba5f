/** A command that cannot run as asked: one line, exit code 2 (scripts/cli.ts). */
export class CliError extends Error {}
