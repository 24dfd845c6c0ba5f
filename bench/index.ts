/**
 * `npm run bench`: every benchmark of BENCHES below in turn, each in a
 * process of its own with its own output, then one table of what each compared and whether its
 * goal was met. The figures and their history are in docs/benchmarks.md.
 *
 * `--quick` runs each on a small size, once (a check that they run, not a measurement).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { RESULT_PREFIX, type BenchRow } from './result';

const QUICK = process.argv.includes('--quick');

const BENCHES: Array<{ name: string; file: string; args: string[]; quick: string[] }> = [
  { name: 'bench:ledger', file: 'ledger.ts', args: [], quick: ['--postings', '1000', '--repeat', '1'] },
  { name: 'bench:reconcile', file: 'reconcile.ts', args: [], quick: ['--lines', '20000', '--repeat', '1'] },
  { name: 'bench:claims', file: 'claims.ts', args: [], quick: ['--loans', '2000', '--repeat', '1'] },
  { name: 'bench:web', file: 'web.ts', args: [], quick: [] },
  { name: 'bench:workflow', file: 'workflow.ts', args: [], quick: ['--applications', '20', '--repeat', '1'] },
  { name: 'bench:api-post', file: 'api-post.ts', args: [], quick: ['--requests', '40', '--seconds', '3', '--repeat', '1'] },
  { name: 'bench:forecast', file: 'forecast.ts', args: [], quick: ['--loans', '2000', '--pipeline', '100', '--repeat', '1'] },
  { name: 'bench:api-get', file: 'api-get.ts', args: [], quick: ['--rows', '500', '--duration', '2', '--repeat', '1'] },
  { name: 'bench:start', file: 'start.ts', args: [], quick: ['--rounds', '1'] },
  { name: 'bench:worker', file: 'worker.ts', args: [], quick: ['--workflows', '600', '--cache', '200', '--queries', '100', '--rounds', '1'] },
];

/** Runs one benchmark, passing its output through; resolves with its result rows. */
function run(b: (typeof BENCHES)[number]): Promise<BenchRow[] | Error> {
  return new Promise((resolve) => {
    console.log(`\n==== ${b.name}${QUICK ? ' (quick)' : ''}`);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, b.file), ...(QUICK ? b.quick : b.args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rows: BenchRow[] | undefined;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith(RESULT_PREFIX)) rows = JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchRow[];
      else console.log(line);
    });
    child.on('error', (e) => resolve(e));
    child.on('close', (code) => resolve(code === 0 && rows ? rows : new Error(`${b.name} ended with code ${code}${rows ? '' : ' and no result'}`)));
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

async function main() {
  const rows: string[][] = [['name', 'baseline', 'subject', 'ratio', 'goal', 'met']];
  const causes: string[] = [];
  let failed = false;
  for (const b of BENCHES) {
    const r = await run(b);
    if (r instanceof Error) {
      failed = true;
      rows.push([b.name, '—', '—', '—', '—', `FAILED: ${r.message}`]);
    } else {
      for (const x of r) {
        rows.push([x.name, x.baseline, x.subject, x.ratio, x.goal, x.met ? 'yes' : 'NO']);
        if (!x.met) causes.push(`- ${x.name}: ${x.cause ?? 'no cause given'}`);
      }
    }
  }
  console.log(`\n==== all benchmarks${QUICK ? ' (quick: small sizes, one run; not measurements)' : ''}\n`);
  console.log(table(rows));
  if (causes.length) console.log(`\nnot met, why and what it would take (docs/benchmarks.md):\n${causes.join('\n')}`);
  // A goal not met is a finding, not a failure; a benchmark that did not run is.
  if (failed) process.exitCode = 1;
}

void main();
