import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

/**
 * Hostile inputs for the boundary fuzz properties, and their budget. In the suite every property
 * runs a small fixed-seed sample; `npm run fuzz` runs the same properties with FW_FUZZ_SCALE
 * times the runs and collects each property's figures (FW_FUZZ_SUMMARY_DIR) for
 * bench/results/fuzz.json.
 */

export const FUZZ_SEED = Number(process.env.FW_FUZZ_SEED ?? 17);
const SCALE = Number(process.env.FW_FUZZ_SCALE ?? 1);

export function fuzzRuns(inSuite: number): number {
  return Math.max(1, Math.round(inSuite * SCALE));
}

export type FuzzFigures = {
  property: string;
  runs: number;
  requests: number;
  failures: number;
  durationMs: number;
  counterexample?: string;
  error?: string;
};

/** Leaves one property's figures for `npm run fuzz` to collect (only when it asks). */
export function recordFuzz(figures: FuzzFigures): void {
  const dir = process.env.FW_FUZZ_SUMMARY_DIR;
  if (dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${figures.property.replace(/[^a-z0-9]+/gi, '-')}.json`),
    JSON.stringify(figures),
  );
}

/**
 * Runs a property (async) with the budget and seed, records what it tried, and fails the test
 * with fast-check's report (seed, path, counterexample) if it found anything.
 */
export async function checkProperty<T>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>,
  inSuiteRuns: number,
  requestsPerRun = 1,
): Promise<void> {
  const started = performance.now();
  const details = await fc.check(property, {
    seed: FUZZ_SEED,
    numRuns: fuzzRuns(inSuiteRuns),
    endOnFailure: true,
  });
  recordFuzz({
    property: name,
    runs: details.numRuns,
    requests: details.numRuns * requestsPerRun,
    failures: details.failed ? 1 : 0,
    durationMs: Math.round(performance.now() - started),
    ...(details.failed
      ? {
          counterexample: shortly(details.counterexample),
          error: String(details.errorInstance).slice(0, 2000),
        }
      : {}),
  });
  if (details.failed) {
    const error = details.errorInstance;
    throw new Error(
      `${name} failed (seed ${details.seed}, path ${details.counterexamplePath ?? '?'}) on ` +
        `${shortly(details.counterexample)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The counterexample as JSON, cut short: fast-check's own report recurses and overflows the stack
 * on the deeply nested inputs these properties generate.
 */
function shortly(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return '(too deep to print)';
  }
  return text.length > 600 ? `${text.slice(0, 600)}…(${text.length} characters)` : text;
}

/** Every byte percent-encoded: any string (a lone surrogate too) becomes a path segment. */
export function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Characters databases, parsers and path handling trip on, lone surrogates included. */
const oddChar = fc.oneof(
  fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u00a0', '\u2028', '\u202e'),
  fc.constantFrom('\ufeff', '\ufffd', '\uffff', '%', '/', '\\', '.', '"', "'", '<', '\r', '\n'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('🖐', 'é', 'e\u0301', '漢', 'ǅ', 'ß', 'İ'),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.string({
      unit: fc.oneof(oddChar, fc.string({ minLength: 1, maxLength: 1 })),
      maxLength: 40,
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      'a\u0000b',
      '%00',
      '%',
      '%E0%A4%A',
      '../../etc/passwd',
      '/',
      '__proto__',
      'constructor',
      'null',
      '2147483648',
      '-1',
      '1e309',
      '0x10',
    ),
  },
  // Large but bounded: past a 100-character id limit and a 4,000-character text limit.
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

export const boundaryNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 1e21, 1e308, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** `depth` levels of arrays or objects around a leaf: deep enough to topple a recursive check. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 30, max: 1200 }), fc.boolean(), fc.boolean())
  .map(([depth, arrays, batch]) => {
    let value: unknown = batch ? { type: 'removeTrack', trackId: 't' } : 1;
    for (let i = 0; i < depth; i++) {
      value = batch ? { type: 'batch', commands: [value] } : arrays ? [value] : { a: value };
    }
    return value;
  });

/** Any JSON value a hostile client could send: wrong types, odd text, odd keys, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: boundaryNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  {
    weight: 1,
    arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  },
  { weight: 1, arbitrary: deepValue },
);

type Path = readonly (string | number)[];

function leafPaths(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (path.length > 6 || value === null || typeof value !== 'object') return out;
  for (const [key, item] of Object.entries(value)) {
    leafPaths(item, [...path, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    copy[Number(head)] = replaceAt(copy[Number(head)], rest, replacement);
    return copy;
  }
  const record = (value ?? {}) as Record<string, unknown>;
  return { ...record, [head]: replaceAt(record[String(head)], rest, replacement) };
}

/**
 * A valid request body with one hostile change: a field (at any depth) replaced by a hostile
 * value, an unknown field added, or a field dropped. Closer to the boundary than random JSON, so
 * the schema's edges get exercised, not only its first type check.
 */
export function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const paths = leafPaths(valid);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...paths), hostileJson)
      .map(([path, replacement]) => replaceAt(valid, path, replacement)),
    fc.tuple(fc.constantFrom(...paths), hostileString, hostileJson).map(([path, key, extra]) => {
      const at = path.reduce<unknown>(
        (node, part) => (node as Record<string, unknown>)[String(part)],
        valid,
      );
      if (at === null || typeof at !== 'object' || Array.isArray(at)) return valid;
      return replaceAt(valid, path, { ...at, [key || 'extra']: extra });
    }),
    fc.constant(valid),
  );
}
