import { flaggedFieldOfKey, flaggedKeyRank } from './flaggedMetadata';
import type { FlaggedMetadata } from './flaggedMetadata';

/**
 * Privacy-relevant metadata from an MP4/QuickTime moov box: where, on what device and when a clip
 * was recorded. Reads the places phones write it:
 *
 * - mdta keys (QuickTime File Format, "Metadata" chapter): moov/meta with hdlr 'mdta', a
 *   'keys' table and an 'ilst' whose item types are 1-based key indexes, each holding 'data'.
 *   Apple writes `com.apple.quicktime.*`, Android `com.android.*`, ffmpeg's
 *   `-movflags use_metadata_tags` plain `make`/`model`/`location` (see `flaggedFieldOfKey`).
 * - QuickTime user data text atoms: moov/udta/©xyz, ©mak, ©mod, ©day (16-bit length, 16-bit
 *   language, then the text).
 * - iTunes-style lists (moov/udta/meta/ilst/©day/data), which some Android muxers write.
 * - 3GPP 'loci' (TS 26.244 §8.6), converted to an ISO 6709 string.
 * - mvhd creation_time, seconds since 1904-01-01 UTC, 0 meaning unset.
 *
 * Mdta keys win over udta atoms, which win over mvhd. Every read is bounds-checked and every
 * loop advances, so a malformed file yields nulls, never an exception or a hang.
 */
export function readFlaggedMetadata(moovBox: Uint8Array): FlaggedMetadata {
  const found: Found = {};
  const view = new DataView(moovBox.buffer, moovBox.byteOffset, moovBox.byteLength);
  const reader: Reader = { bytes: moovBox, view };
  const [moov] = [...boxesIn(reader, 0, moovBox.byteLength)];
  if (moov?.type !== 'moov') return toFlagged(found);
  for (const child of boxesIn(reader, moov.start, moov.end)) {
    if (child.type === 'mvhd') found.mvhdCreation = readMvhdCreation(reader, child);
    else if (child.type === 'meta') readMeta(reader, child, found, 'mdta');
    else if (child.type === 'udta') readUdta(reader, child, found);
  }
  return toFlagged(found);
}

type Field = 'location' | 'make' | 'model' | 'creationTime';
type Found = {
  mdta?: Partial<Record<Field, string>>;
  udta?: Partial<Record<Field, string>>;
  mvhdCreation?: string | null;
};
type Reader = { bytes: Uint8Array; view: DataView };
/** A box's type, where its header starts, and the byte range of its payload. */
type BoxSpan = { type: string; at: number; start: number; end: number };

const USER_DATA_ATOMS: Record<string, Field> = {
  '\u00a9xyz': 'location',
  '\u00a9mak': 'make',
  '\u00a9mod': 'model',
  '\u00a9day': 'creationTime',
};

function toFlagged(found: Found): FlaggedMetadata {
  const pick = (field: Field): string | null => found.mdta?.[field] ?? found.udta?.[field] ?? null;
  const textTime = pick('creationTime');
  return {
    location: pick('location'),
    make: pick('make'),
    model: pick('model'),
    creationTime: textTime === null ? (found.mvhdCreation ?? null) : normalizeDate(textTime),
  };
}

/** Children of the range [start, end): stops at the first header that does not fit. */
function* boxesIn(reader: Reader, start: number, end: number): Generator<BoxSpan> {
  const limit = Math.min(end, reader.bytes.byteLength);
  let at = start;
  while (at + 8 <= limit) {
    let size = reader.view.getUint32(at);
    const type = fourCC(reader, at + 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > limit) return;
      size = reader.view.getUint32(at + 8) * 2 ** 32 + reader.view.getUint32(at + 12);
      header = 16;
    } else if (size === 0) {
      size = limit - at;
    }
    if (size < header || at + size > limit) return;
    yield { type, at, start: at + header, end: at + size };
    at += size;
  }
}

function fourCC(reader: Reader, at: number): string {
  let text = '';
  for (let i = at; i < at + 4; i += 1) text += String.fromCharCode(reader.bytes[i] ?? 0);
  return text;
}

