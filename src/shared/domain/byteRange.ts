/** What to answer to a `Range` header for a file of `size` bytes (RFC 9110 §14; single ranges only). */
export type RangeAnswer =
  | { status: 200; start: 0; end: number }
  | { status: 206; start: number; end: number }
  | { status: 416 };

export function answerRange(header: string | null | undefined, size: number): RangeAnswer {
  const whole = { status: 200 as const, start: 0 as const, end: size - 1 };
  if (!header) return whole;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multi-range or other units: serving the whole file is a valid answer.
  if (!match) return whole;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { status: 416 };
  if (size === 0) return { status: 416 };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { status: 416 };
    return { status: 206, start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return { status: 416 };
  return { status: 206, start, end };
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
