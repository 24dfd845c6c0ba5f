import { Command } from 'commander';
import { closeQuarter, periodView, reopenQuarter, type PeriodView } from '../../db/reconciliation';
import type { CliContext } from './context';

function print(v: PeriodView): void {
  console.log(`${v.quarter}: ${v.status}${v.closedAt ? ` (closed ${v.closedAt} by ${v.closedBy})` : ''}`);
  for (const r of v.reconciliations) console.log(`  reconciliation ${r.id} (bank ${r.bankId}): ${r.unresolved} unresolved`);
  if (v.status === 'open') console.log(v.blockers.length ? `  cannot close yet:\n${v.blockers.map((b) => `   - ${b.path}: ${b.message}`).join('\n')}` : '  ready to close');
  for (const e of v.history) console.log(`  ${e.at}  ${e.action} by ${e.by}${e.reason ? `: ${e.reason}` : ''}`);
}

export function periodCommand(run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>): Command {
  const cmd = new Command('period').description('accounting quarters: status, close, reopen (finance approver)');
  cmd
    .command('status <quarter>')
    .action((quarter: string) => run(async (ctx) => print(await periodView(ctx.db, quarter, ctx.today))));
  cmd
    .command('close <quarter>')
    .description('close an ended, fully reconciled quarter: the ledger then refuses postings dated in it')
    .option('--as <username>', 'the finance approver')
    .option('--reason <text>')
    .action((quarter: string, o: { as?: string; reason?: string }) =>
      run(async (ctx) => print(await closeQuarter(ctx.db, { quarter, actor: await ctx.actor(o.as), reason: o.reason, today: ctx.today }))),
    );
  cmd
    .command('reopen <quarter>')
    .option('--as <username>', 'the finance approver')
    .requiredOption('--reason <text>', 'why (audited)')
    .action((quarter: string, o: { as?: string; reason: string }) =>
      run(async (ctx) => print(await reopenQuarter(ctx.db, { quarter, actor: await ctx.actor(o.as), reason: o.reason, today: ctx.today }))),
    );
  return cmd;
}
