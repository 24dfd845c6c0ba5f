import fs from 'node:fs';
import { Command } from 'commander';
import { GROUP_BY, kpiCsv, kpiReport, kpiXlsx, type GroupBy } from '../../db/reports';
import { isIsoDate } from '../../domain/dates';
import { CliError, type CliRun } from './context';

export function reportCommand(run: CliRun): Command {
  const cmd = new Command('report').description('indicator reports (docs/domain.md §5)');
  cmd
    .command('kpi')
    .description('every indicator for a date range, grouped; CSV or XLSX to a file, JSON to stdout')
    .requiredOption('--from <date>', 'YYYY-MM-DD')
    .requiredOption('--to <date>', 'YYYY-MM-DD')
    .requiredOption('--group-by <dimension>', GROUP_BY.join(' | '))
    .option('--format <format>', 'csv | xlsx | json', 'csv')
    .option('--out <file>', 'where to write (default kpi-<group>-<from>-<to>.<format>; json goes to stdout)')
    .action((o: { from: string; to: string; groupBy: string; format: string; out?: string }) =>
      run(async (ctx) => {
        if (!isIsoDate(o.from)) throw new CliError('--from must be a date YYYY-MM-DD');
        if (!isIsoDate(o.to)) throw new CliError('--to must be a date YYYY-MM-DD');
        if (o.from > o.to) throw new CliError('--to must be on or after --from');
        if (!(GROUP_BY as readonly string[]).includes(o.groupBy)) throw new CliError(`--group-by is one of ${GROUP_BY.join(', ')}`);
        if (!['csv', 'xlsx', 'json'].includes(o.format)) throw new CliError('--format is csv, xlsx or json');
        const report = await kpiReport(ctx.db, { from: o.from, to: o.to, groupBy: o.groupBy as GroupBy, today: ctx.today });
        if (o.format === 'json' && !o.out) return void console.log(JSON.stringify(report, null, 2));
        const out = o.out ?? `kpi-${o.groupBy}-${o.from}-${o.to}.${o.format}`;
        const body = o.format === 'csv' ? kpiCsv(report) : o.format === 'xlsx' ? await kpiXlsx(report) : Buffer.from(JSON.stringify(report, null, 2));
        fs.writeFileSync(out, body);
        console.log(`${out}: ${report.rows.length} group(s) by ${o.groupBy} and the total, ${report.columns.length} indicators, ${o.from} to ${o.to}`);
      }),
    );
  return cmd;
}
