import { Command } from 'commander';
import { verifyLedger } from '../../db/ledger';
import type { CliRun } from './context';

export function ledgerCommand(run: CliRun): Command {
  const cmd = new Command('ledger').description('the double-entry ledger');
  cmd
    .command('verify')
    .description("recompute balances and the hash chain independently (exit code 1 when something is wrong)")
    .action(() =>
      run(async (ctx) => {
        const r = await verifyLedger(ctx.db);
        console.log(`entries ${r.entries} (sealed ${r.sealed}, waiting for a seal ${r.unsealed})`);
        console.log(`balanced ${r.balanced}, chain intact ${r.chainIntact}, balances match ${r.balancesMatch}`);
        console.log(`head hash ${r.headHash}`);
        for (const p of r.problems) console.log(`  - ${p}`);
        console.log(r.ok ? 'ledger OK' : 'ledger NOT OK');
        if (!r.ok) process.exitCode = 1;
      }),
    );
  return cmd;
}
