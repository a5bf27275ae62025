import fc from 'fast-check';
import { z } from 'zod';
import { calls, type CallName } from '../../src/shared/api/contract';
import { hostileJson, hostileString } from './fuzz';

export const callNames = Object.keys(calls) as CallName[];

/** An object with the call's own field names and hostile values: past the first type check. */
function shapedInput(name: CallName): fc.Arbitrary<unknown> {
  const schema = calls[name].input as z.ZodType;
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  if (keys.length === 0) return hostileJson;
  return fc.dictionary(fc.constantFrom(...keys), hostileJson, { maxKeys: keys.length });
}

/** A contract call (now and then a name that is none) with hostile input. */
export const hostileCall: fc.Arbitrary<[string, unknown]> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .constantFrom(...callNames)
      .chain((name) =>
        fc.tuple(fc.constant<string>(name), fc.oneof(hostileJson, shapedInput(name))),
      ),
  },
  { weight: 1, arbitrary: fc.tuple(hostileString, hostileJson) },
);
