import { createHash, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ADMIN_OPTIONS, leadMayRun, runAdminCommand, type AdminValues } from './adminCommands';
import type { AuthUser } from './auth';
import type { Db } from './db/Db';
import { ServerError } from './serverError';

/** What a command run by the server answers: its exit code and what it printed. */
export type AdminAnswer = { exitCode: number; stdout: string[]; stderr: string[] };

/** Compares secrets in constant time (their hashes, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}

/**
 * Runs an admin command line inside the serving process, on its database: how admin works while
 * `serve` holds a PGlite folder. An admin (or the local secret) may run any command but `serve`;
 * a lead those on the projects they lead (`leadMayRun`); everyone else gets 403.
 */
export async function runAdminRequest(
  db: Db,
  user: AuthUser,
  argv: readonly string[],
  options: { actor: string },
): Promise<AdminAnswer> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: ADMIN_OPTIONS });
  } catch (error) {
    throw new ServerError('INVALID_INPUT', error instanceof Error ? error.message : String(error));
  }
  const values: AdminValues = parsed.values;
  const positionals = parsed.positionals;
  if (positionals[0] === 'serve' || values.data !== undefined || values.server !== undefined) {
    throw new ServerError(
      'INVALID_INPUT',
      'A running server runs admin commands on its own database: leave out serve, --data and --server.',
    );
  }
  if (user.role !== 'admin' && !(await leadMayRun(db, user, positionals, values))) {
    throw new ServerError(
      'FORBIDDEN',
      user.role === 'lead'
        ? 'A lead runs assign, double and consent only on projects they lead; ask an admin for the rest (exports: on your workstation).'
        : 'Admin commands are for admins (and leads, on their projects).',
    );
  }
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = {
    log: (line: string) => stdout.push(line),
    error: (line: string) => stderr.push(line),
  };
  let exitCode: number;
  try {
    const code = await runAdminCommand(positionals, values, {
      actor: options.actor,
      out,
      withDb: (fn) => fn(db),
    });
    if (code === undefined) {
      stderr.push(`framewise-server: unknown or incomplete command "${positionals.join(' ')}".`);
      exitCode = 2;
    } else {
      exitCode = code;
    }
  } catch (error) {
    // The command's own refusals are its output, as they are in the CLI.
    if (!(error instanceof ServerError)) throw error;
    stderr.push(`framewise-server: ${error.code}: ${error.message}`);
    exitCode = 1;
  }
  return { exitCode, stdout, stderr };
}
