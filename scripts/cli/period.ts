import { Command } from 'commander';
import { periodView, type PeriodView } from '../../db/reconciliation';
import { closeQuarter, decideReopen, requestReopen } from '../../usecases/periods';
import type { CliRun } from './context';

function print(v: PeriodView): void {
  console.log(`${v.quarter}: ${v.status}${v.closedAt ? ` (closed ${v.closedAt} by ${v.closedBy})` : ''}`);
  for (const r of v.reconciliations) console.log(`  reconciliation ${r.id} (bank ${r.bankId}): ${r.unresolved} unresolved`);
  if (v.status === 'open') console.log(v.blockers.length ? `  cannot close yet:\n${v.blockers.map((b) => `   - ${b.path}: ${b.message}`).join('\n')}` : '  ready to close');
  for (const e of v.history) {
    console.log(`  ${e.at}  ${e.action} by ${e.by}${e.requestedBy ? ` (asked by ${e.requestedBy})` : ''}${e.reason ? `: ${e.reason}` : ''}`);
  }
  for (const r of v.reopenRequests.filter((x) => x.status === 'pending')) {
    console.log(`  reopening asked by ${r.proposedBy} at ${r.proposedAt}: ${r.reason}\n    waiting for another finance approver: period reopen-approve ${v.quarter} ${r.id} --as <approver>`);
  }
}

export function periodCommand(run: CliRun): Command {
  const cmd = new Command('period').description('accounting quarters: status, close (finance approver), reopen (asked by finance, approved by another finance approver)');
  cmd
    .command('status <quarter>')
    .action((quarter: string) => run(async (ctx) => print(await periodView(ctx.db, quarter, ctx.today))));
  cmd
    .command('close <quarter>')
    .description('close an ended, fully reconciled quarter: the ledger then refuses postings dated in it')
    .option('--as <username>', 'the finance approver')
    .option('--reason <text>')
    .action((quarter: string, o: { as?: string; reason?: string }) =>
      run(async (ctx) => print(await closeQuarter(ctx, { quarter, actor: await ctx.actor(o.as), reason: o.reason, today: ctx.today }))),
    );
  cmd
    .command('reopen <quarter>')
    .description('ask to reopen a closed quarter; another finance approver approves it (reopen-approve)')
    .option('--as <username>', 'the finance officer or approver asking')
    .requiredOption('--reason <text>', 'why (audited)')
    .action((quarter: string, o: { as?: string; reason: string }) =>
      run(async (ctx) => print((await requestReopen(ctx, { quarter, actor: await ctx.actor(o.as), reason: o.reason, today: ctx.today })).period)),
    );
  for (const [name, decision] of [['reopen-approve', 'approve'], ['reopen-reject', 'reject']] as const) {
    cmd
      .command(`${name} <quarter> <requestId>`)
      .description(`${decision} a request to reopen (a finance approver who did not ask)`)
      .option('--as <username>', 'the finance approver')
      .option('--reason <text>', decision === 'reject' ? 'why (required)' : 'a note (audited)')
      .action((quarter: string, proposalId: string, o: { as?: string; reason?: string }) =>
        run(async (ctx) => print(await decideReopen(ctx, { quarter, proposalId, decision, actor: await ctx.actor(o.as), reason: o.reason, today: ctx.today }))),
      );
  }
  return cmd;
}
