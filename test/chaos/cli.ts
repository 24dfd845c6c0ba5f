/**
 * `npm run chaos [-- --applications 1000 --concurrency 16 --seed 7 --worker-kills 10]`: the chaos
 * run of test/chaos/chaos.test.ts at a larger size; prints its progress and the report, and exits
 * 1 when a check fails.
 */
import { Command } from 'commander';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { runChaos } from './engine';

const o = new Command('chaos')
  .option('--applications <n>', 'applications to drive', '1000')
  .option('--concurrency <n>', 'applications at once', '16')
  .option('--seed <n>', 'random seed (paths and kill points)', String(Date.now() % 1e9))
  .option('--worker-kills <n>', 'SIGKILLs of the worker', '10')
  .parse()
  .opts<{ applications: string; concurrency: string; seed: string; workerKills: string }>();

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const r = await runChaos({
    applications: Number(o.applications),
    concurrency: Number(o.concurrency),
    seed: Number(o.seed),
    workerKills: Number(o.workerKills),
    restartPostgres: true,
    restartTemporal: true,
    log: (l) => console.log(l),
  });
  console.log(JSON.stringify(r, null, 2));
  const failed =
    r.wrongStatus.length > 0 ||
    r.workflowDisagrees.length > 0 ||
    r.auditNotOnce.length > 0 ||
    Object.values(r.postings).some((p) => p.found !== p.expected) ||
    !r.trialBalance.balanced ||
    !r.verify.ok ||
    !r.verify.chainIntact;
  console.log(failed ? 'chaos: FAILED' : `chaos: all checks hold (${r.applications} applications in ${r.seconds} s, seed ${o.seed})`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
