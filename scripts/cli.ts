/**
 * `loanflow`, the finance and admin CLI (`npm run cli -- <command>`), on commander. It opens the
 * same database as the API (DATABASE_URL, or the embedded one of `npm start`) and calls the same
 * rule functions, so a rule holds whichever way the work is done:
 *
 *   reconcile import <file> --bank <id|name> --quarter 2027Q1 --as fin-officer
 *   reconcile list | reconcile mismatches <id>
 *   period status|close <quarter> --as fin-approver [--reason ...]
 *   period reopen <quarter> --as fin-officer --reason ...; period reopen-approve <quarter> <requestId> --as fin-approver
 *   report kpi --from 2027-01-01 --to 2027-03-31 --group-by bank --format xlsx --out kpi.xlsx
 *   forecast [--quarters 8] [--as-of 2027-06-30] [--format table|json|csv|xlsx]; forecast what-if --set subsidyShare=0.5 [--reprice]
 *   forecast save <name> --set ... --as fin-officer; forecast scenarios
 *   ledger verify
 *   demo seed
 *
 * A command that acts as a user (`--as`) needs that user's password: typed at the prompt, or in
 * LOANFLOW_PASSWORD for a script (scripts/cli/password.ts).
 *
 * Exit codes: 0 done, 1 refused by a rule or failed, 2 bad usage.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { DomainError } from '../domain/errors';
import { CliError, openContext, type CliContext } from './cli/context';
import { reconcileCommand } from './cli/reconcile';
import { periodCommand } from './cli/period';
import { reportCommand } from './cli/report';
import { ledgerCommand } from './cli/ledger';
import { demoCommand } from './cli/demo';
import { forecastCommand } from './cli/forecast';

async function run(fn: (ctx: CliContext) => Promise<void>, opts: { migrate?: boolean } = {}): Promise<void> {
  const ctx = await openContext(opts);
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const program = new Command('loanflow')
  .description('finance bureau and admin work on the loanflow database')
  .exitOverride()
  .showHelpAfterError()
  // A subcommand's options are its own, even where its parent has one of the same name (forecast what-if --format).
  .enablePositionalOptions();
for (const make of [reconcileCommand, periodCommand, reportCommand, forecastCommand, ledgerCommand, demoCommand]) program.addCommand(make(run));

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof DomainError) {
    console.error(`refused (${e.code}): ${e.message}`);
    for (const d of e.details) console.error(`  - ${d.path}: ${d.message}`);
  } else if (e instanceof CliError || e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  } else {
    console.error(e);
  }
  process.exit(1);
});
