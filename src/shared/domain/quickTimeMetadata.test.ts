import { describe, expect, it } from 'vitest';
import { normalizeDate, readFlaggedMetadata } from './quickTimeMetadata';

// Tiny box writers, so each test shows the exact layout it feeds the parser.
function u32(value: number): number[] {
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}
function u16(value: number): number[] {
  return [(value >>> 8) & 255, value & 255];
}
function latin1(text: string): number[] {
  return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}
function zeros(count: number): number[] {
  return new Array<number>(count).fill(0);
}
function utf8(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}
function box(type: string | number, ...payload: number[][]): number[] {
  const body = payload.flat();
  const typeBytes = typeof type === 'number' ? u32(type) : latin1(type);
  return [...u32(8 + body.length), ...typeBytes, ...body];
}
function mvhd(creationSeconds: number): number[] {
  return box('mvhd', [0, 0, 0, 0], u32(creationSeconds), u32(creationSeconds), zeros(88));
}
function qtText(type: string, text: string): number[] {
  const bytes = utf8(text);
  return box(type, u16(bytes.length), u16(0x55c4), bytes);
}
function data(text: string): number[] {
  return box('data', u32(1), u32(0), utf8(text));
}
function mdtaMeta(entries: [string, string][]): number[] {
  const keys = box(
    'keys',
    [0, 0, 0, 0],
    u32(entries.length),
    ...entries.map(([key]) => box('mdta', utf8(key))),
  );
  const ilst = box('ilst', ...entries.map(([, value], index) => box(index + 1, data(value))));
  return box('meta', box('hdlr', zeros(25)), keys, ilst);
}
function moov(...children: number[][]): Uint8Array {
  return Uint8Array.from(box('moov', ...children));
}

/** 2024-05-01T12:34:56Z in seconds since 1904-01-01. */
const MAY_2024 = 2_082_844_800 + Date.UTC(2024, 4, 1, 12, 34, 56) / 1000;

