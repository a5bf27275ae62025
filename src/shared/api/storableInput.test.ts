import { describe, expect, it } from 'vitest';
import { findUnstorableInput, MAX_INPUT_DEPTH } from './storableInput';

function nested(depth: number): unknown {
  let value: unknown = { type: 'removeTrack', trackId: 't' };
  for (let i = 0; i < depth; i++) value = { type: 'batch', commands: [value] };
  return value;
}

describe('findUnstorableInput', () => {
  it('lets ordinary text through, astral characters (paired surrogates) included', () => {
    expect(findUnstorableInput({ label: 'left wrist 🖐 é 漢', list: ['a', 1, null, true] })).toBe(
      null,
    );
  });

  it('names the field holding a NUL', () => {
    expect(findUnstorableInput({ comments: [{ text: 'a\u0000b' }] })).toEqual({
      path: 'comments.0.text',
      message: 'must not contain a NUL character',
    });
  });

  it('refuses a lone high or low surrogate, and one in a key', () => {
    expect(findUnstorableInput({ reason: 'x\uD800' })?.path).toBe('reason');
    expect(findUnstorableInput({ reason: '\uDC00y' })?.path).toBe('reason');
    expect(findUnstorableInput({ reason: '\uDC00\uD800' })?.path).toBe('reason');
    expect(findUnstorableInput({ ['k\uD800']: 1 })?.message).toContain('key');
  });

  it('refuses nesting past the limit without overflowing the stack, however deep', () => {
    // Each batch level is two JSON levels (the command object and its commands array).
    expect(findUnstorableInput(nested(MAX_INPUT_DEPTH / 2 - 1))).toBe(null);
    expect(findUnstorableInput(nested(MAX_INPUT_DEPTH / 2 + 1))?.message).toContain('deeper');
    expect(findUnstorableInput(nested(100_000))?.message).toContain('deeper');
  });
});