function readMvhdCreation(reader: Reader, mvhd: BoxSpan): string | null {
  const version = reader.bytes[mvhd.start];
  const seconds =
    version === 1
      ? mvhd.start + 12 <= mvhd.end
        ? reader.view.getUint32(mvhd.start + 4) * 2 ** 32 + reader.view.getUint32(mvhd.start + 8)
        : 0
      : mvhd.start + 8 <= mvhd.end
        ? reader.view.getUint32(mvhd.start + 4)
        : 0;
  if (seconds === 0) return null;
  return isoOrNull((seconds - SECONDS_1904_TO_1970) * 1000);
}

/** Seconds from 1904-01-01 (the QuickTime epoch) to 1970-01-01. */
const SECONDS_1904_TO_1970 = 2_082_844_800;

function isoOrNull(epochMs: number): string | null {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function readUdta(reader: Reader, udta: BoxSpan, found: Found): void {
  for (const atom of boxesIn(reader, udta.start, udta.end)) {
    const field = USER_DATA_ATOMS[atom.type];
    if (field !== undefined) {
      const text = readUserDataText(reader, atom);
      if (text !== null) (found.udta ??= {})[field] ??= text;
    } else if (atom.type === 'meta') {
      readMeta(reader, atom, found, 'udta');
    } else if (atom.type === 'loci') {
      const location = readLoci(reader, atom);
      if (location !== null) (found.udta ??= {}).location ??= location;
    }
  }
}

/** A udta text atom: QuickTime's length + language + text, or an iTunes-style 'data' child. */
function readUserDataText(reader: Reader, atom: BoxSpan): string | null {
  const [child] = [...boxesIn(reader, atom.start, atom.end)];
  if (child?.type === 'data') return readDataBox(reader, child);
  if (atom.start + 4 > atom.end) return null;
  const length = reader.view.getUint16(atom.start);
  const textStart = atom.start + 4;
  return cleanText(decodeUtf8(reader.bytes, textStart, Math.min(textStart + length, atom.end)));
}

/**
 * A 'meta' box: ISO makes it a FullBox (4 bytes of version and flags before the children),
 * QuickTime does not. Which one it is shows in where the 'hdlr' child starts.
 */
function readMeta(reader: Reader, meta: BoxSpan, found: Found, into: 'mdta' | 'udta'): void {
  const start = fourCC(reader, meta.start + 4) === 'hdlr' ? meta.start : meta.start + 4;
  let keys: string[] | null = null;
  for (const child of boxesIn(reader, start, meta.end)) {
    if (child.type === 'keys') keys = readKeys(reader, child);
    else if (child.type === 'ilst') readItemList(reader, child, keys, (found[into] ??= {}));
  }
}

function readKeys(reader: Reader, keysBox: BoxSpan): string[] {
  const keys: string[] = [];
  if (keysBox.start + 8 > keysBox.end) return keys;
  const count = reader.view.getUint32(keysBox.start + 4);
  let at = keysBox.start + 8;
  for (let i = 0; i < count && at + 8 <= keysBox.end; i += 1) {
    const size = reader.view.getUint32(at);
    if (size < 8 || at + size > keysBox.end) break;
    // Key namespace (usually 'mdta') sits at at+4; the key name follows it.
    keys.push(decodeUtf8(reader.bytes, at + 8, at + size));
    at += size;
  }
  return keys;
}

function readItemList(
  reader: Reader,
  ilst: BoxSpan,
  keys: readonly string[] | null,
  into: Partial<Record<Field, string>>,
): void {
  const ranks: Partial<Record<Field, number>> = {};
  for (const item of boxesIn(reader, ilst.start, ilst.end)) {
    // Item types in an mdta list are 1-based indexes into 'keys', not four-character codes.
    const key = keys === null ? null : (keys[reader.view.getUint32(item.at + 4) - 1] ?? '');
    const field = key === null ? USER_DATA_ATOMS[item.type] : flaggedFieldOfKey(key);
    if (field === undefined || field === null) continue;
    const rank = key === null ? 0 : flaggedKeyRank(key);
    if (into[field] !== undefined && (ranks[field] ?? 0) <= rank) continue;
    for (const data of boxesIn(reader, item.start, item.end)) {
      if (data.type !== 'data') continue;
      const text = readDataBox(reader, data);
      if (text !== null) {
        into[field] = text;
        ranks[field] = rank;
        break;
      }
    }
  }
}

/** A 'data' box: well-known type (1 UTF-8, 2 UTF-16BE; 0 is implicit, read as UTF-8), locale, value. */
function readDataBox(reader: Reader, data: BoxSpan): string | null {
  if (data.start + 8 > data.end) return null;
  const wellKnownType = reader.view.getUint32(data.start) & 0xffffff;
  const valueStart = data.start + 8;
  if (wellKnownType === 0 || wellKnownType === 1) {
    return cleanText(decodeUtf8(reader.bytes, valueStart, data.end));
  }
  if (wellKnownType === 2) return cleanText(decodeUtf16Be(reader, valueStart, data.end));
  return null;
}

/**
 * 3GPP location: FullBox header, language (2), name (NUL-terminated), role (1), then longitude,
 * latitude and altitude as signed 16.16 fixed point.
 */
function readLoci(reader: Reader, loci: BoxSpan): string | null {
  let at = loci.start + 6;
  while (at < loci.end && reader.bytes[at] !== 0) at += 1;
  at += 2; // The name's NUL and the role byte.
  if (at + 12 > loci.end) return null;
  const longitude = reader.view.getInt32(at) / 0x10000;
  const latitude = reader.view.getInt32(at + 4) / 0x10000;
  const altitude = reader.view.getInt32(at + 8) / 0x10000;
  const signed = (value: number, integerDigits: number): string => {
    const [whole = '0', fraction = '0000'] = Math.abs(value).toFixed(4).split('.');
    return `${value < 0 ? '-' : '+'}${whole.padStart(integerDigits, '0')}.${fraction}`;
  };
  return `${signed(latitude, 2)}${signed(longitude, 3)}${signed(altitude, 1)}/`;
}

function cleanText(text: string): string | null {
  // eslint-disable-next-line no-control-regex -- trailing NULs pad fixed-size text fields
  const trimmed = text.replace(/\u0000+$/u, '').trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Normalises the dates phones write ("2024-06-02T08:09:10+0200", "2024-06-02 08:09:10Z") to
 * ISO 8601 UTC. A date without a zone is read as UTC. Anything else is returned as written: it is
 * still metadata the user should see flagged.
 */
export function normalizeDate(text: string): string {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/u.exec(
      text.trim(),
    );
  if (!match) return text;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const milliseconds = Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  let epochMs = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
    milliseconds,
  );
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const offsetMinutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    epochMs -= (zone.startsWith('-') ? -1 : 1) * offsetMinutes * 60_000;
  }
  return isoOrNull(epochMs) ?? text;
}

