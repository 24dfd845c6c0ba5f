/**
 * The workflow bundle, built once rather than at every start: `npm run build:workflows` (the
 * Dockerfile runs it) writes dist/workflows/bundle.js with a stamp, a SHA-256 over what the bundle
 * is made from (workflows/, domain/, the lockfile). `npm start` and the worker load the bundle
 * when the stamp matches and rebuild it when it does not, like the console (web-build.ts).
 *
 * The bundle is what every cached workflow instantiates, so what it contains is memory per open
 * loan: bundledPackages() lists its npm packages, and test/workflows/bundle.test.ts bans the heavy
 * ones (docs/operations.md, "Worker memory").
 */
import fs from 'node:fs';
import path from 'node:path';
import { sourceHash } from './source-hash';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle, type WorkflowBundlePath } from '@temporalio/worker';

const ROOT = path.join(__dirname, '../..');
const DIST = path.join(ROOT, 'dist', 'workflows');
export const WORKFLOW_BUNDLE_FILE = path.join(DIST, 'bundle.js');
export const WORKFLOW_BUNDLE_STAMP = path.join(DIST, '.stamp');
/** What the bundle is made from: the workflow code, the domain it imports, the packages' versions. */
const INPUTS = ['workflows', 'domain', 'package-lock.json', 'scripts/lib/workflow-bundle.ts'];

export function workflowSourceHash(): string {
  return sourceHash(INPUTS);
}

/**
 * Modules evaluated once per worker thread and shared by every workflow, instead of once per
 * workflow (the SDK deep-freezes their exports). decimal.js keeps no per-workflow state (its
 * settings live on Money, the clone domain/money.ts makes); a loan's cold activation evaluated it
 * every time (docs/benchmarks.md, bench:worker).
 */
export const PRELOADED_WORKFLOW_MODULES = ['decimal.js'];

/** Bundles workflows/ (webpack, through the SDK: a few seconds). */
export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    preloadModules: PRELOADED_WORKFLOW_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  return code;
}

/** The npm packages a bundle holds, from webpack's module names (e.g. "@temporalio/workflow", "decimal.js"). */
export function bundledPackages(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * The bundle on disk, built first when missing or stale; says whether it built. Written under a
 * temporary name and renamed, so a concurrent start never loads half a file.
 */
export async function ensureWorkflowBundle(
  log: (m: string) => void = () => undefined,
): Promise<{ bundle: WorkflowBundlePath | WorkflowBundle; built: boolean }> {
  const hash = workflowSourceHash();
  const stamped = fs.existsSync(WORKFLOW_BUNDLE_FILE) && fs.existsSync(WORKFLOW_BUNDLE_STAMP) ? fs.readFileSync(WORKFLOW_BUNDLE_STAMP, 'utf8').trim() : null;
  if (stamped === hash) return { bundle: { codePath: WORKFLOW_BUNDLE_FILE }, built: false };
  log('bundling the workflows (workflows/ or domain/ changed since the last bundle)');
  const code = await bundleWorkflows();
  try {
    fs.mkdirSync(DIST, { recursive: true });
    const tmp = `${WORKFLOW_BUNDLE_FILE}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, WORKFLOW_BUNDLE_FILE);
    fs.writeFileSync(WORKFLOW_BUNDLE_STAMP, hash + '\n');
  } catch (e) {
    // A read-only install (an image whose bundle is stale) still runs, from the bundle in memory.
    log(`workflow bundle not saved (${e instanceof Error ? e.message : String(e)}); using it from memory`);
    return { bundle: { code }, built: true };
  }
  return { bundle: { codePath: WORKFLOW_BUNDLE_FILE }, built: true };
}

if (require.main === module) {
  const t0 = Date.now();
  ensureWorkflowBundle(console.log).then(
    ({ built }) => console.log(built ? `workflow bundle built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${path.relative(ROOT, WORKFLOW_BUNDLE_FILE)}` : 'workflow bundle up to date'),
    (e) => {
      console.error(`workflow bundle failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
