import { z } from 'zod';
import fs from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';

/** What Express's `trust proxy` takes for an address: its names for ranges, or an IP with an optional prefix length. */
function isProxyAddress(entry: string): boolean {
  const [addr = '', bits, ...rest] = entry.trim().split('/');
  if (rest.length > 0) return false;
  if (bits === undefined && ['loopback', 'linklocal', 'uniquelocal'].includes(addr)) return true;
  const family = isIP(addr);
  return family !== 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
}

/**
 * Project root: every relative default (data, tools) hangs off it. The folder holding
 * package.json above this module: the repository when run from the sources, and the same folder
 * when run compiled (dist/ has no package.json), so DATA_DIR never lands inside the compiled code.
 */
export const projectRoot = packageRoot(path.resolve(__dirname, '..'));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/**
 * The worker's own resident memory with an empty workflow cache, and what one cached workflow
 * adds, in MiB: bench:worker measured 353 MiB and 0.67 MiB per cached loan (docs/benchmarks.md);
 * these keep headroom over both. WORKER_MEMORY_MB=1024 so holds 780 cached workflows.
 */
export const WORKER_BASE_MB = 400;
export const WORKFLOW_CACHE_MB = 0.8;

/** How many cached workflows a worker given `memoryMb` can hold. */
export function cacheFitting(memoryMb: number): number {
  return Math.max(2, Math.floor((memoryMb - WORKER_BASE_MB) / WORKFLOW_CACHE_MB));
}

const port = z.coerce.number().int().min(1).max(65535);

/**
 * Everything the processes read from the environment, validated once. A bad value stops
 * start-up with the variable's name, rather than failing somewhere deep later.
 */
export const configSchema = z.object({
  /** External Postgres; when unset, `npm start` runs an embedded PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * The schema owner, for migrations: it also creates the role DATABASE_URL names and grants it rows
   * only (db/app-role.ts). When unset, DATABASE_URL migrates as well and its role is left as is.
   */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** External Temporal frontend (host:port); when unset, `npm start` runs the Temporal dev server. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('loanflow'),
  PORT: port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Embedded services' ports, used only when the matching external URL is unset. */
  PG_PORT: port.default(5433),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Where the embedded Postgres cluster, Temporal's SQLite file and the dev JWT secret live. */
  DATA_DIR: z.string().min(1).default(path.join(projectRoot, '.data')),
  /** HMAC secret for access tokens (at least 32 characters); `npm start` generates and keeps one when unset. */
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .refine((v) => !/change-?me|example|secret-of/i.test(v) && new Set(v).size >= 8, { message: 'must be a random secret of your own, not a placeholder' })
    .optional(),
  /** The worker renews this file while it is healthy (scripts/lib/health-file.ts); unset, no file. */
  WORKER_HEALTH_FILE: z.string().min(1).optional(),
  /**
   * The reverse proxy in front of the API whose X-Forwarded-For gives the client's address (sign-in
   * limits count per address): a number of hops, or Express's names and addresses (`loopback`,
   * `uniquelocal`, `10.0.0.0/8`, comma-separated). Unset, the address is the connection's. Never
   * `true`: any client could then name any address.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(\d{1,2}|[A-Za-z0-9:.\/]+(\s*,\s*[A-Za-z0-9:.\/]+)*)$/, 'must be a number of hops, or addresses and subnets (loopback, uniquelocal, 10.0.0.0/8), comma-separated')
    .refine((v) => !/^(true|false)$/i.test(v), { message: 'must name the proxy (or a number of hops): true would believe any client' })
    .refine((v) => /^\d+$/.test(v) || v.split(',').every(isProxyAddress), {
      message: 'each entry must be loopback, linklocal, uniquelocal, or an IP address with an optional /prefix (no host names)',
    })
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  /** Token lifetime in seconds. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(8 * 3600),
  /**
   * What the worker may use, in MiB of resident memory: the workflow cache is sized to fit
   * (workerCacheSize). Open loans beyond the cache cost nothing in the worker; they replay from
   * history when next needed. Figures in docs/operations.md ("Worker memory").
   */
  WORKER_MEMORY_MB: z.coerce.number().int().min(WORKER_BASE_MB + 64).max(1024 * 1024).default(1024),
  /** Cached workflows at most; when unset, as many as WORKER_MEMORY_MB holds. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).optional(),
}).superRefine((c, ctx) => {
  if (c.WORKER_MAX_CACHED_WORKFLOWS !== undefined && c.WORKER_MAX_CACHED_WORKFLOWS > cacheFitting(c.WORKER_MEMORY_MB)) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_MAX_CACHED_WORKFLOWS'],
      message: `at most ${cacheFitting(c.WORKER_MEMORY_MB)} fit in WORKER_MEMORY_MB=${c.WORKER_MEMORY_MB} (${WORKER_BASE_MB} MiB for the worker itself, ${WORKFLOW_CACHE_MB} MiB per cached workflow); raise WORKER_MEMORY_MB or lower this`,
    });
  }
  if (c.MIGRATION_DATABASE_URL && !c.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['MIGRATION_DATABASE_URL'], message: 'needs DATABASE_URL too (the role the application connects as); the embedded database manages both itself' });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** The worker's workflow cache size: WORKER_MAX_CACHED_WORKFLOWS, or what WORKER_MEMORY_MB holds. */
export function workerCacheSize(c: Pick<Config, 'WORKER_MEMORY_MB' | 'WORKER_MAX_CACHED_WORKFLOWS'>): number {
  return c.WORKER_MAX_CACHED_WORKFLOWS ?? cacheFitting(c.WORKER_MEMORY_MB);
}

/**
 * The old-space limit of the workflow thread's V8 heap, in MiB: what the cache may need, plus a little
 * for the SDK's own state, so V8 collects garbage before the worker outgrows WORKER_MEMORY_MB.
 */
export function workflowHeapMb(c: Pick<Config, 'WORKER_MEMORY_MB' | 'WORKER_MAX_CACHED_WORKFLOWS'>): number {
  return Math.ceil(workerCacheSize(c) * WORKFLOW_CACHE_MB) + 32;
}

/** Parses an environment; throws ConfigError whose message names each bad variable and its rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
