// The pieces every process's settings are read with (docs/operations.md, "Configuration"): each
// loader declares its variables with these and parses them once at start, so a typo stops the process
// with one line naming each bad variable. Values are never echoed: one of them may be a key.
import { z } from "zod";

/** A setting that stops the process at start; each loader's own error extends it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A whole number given as decimal digits, within [min, max]. */
export const envInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, "expected a non-negative integer")
    .transform(Number)
    .pipe(z.int().min(min).max(max));

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL, as pino names its levels; default info. */
export const logLevel = z.enum(LOG_LEVELS).default("info");

/**
 * Parses `env` with `schema`, or throws `new Failure("<prefix>: VAR: problem; VAR: problem")`.
 *
 * @example
 * const e = parseEnv(KeeperEnv, process.env, KeeperConfigError);
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  Failure: new (message: string) => ConfigError = ConfigError,
  prefix = "invalid environment",
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  throw new Failure(`${prefix}: ${lines.join("; ")}`);
}
