import type { z } from 'zod';

export type VersionedJsonResult<T> = { ok: true; value: T } | { ok: false; message: string };

function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${part}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name === '' ? '(top level)' : name;
}

/**
 * Parses a versioned JSON file people write by hand (batch.json, a project file): an unknown
 * version is refused rather than guessed at, and every other failure names the field.
 * `subject` starts each message, e.g. "batch.json" or "The project file".
 */
export function parseVersionedJson<S extends z.ZodType>(
  text: string,
  subject: string,
  versions: readonly number[],
  schema: S,
): VersionedJsonResult<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${subject} is not valid JSON: ${detail}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: `${subject} must hold a JSON object.` };
  }
  const version = (raw as Record<string, unknown>).version;
  if (!versions.some((v) => v === version)) {
    return {
      ok: false,
      message: `${subject} version: ${JSON.stringify(version ?? null)} is not supported; this Framewise reads version ${versions.join(', ')}.`,
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => {
      const path = fieldName(issue.path);
      if (issue.code === 'unrecognized_keys') {
        return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      return `${path}: ${issue.message}`;
    });
    return { ok: false, message: `${subject} is invalid: ${issues.join('; ')}.` };
  }
  return { ok: true, value: parsed.data };
}
