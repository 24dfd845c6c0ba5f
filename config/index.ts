import { z } from 'zod';
import path from 'node:path';

/** Project root: every relative default (data, tools) hangs off it. */
export const projectRoot = path.resolve(__dirname, '..');

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
  /** Token lifetime in seconds. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(8 * 3600),
}).superRefine((c, ctx) => {
  if (c.MIGRATION_DATABASE_URL && !c.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['MIGRATION_DATABASE_URL'], message: 'needs DATABASE_URL too (the role the application connects as); the embedded database manages both itself' });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

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
