import { describe, expect, it } from 'vitest';
import { csvRow } from './csv';

describe('csvRow', () => {
  it('quotes only fields with commas, quotes or line breaks, doubling inner quotes (RFC 4180)', () => {
    expect(csvRow(['a', 1, 'b,c', 'say "hi"', 'two\nlines', null, undefined])).toBe(
      'a,1,"b,c","say ""hi""","two\nlines",,\r\n',
    );
  });
});
