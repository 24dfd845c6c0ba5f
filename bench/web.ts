/**
 * `npm run bench:web`: how fast the console's first screens are.
 *
 * 1. Size: the gzipped JavaScript the login and my-tasks screens make the browser load, read from
 *    the built index.html (the entry script and what it preloads). Goal ≤ 250 KB.
 * 2. Time: a community officer with 10,000 applications waiting in the database (options:
 *    --applications N) opens my tasks, signed in, in Debian's Chromium: the time from navigation
 *    to a usable list (the screen's own `lf:tasks-usable` mark, set once its rows are on screen),
 *    as a ratio to the list call behind it (GET /v1/tasks, as the browser timed it). Goal ≤ 1.5×.
 *    Measured with the browser's cache empty (a first visit) and warm (the officer's next morning:
 *    hashed assets are cached for a year), --repeat N runs each (default 7), the median reported.
 *
 * The stack: an embedded PostgreSQL in a temporary folder, migrated and demo-seeded, and the API
 * serving the built console; Temporal is not needed to read (a lazy client that never connects).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { ensureWebBuilt } from '../scripts/lib/web-build';
import { WEB_DIST } from '../api/web';
import { scratchPostgres, withoutRowGuards } from './scratch-postgres';
import { createDb, migrateLatest } from '../db/knex';
import { seedDemoData, DEMO_PASSWORD } from '../scripts/lib/demo-seed';
import { listen } from '../scripts/lib/api-server';
import { printResult, type BenchRow } from './result';
import { intArg, runMain } from './cli';

const CHROMIUM = '/usr/bin/chromium';


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

function sizes(): BenchRow {
  const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  let js = 0;
  let css = 0;
  for (const f of new Set(first)) {
    const size = gzipSync(fs.readFileSync(path.join(WEB_DIST, f))).length;
    if (f.endsWith('.js')) js += size;
    else css += size;
    console.log(`  ${f.padEnd(48)} ${(size / 1024).toFixed(1).padStart(7)} KB gzipped`);
  }
  const all = fs.readdirSync(path.join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js'));
  const total = all.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(WEB_DIST, 'assets', f))).length, 0);
  console.log(`login + my tasks: ${(js / 1024).toFixed(1)} KB of JavaScript gzipped (goal ≤ 250 KB), ${(css / 1024).toFixed(1)} KB CSS`);
  console.log(`all screens: ${(total / 1024).toFixed(1)} KB of JavaScript gzipped in ${all.length} chunks`);
  return { name: 'web: JavaScript of login + my tasks (gzipped)', baseline: '—', subject: `${(js / 1024).toFixed(1)} KB`, ratio: '—', goal: '≤ 250 KB', met: js <= 250 * 1024, cause: 'the first screens pull a component library or more of React than they render; see what the entry chunk holds (docs/console.md, "Speed")' };
}

/** `n` applications waiting for community-a's counter-guarantee, deadlines spread over the next days. */
async function waitingApplications(db: ReturnType<typeof createDb>, n: number): Promise<void> {
  // As their intake would have left them (bench/scratch-postgres.ts, withoutRowGuards).
  await withoutRowGuards(db, (trx) => trx.raw(
    `insert into applications (id, workflow_id, applicant_user_id, id_number, name, phone, target_group, certificate_no, community_id,
                               guarantee_company_id, requested_amount, term_months, repayment_method, business_plan, policy_id, submitted_on,
                               status, step_deadline_at)
     select gen_random_uuid(), 'bench-' || i, u.id, 'BENCH' || lpad(i::text, 13, '0'), '申请人' || i, '13900000000', 'college_graduate', 'SYB-BENCH-' || i,
            c.id, g.id, 80000.00, 12, 'monthly_interest_bullet', 'bench', p.id, current_date, 'AWAITING_COUNTER_GUARANTEE',
            now() + (i % 240) * interval '1 hour'
       from generate_series(1, ?) i,
            (select id from users where username = 'applicant') u,
            (select id from organisations where name = 'Nanguan Credit Community') c,
            (select id from organisations where type = 'guarantee_company' order by name limit 1) g,
            (select id from policies order by effective_from desc limit 1) p`,
    [n],
  ));
  await db.raw('analyze applications');
}