describe('readFlaggedMetadata', () => {
  it('reads QuickTime udta text atoms and the mvhd creation time', () => {
    const result = readFlaggedMetadata(
      moov(
        mvhd(MAY_2024),
        box(
          'udta',
          qtText('\u00a9xyz', '+37.7749-122.4194/'),
          qtText('\u00a9mak', 'Apple'),
          qtText('\u00a9mod', 'iPhone 12'),
        ),
      ),
    );
    expect(result).toEqual({
      location: '+37.7749-122.4194/',
      make: 'Apple',
      model: 'iPhone 12',
      creationTime: '2024-05-01T12:34:56.000Z',
    });
  });

  it('reads Apple mdta keys and prefers them over udta atoms and mvhd', () => {
    const result = readFlaggedMetadata(
      moov(
        mvhd(MAY_2024),
        box('udta', qtText('\u00a9mak', 'Other')),
        mdtaMeta([
          ['com.apple.quicktime.make', 'Apple'],
          ['com.apple.quicktime.software', '17.5'],
          ['com.apple.quicktime.location.ISO6709', '+48.8584+002.2945+035.000/'],
          ['com.apple.quicktime.model', 'iPhone 15 Pro'],
          ['com.apple.quicktime.creationdate', '2024-06-02T08:09:10+0200'],
        ]),
      ),
    );
    expect(result).toEqual({
      location: '+48.8584+002.2945+035.000/',
      make: 'Apple',
      model: 'iPhone 15 Pro',
      creationTime: '2024-06-02T06:09:10.000Z',
    });
  });

  it('reads the plain make/model keys ffmpeg writes and Android com.android.* keys', () => {
    expect(
      readFlaggedMetadata(
        moov(
          mdtaMeta([
            ['make', 'Acme'],
            ['model', 'Cam One'],
            ['location', '+01.0000+002.0000/'],
          ]),
        ),
      ),
    ).toMatchObject({ make: 'Acme', model: 'Cam One', location: '+01.0000+002.0000/' });
    expect(
      readFlaggedMetadata(
        moov(
          mdtaMeta([
            ['com.android.version', '14'],
            ['com.android.manufacturer', 'Google'],
            ['com.android.model', 'Pixel 8'],
          ]),
        ),
      ),
    ).toMatchObject({ make: 'Google', model: 'Pixel 8' });
  });

  it('prefers the device model key over a lens description that comes first', () => {
    const result = readFlaggedMetadata(
      moov(
        mdtaMeta([
          ['com.apple.quicktime.camera.lens_model', 'iPhone 15 Pro back camera 6.765mm f/1.78'],
          ['com.apple.quicktime.model', 'iPhone 15 Pro'],
        ]),
      ),
    );
    expect(result.model).toBe('iPhone 15 Pro');
    expect(
      readFlaggedMetadata(
        moov(mdtaMeta([['com.apple.quicktime.camera.lens_model', 'iPhone 15 back camera']])),
      ).model,
    ).toBe('iPhone 15 back camera');
  });

  it('reports nothing for a clip without metadata and an unset (zero) mvhd time', () => {
    expect(readFlaggedMetadata(moov(mvhd(0), box('trak')))).toEqual({
      location: null,
      make: null,
      model: null,
      creationTime: null,
    });
  });

  it('reads a version 1 mvhd with 64-bit times', () => {
    const v1 = box('mvhd', [1, 0, 0, 0], u32(0), u32(MAY_2024), zeros(100));
    expect(readFlaggedMetadata(moov(v1)).creationTime).toBe('2024-05-01T12:34:56.000Z');
  });

  it('prefers ©day over mvhd for the creation time', () => {
    const result = readFlaggedMetadata(
      moov(mvhd(MAY_2024), box('udta', qtText('\u00a9day', '2023-01-02T03:04:05Z'))),
    );
    expect(result.creationTime).toBe('2023-01-02T03:04:05.000Z');
  });

  it('reads iTunes-style udta/meta/ilst items with data boxes', () => {
    const meta = box(
      'meta',
      [0, 0, 0, 0],
      box('hdlr', zeros(25)),
      box(
        'ilst',
        box('\u00a9day', data('2022-12-31')),
        box('\u00a9xyz', data('+51.5007-000.1246/')),
      ),
    );
    const result = readFlaggedMetadata(moov(box('udta', meta)));
    expect(result.creationTime).toBe('2022-12-31T00:00:00.000Z');
    expect(result.location).toBe('+51.5007-000.1246/');
  });

  it('converts a 3GPP loci box to an ISO 6709 string', () => {
    const fixed = (value: number): number[] => u32(Math.round(value * 0x10000) >>> 0);
    const loci = box(
      'loci',
      [0, 0, 0, 0],
      u16(0x15c7),
      [...latin1('Home'), 0],
      [0],
      fixed(-122.4194),
      fixed(37.7749),
      fixed(12),
      [0, 0],
    );
    expect(readFlaggedMetadata(moov(box('udta', loci))).location).toBe(
      '+37.7749-122.4194+12.0000/',
    );
  });

  it('decodes UTF-8 text', () => {
    const result = readFlaggedMetadata(moov(box('udta', qtText('\u00a9mod', 'Caméra – ünï'))));
    expect(result.model).toBe('Caméra – ünï');
  });

  it('reports nothing for bytes that are not a moov box', () => {
    expect(readFlaggedMetadata(Uint8Array.from(box('free', [1, 2, 3])))).toEqual({
      location: null,
      make: null,
      model: null,
      creationTime: null,
    });
    expect(readFlaggedMetadata(new Uint8Array(0)).location).toBeNull();
  });

  it('survives sizes that overrun their parent, are too small or zero', () => {
    const overrun = [...u32(4000), ...latin1('udta'), ...qtText('\u00a9mak', 'Apple')];
    const tooSmall = [...u32(3), ...latin1('udta')];
    const zeroSized = [...u32(0), ...latin1('udta'), ...qtText('\u00a9mak', 'Zero')];
    const keysOverrun = box('meta', box('hdlr', []), box('keys', [0, 0, 0, 0], u32(99), u32(500)));
    for (const children of [[overrun], [tooSmall], [zeroSized], [keysOverrun]]) {
      expect(() => readFlaggedMetadata(moov(mvhd(MAY_2024), ...children))).not.toThrow();
    }
    // A size-0 box runs to the end of its parent, so its children are still found.
    expect(readFlaggedMetadata(moov(zeroSized)).make).toBe('Zero');
  });

  it('never throws or hangs on truncated or random bytes', () => {
    const whole = moov(
      mvhd(MAY_2024),
      box('udta', qtText('\u00a9xyz', '+1+2/')),
      mdtaMeta([['com.apple.quicktime.make', 'Apple']]),
    );
    for (let cut = 0; cut <= whole.length; cut += 1) {
      expect(() => readFlaggedMetadata(whole.subarray(0, cut))).not.toThrow();
    }
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed & 255;
    };
    for (let round = 0; round < 200; round += 1) {
      const noisy = Uint8Array.from(whole);
      for (let i = 0; i < 6; i += 1) noisy[8 + ((random() * 7) % (noisy.length - 8))] = random();
      expect(() => readFlaggedMetadata(noisy)).not.toThrow();
    }
  });
});

describe('normalizeDate', () => {
  it('turns zone offsets with or without a colon into UTC', () => {
    expect(normalizeDate('2024-06-02T08:09:10+0200')).toBe('2024-06-02T06:09:10.000Z');
    expect(normalizeDate('2024-06-02T08:09:10-05:30')).toBe('2024-06-02T13:39:10.000Z');
    expect(normalizeDate('2024-06-02 08:09:10.5Z')).toBe('2024-06-02T08:09:10.500Z');
  });

  it('keeps text it cannot read as a date', () => {
    expect(normalizeDate('last tuesday')).toBe('last tuesday');
    expect(normalizeDate('2024')).toBe('2024');
  });
});
