/** What to answer to a `Range` header for a file of `size` bytes (RFC 9110 §14; single ranges only). */
export type RangeAnswer =
  | { status: 200; start: 0; end: number }
  | { status: 206; start: number; end: number }
  /** `reason` says what is wrong with the header, to finish "The Range header ..." for a person. */
  | { status: 416; reason: string };

/** More ranges than a video player or a resuming download ever sends in one request. */
const MAX_RANGES = 16;

/**
 * Reads a `Range` header the way RFC 9110 allows a careful server to: one satisfiable range gets
 * 206; a header whose ranges are all malformed (`bytes=abc`, `bytes=5-2`, `bytes=-0`) or start
 * past the end gets 416; several ranges get the whole file (multipart answers are not served)
 * unless they overlap or are too many, which is refused (416) as the RFC permits, since that is
 * how a client makes a server send the same bytes many times over. Another unit than bytes is
 * ignored (200, the whole file).
 */
export function answerRange(header: string | null | undefined, size: number): RangeAnswer {
  const whole = { status: 200 as const, start: 0 as const, end: size - 1 };
  if (!header) return whole;
  const unit = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)=(.*)$/.exec(header);
  if (!unit) return { status: 416, reason: `"${clip(header)}" is not a range (bytes=START-END)` };
  if (unit[1]?.toLowerCase() !== 'bytes') return whole;
  const specs = (unit[2] ?? '').split(',').map((spec) => spec.trim());
  if (specs.length > MAX_RANGES) {
    return { status: 416, reason: `asks for ${specs.length} ranges; at most ${MAX_RANGES}` };
  }
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    const match = /^(?:(\d+)-(\d*)|-(\d+))$/.exec(spec);
    if (!match) {
      return {
        status: 416,
        reason: `"${clip(spec)}" is not a byte range (START-END, START- or -LENGTH)`,
      };
    }
    const [, first, last, suffix] = match;
    if (suffix !== undefined) {
      if (Number(suffix) === 0) return { status: 416, reason: 'asks for the last 0 bytes' };
      if (size > 0) ranges.push({ start: Math.max(0, size - Number(suffix)), end: size - 1 });
      continue;
    }
    const start = Number(first);
    if (last !== undefined && last !== '' && Number(last) < start) {
      return { status: 416, reason: `"${clip(spec)}" ends before it starts` };
    }
    if (start < size) {
      ranges.push({
        start,
        end: last === '' || last === undefined ? size - 1 : Math.min(Number(last), size - 1),
      });
    }
  }
  const [only] = ranges;
  if (only === undefined)
    return { status: 416, reason: `starts past the end of the ${size} bytes` };
  if (ranges.length === 1) return { status: 206, ...only };
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i]?.start ?? 0) <= (sorted[i - 1]?.end ?? -1)) {
      return { status: 416, reason: 'has overlapping ranges; ask for each byte once' };
    }
  }
  return whole;
}

/** A header quoted back in a message: short, and printable. */
function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  // Chromium plays H.264 in QuickTime files but refuses the video/quicktime type.
  '.mov': 'video/mp4',
  '.webm': 'video/webm',
  '.mkv': 'video/webm',
};

export function videoContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (
    CONTENT_TYPES[dot < 0 ? '' : fileName.slice(dot).toLowerCase()] ?? 'application/octet-stream'
  );
}
