import { Command } from 'commander';
import { DEMO_PASSWORD, demoUsers, isEmpty, seedDemoData } from '../lib/demo-seed';
import type { CliRun } from './context';
import { createDb } from '../../db/knex';

export function demoCommand(run: CliRun): Command {
  const cmd = new Command('demo').description('demo data');
  cmd
    .command('seed')
    .description('migrate, then seed the demo organisations and users of API.md into an empty database')
    .option('--history', 'also a year of history: five loans repaid and their follow-up visits, as `npm start` seeds')
    .action((opts: { history?: boolean }) =>
      run(async (ctx) => {
        if (!(await isEmpty(ctx.db))) return void console.log('the database has organisations already: nothing seeded');
        // As the schema's owner: officers' accounts are never made by the application's role.
        const owner = createDb(ctx.ownerUrl, { max: 2 });
        await seedDemoData(owner, undefined, { history: opts.history === true }).finally(() => owner.destroy());
        console.log(`demo data seeded; users (password "${DEMO_PASSWORD}"): ${demoUsers.map((u) => u.username).join(', ')}`);
      }, { migrate: true }),
    );
  return cmd;
}
