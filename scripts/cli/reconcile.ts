import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { getReconciliation, importStatement, listMismatches, listReconciliations } from '../../db/reconciliation';
import { CliError, findBank, type CliRun } from './context';

export function reconcileCommand(run: CliRun): Command {
  const cmd = new Command('reconcile').description("bank statements of subsidy receipts against the ledger's payouts");

  cmd
    .command('import <file>')
    .description('import a CSV or XLSX statement for a bank and quarter, and reconcile it (docs/reconciliation.md)')
    .requiredOption('--bank <bank>', 'bank id or exact name')
    .requiredOption('--quarter <quarter>', 'e.g. 2027Q1')
    .option('--encoding <encoding>', 'utf-8 or gb18030 (CSV only)', 'utf-8')
    .option('--as <username>', 'the finance officer or approver who imports')
    .action((file: string, o: { bank: string; quarter: string; encoding: string; as?: string }) =>
      run(async (ctx) => {
        if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
        if (o.encoding !== 'utf-8' && o.encoding !== 'gb18030') throw new CliError('--encoding is utf-8 or gb18030');
        const actor = await ctx.actor(o.as);
        const bankId = await findBank(ctx.db, o.bank);
        const size = fs.statSync(file).size;
        // cli-progress: a maintained progress bar that redraws in place and degrades in pipes.
        const bar = new SingleBar({ format: 'importing [{bar}] {percentage}% | {lines} lines | {phase} | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
        bar.start(size, 0, { lines: 0, phase: 'starting' });
        const started = Date.now();
        try {
          const r = await importStatement(ctx.db, {
            bankId,
            quarter: o.quarter,
            fileName: path.basename(file),
            encoding: o.encoding,
            open: () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
            actor,
            today: ctx.today,
            onProgress: (p) => bar.update(p.bytes, { lines: p.lines.toLocaleString('en'), phase: p.phase }),
          });
          bar.update(size);
          bar.stop();
          const secs = (Date.now() - started) / 1000;
          console.log(`
reconciliation ${r.id} (${r.sourceFormat}, sha256 ${r.fileSha256.slice(0, 16)}…)
  lines                 ${r.lineCount.toLocaleString('en')} totalling ${r.statementTotal}
  payouts in ledger     ${r.payoutCount.toLocaleString('en')} totalling ${r.payoutTotal}
  matched               ${r.matched.toLocaleString('en')}
  missing in ledger     ${r.missingInLedger}
  missing in statement  ${r.missingInStatement}
  amount differs        ${r.amountDiffers}
  date differs          ${r.dateDiffers}
  duplicated            ${r.duplicated}
  took                  ${secs.toFixed(1)} s (${Math.round(r.lineCount / Math.max(secs, 0.001)).toLocaleString('en')} lines/s)`);
          const unresolved = r.missingInLedger + r.missingInStatement + r.amountDiffers + r.dateDiffers + r.duplicated;
          if (unresolved) console.log(`\n${unresolved} mismatch(es) to resolve: loanflow reconcile mismatches ${r.id}`);
        } catch (e) {
          bar.stop();
          throw e;
        }
      }),
    );

  cmd
    .command('list')
    .description('reconciliations, newest first')
    .option('--quarter <quarter>')
    .option('--bank <bank>', 'bank id or exact name')
    .action((o: { quarter?: string; bank?: string }) =>
      run(async (ctx) => {
        const bankId = o.bank ? await findBank(ctx.db, o.bank) : undefined;
        for (const r of await listReconciliations(ctx.db, { quarter: o.quarter, bankId })) {
          console.log(`${r.id}  ${r.quarter}  ${r.bankName}  ${r.importedAt}  lines ${r.lineCount}  matched ${r.matched}  mismatches ${r.mismatchCount} (unresolved ${r.unresolved})${r.current ? '' : '  superseded'}`);
        }
      }),
    );

  cmd
    .command('mismatches <id>')
    .description('the mismatches of a reconciliation and how each was resolved')
    .option('--unresolved', 'only those not resolved yet')
    .action((id: string, o: { unresolved?: boolean }) =>
      run(async (ctx) => {
        await getReconciliation(ctx.db, id);
        const page = await listMismatches(ctx.db, id, { unresolved: o.unresolved ? true : undefined, limit: 1000 });
        for (const m of page.items) {
          const where = m.lineNo ? `line ${m.lineNo}` : `entry ${m.payoutEntryId}`;
          const res = m.resolution ? `${m.resolution.kind} by ${m.resolution.by}: ${m.resolution.reason}` : 'UNRESOLVED';
          console.log(`#${m.itemNo}  ${m.kind}  ${where}  ref ${m.reference ?? m.claimId}  statement ${m.statementAmount ?? '-'} ${m.statementDate ?? ''}  ledger ${m.ledgerAmount ?? '-'} ${m.ledgerDate ?? ''}  ${res}${m.note ? `  (${m.note})` : ''}`);
        }
        if (page.total > page.items.length) console.log(`… ${page.total - page.items.length} more (GET /v1/reconciliations/${id}/mismatches pages through all)`);
      }),
    );
  return cmd;
}