/** UTF-8 to a string without TextDecoder (src/shared has no DOM or Node globals); bad bytes → U+FFFD. */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const stop = Math.min(end, bytes.byteLength);
  const codePoints: number[] = [];
  let at = Math.max(0, start);
  while (at < stop) {
    const lead = bytes[at] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (length === 1) {
      codePoints.push(lead);
      at += 1;
      continue;
    }
    let codePoint = length === 0 ? -1 : lead & (0xff >> (length + 1));
    for (let i = 1; i < length && codePoint >= 0; i += 1) {
      const next = at + i < stop ? (bytes[at + i] ?? 0) : 0;
      codePoint = (next & 0xc0) === 0x80 ? (codePoint << 6) | (next & 0x3f) : -1;
    }
    if (codePoint < 0 || codePoint > 0x10ffff) {
      codePoints.push(0xfffd);
      at += 1;
    } else {
      codePoints.push(codePoint);
      at += length;
    }
  }
  return fromCodePoints(codePoints);
}

function decodeUtf16Be(reader: Reader, start: number, end: number): string {
  const units: number[] = [];
  for (let at = start; at + 2 <= end; at += 2) units.push(reader.view.getUint16(at));
  let text = '';
  for (let i = 0; i < units.length; i += 4096) {
    text += String.fromCharCode(...units.slice(i, i + 4096));
  }
  return text;
}

function fromCodePoints(codePoints: readonly number[]): string {
  let text = '';
  for (let i = 0; i < codePoints.length; i += 4096) {
    text += String.fromCodePoint(...codePoints.slice(i, i + 4096));
  }
  return text;
}