async function main() {
  await ensureWebBuilt((m) => console.log(m));
  const rows = [sizes()];

  const applications = intArg('applications', 10_000);
  const repeat = intArg('repeat', 7);
  const pg = await scratchPostgres('web');
  const db = createDb(pg.url, { max: 8 });
  const api = await listen(
    { db, temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }), taskQueue: 'none', logger: pino({ level: 'silent' }), jwtSecret: 'bench-secret-bench-secret-bench-secret', tokenTtlSeconds: 3600 },
    0,
    '127.0.0.1',
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--no-first-run', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
  try {
    await migrateLatest(db);
    await seedDemoData(db);
    await waitingApplications(db, applications);
    const login = await fetch(`${api.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'community-a', password: DEMO_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };

    // The list call alone, from Node, warm: what the database and the API cost.
    const call = async () => {
      const t0 = performance.now();
      const r = await fetch(`${api.url}/v1/tasks?page=1&pageSize=20`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { total: number };
      if (body.total !== applications) throw new Error(`expected ${applications} tasks, got ${body.total}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await call();
    const direct: number[] = [];
    for (let i = 0; i < repeat; i++) direct.push(await call());

    const context = await browser.newContext({ baseURL: api.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem('lf.token', ${JSON.stringify(token)})`);
    const visit = async (cache: 'cold' | 'warm') => {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      if (cache === 'cold') await cdp.send('Network.clearBrowserCache');
      await page.goto('/tasks');
      await page.waitForFunction(() => performance.getEntriesByName('lf:tasks-usable').length > 0, undefined, { timeout: 60_000 });
      const t = await page.evaluate(() => {
        const usable = performance.getEntriesByName('lf:tasks-usable')[0]!.startTime;
        const list = performance.getEntriesByType('resource').find((e) => e.name.includes('/v1/tasks')) as PerformanceResourceTiming;
        const js = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).reduce((n, e) => n + (e as PerformanceResourceTiming).transferSize, 0);
        return { usable, list: list.responseEnd - list.startTime, listStart: list.startTime, js };
      });
      await page.close();
      return t;
    };
    await visit('warm');
    const runs: Record<'cold' | 'warm', Array<Awaited<ReturnType<typeof visit>>>> = { cold: [], warm: [] };
    for (let i = 0; i < repeat; i++) {
      runs.cold.push(await visit('cold'));
      runs.warm.push(await visit('warm'));
    }

    console.log(`\nmy tasks of community-a with ${applications.toLocaleString('en')} applications waiting (GET /v1/tasks?page=1&pageSize=20; median of ${repeat})`);
    console.log(`  the list call from Node:           ${ms(median(direct))}`);
    for (const cache of ['cold', 'warm'] as const) {
      const r = runs[cache];
      const usable = median(r.map((x) => x.usable));
      const list = median(r.map((x) => x.list));
      const ratio = median(r.map((x) => x.usable / x.list));
      console.log(
        `  ${cache === 'cold' ? 'first visit (empty cache)' : 'next visit (assets cached)'}: usable after ${ms(usable)}; the list call started at ${ms(median(r.map((x) => x.listStart)))} and took ${ms(list)}` +
          `; ratio ${ratio.toFixed(2)}× (goal ≤ 1.5×); ${(median(r.map((x) => x.js)) / 1024).toFixed(1)} KB of JavaScript over the wire`,
      );
    }
    const cold = runs.cold;
    const ratio = median(cold.map((x) => x.usable / x.list));
    rows.push({
      name: `web: my tasks usable, ${applications.toLocaleString('en')} applications, first visit`,
      baseline: `GET /v1/tasks ${ms(median(cold.map((x) => x.list)))}`,
      subject: ms(median(cold.map((x) => x.usable))),
      ratio: `${ratio.toFixed(2)}×`,
      goal: '≤ 1.5×',
      met: ratio <= 1.5,
      cause: 'evaluating the first load\'s JavaScript (React and React DOM, most of the bundle) takes about 110 ms before anything renders, more than 1.5 × the list call alone; it would take rendering the first screen on the server or a smaller runtime than React DOM (docs/console.md, "Speed")',
    });
    printResult(rows);
  } finally {
    await browser.close();
    await api.close();
    await db.destroy();
    await pg.stop();
  }
}

runMain(main);
