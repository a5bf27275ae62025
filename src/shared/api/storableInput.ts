/**
 * What a boundary refuses before any schema or database sees a request: text PostgreSQL and
 * SQLite cannot store as sent (PostgreSQL refuses NUL in `text` and `jsonb`; a lone UTF-16
 * surrogate has no UTF-8 form, so a driver would replace it or fail), and nesting deeper than any
 * real document, which would otherwise overflow the stack of a recursive schema (a `batch`
 * command holding a batch holding a batch…). Keys are text too and are checked like values.
 */

/** Deeper than any labels document or command the apps write (about 10), far short of the stack. */
export const MAX_INPUT_DEPTH = 32;

export type InputProblem = { path: string; message: string };

/** NUL, or a high surrogate not followed by a low one, or a low one not after a high one. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (found === null) return null;
  return found[0] === '\u0000'
    ? 'must not contain a NUL character'
    : 'must not contain a lone UTF-16 surrogate (not valid Unicode text)';
}

function describePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(the value itself)' : path.join('.');
}

/**
 * The first thing in `value` a boundary must refuse, or null. Iterative, so a hostile depth costs
 * a bounded loop, never the stack.
 */
export function findUnstorableInput(
  value: unknown,
  maxDepth = MAX_INPUT_DEPTH,
): InputProblem | null {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem !== null) return { path: describePath(path), message: problem };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) {
      return {
        path: describePath(path.slice(0, 3)) + '…',
        message: `nests deeper than ${maxDepth} levels`,
      };
    }
    if (Array.isArray(current)) {
      current.forEach((item: unknown, index) =>
        pending.push({ value: item, path: [...path, index] }),
      );
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      const keyProblem = textProblem(key);
      if (keyProblem !== null) return { path: describePath(path), message: `a key ${keyProblem}` };
      pending.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}
