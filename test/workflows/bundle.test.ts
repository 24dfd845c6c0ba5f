import { expect } from 'chai';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import fs from 'node:fs';
import { bundledPackages, bundleWorkflows, ensureWorkflowBundle, WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_STAMP } from '../../scripts/lib/workflow-bundle';

/**
 * Every cached workflow instantiates the whole bundle, so a package in it is memory per open
 * loan (docs/operations.md, "Worker memory"). zod, and anything of the API or the database, must
 * stay out: workflows import the zod-free halves of domain/ (money.ts, dates.ts, id-number.ts,
 * vocabularies.ts), never the *-schemas files.
 */
const BANNED_PACKAGES = ['zod', '@asteasolutions/zod-to-openapi', 'knex', 'pg', 'pino', 'express', 'jose', 'exceljs', '@temporalio/client', '@temporalio/worker'];
/** What the bundle may hold: the SDK's workflow runtime and its own dependencies, and decimal.js for money. */
const ALLOWED_PACKAGES = ['@temporalio/common', '@temporalio/workflow', 'decimal.js', 'long', 'ms', 'nexus-rpc'];
const SCHEMA_MODULES = /domain\/[\w-]*schemas?\.ts|domain\/enums\.ts|domain\/policy\.ts/g;

describe('the workflow bundle', function () {
  this.timeout(120_000);
  let code: string;

  before(async () => {
    code = await bundleWorkflows();
  });

  it('holds no zod and nothing of the API or the database', () => {
    const packages = bundledPackages(code);
    expect(packages.filter((p) => BANNED_PACKAGES.includes(p)), 'banned packages in the workflow bundle').to.deep.equal([]);
    expect(packages.filter((p) => !ALLOWED_PACKAGES.includes(p)), 'packages in the workflow bundle beyond the allowed ones (add one only with its measured cost per cached workflow)').to.deep.equal([]);
    expect(packages).to.include('decimal.js');
  });

  it('holds none of the domain schema modules', () => {
    expect([...new Set(code.match(SCHEMA_MODULES) ?? [])]).to.deep.equal([]);
  });

  it('would notice zod: a workflow importing a schema module bundles it', async () => {
    // The check above is only as good as bundledPackages(): show it on a bundle that does hold zod.
    const { code: fat } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '../fixtures/workflow-with-schemas.ts'), logger: new DefaultLogger('WARN') });
    expect(bundledPackages(fat)).to.include('zod');
    expect(fat.match(SCHEMA_MODULES)).to.not.equal(null);
  });

  it('is bundled once for npm start and the worker, and again only when its sources change', async () => {
    await ensureWorkflowBundle();
    const again = await ensureWorkflowBundle();
    expect(again.built, 'bundled again with nothing changed').to.equal(false);
    expect(again.bundle).to.deep.equal({ codePath: WORKFLOW_BUNDLE_FILE });
    expect(bundledPackages(fs.readFileSync(WORKFLOW_BUNDLE_FILE, 'utf8'))).to.deep.equal(bundledPackages(code));
    // A stamp that does not match the sources (as after an edit) makes the next start bundle again.
    fs.writeFileSync(WORKFLOW_BUNDLE_STAMP, 'stale\n');
    expect((await ensureWorkflowBundle()).built, 'not bundled again after the sources changed').to.equal(true);
    expect((await ensureWorkflowBundle()).built).to.equal(false);
  });
});
