import { calls, isCallName, type ApiHandlers, type Envelope } from '../../../shared/api/contract';
import { isApiError } from '../../../shared/api/apiError';
import { findUnstorableInput } from '../../../shared/api/storableInput';

export type DispatchLog = (message: string, error: unknown) => void;

/**
 * The process boundary: input is parsed against the contract before any service sees it, and
 * whatever happens comes back as an envelope the renderer can show.
 */
export async function dispatchCall(
  handlers: ApiHandlers,
  name: string,
  rawInput: unknown,
  log: DispatchLog = (message, error) => console.error(message, error),
): Promise<Envelope<unknown>> {
  if (!isCallName(name)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_CALL', message: `There is no call named "${name}".` },
    };
  }
  // Before the schema: a recursive schema must not meet unbounded nesting, and SQLite would store
  // a lone surrogate as U+FFFD, silently not what was sent.
  const unstorable = findUnstorableInput(rawInput);
  if (unstorable !== null) {
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: `${name}: ${unstorable.path} ${unstorable.message}`,
      },
    };
  }
  const parsed = calls[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: `${name}: ${field}${issue?.message ?? 'invalid input'}`,
      },
    };
  }
  try {
    const handler = handlers[name] as (input: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (isApiError(error))
      return { ok: false, error: { code: error.code, message: error.message } };
    log(`Call ${name} failed unexpectedly`, error);
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: { code: 'INTERNAL', message: `Something went wrong in ${name}: ${detail}` },
    };
  }
}
