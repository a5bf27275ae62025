import fc from 'fast-check';

/**
 * Damage of the kinds a broken phone copy or a hostile contributor produces, aimed at the boxes
 * that index an MP4: bits flipped inside them, the file cut short, two boxes' sizes swapped, an
 * entry count claiming billions of entries. Box offsets come from walking the file, so each
 * mutation lands where the probe has to trust what it reads.
 */

export type Box = { type: string; start: number; size: number };

const CONTAINERS = new Set([
  'moov',
  'trak',
  'mdia',
  'minf',
  'stbl',
  'edts',
  'udta',
  'dinf',
  'mvex',
  'moof',
  'traf',
]);
/** Full boxes whose 32-bit entry count sits right after version and flags (offset 12). */
const COUNTED = new Set(['stts', 'stsc', 'stco', 'co64', 'stss', 'ctts', 'elst', 'stsd', 'dref']);

export function walkBoxes(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  out: Box[] = [],
): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let header = 8;
    if (size === 1 && at + 16 <= end) {
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) break;
    out.push({ type, start: at, size });
    if (CONTAINERS.has(type)) walkBoxes(bytes, at + header, at + size, out);
    at += size;
  }
  return out;
}

export type Mutation =
  | { kind: 'flip'; box: number; offset: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'flipAnywhere'; offset: number; bit: number }
  | { kind: 'swapSizes'; a: number; b: number }
  | { kind: 'hugeCount'; box: number; count: number };

/** Mutations of a file with these boxes; `box` and offsets are taken modulo what exists. */
export function mutationOf(fileSize: number): fc.Arbitrary<Mutation> {
  const nat = fc.nat({ max: 1_000_000 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('flip' as const),
        box: nat,
        offset: nat,
        bit: fc.nat({ max: 7 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('flipAnywhere' as const),
        offset: fc.nat({ max: Math.max(0, fileSize - 1) }),
        bit: fc.nat({ max: 7 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('truncate' as const),
        at: fc.nat({ max: Math.max(0, fileSize - 1) }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('swapSizes' as const), a: nat, b: nat }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('hugeCount' as const),
        box: nat,
        count: fc.oneof(
          fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000000, 0),
          fc.integer({ min: 1 << 20, max: 0xffffffff }),
        ),
      }),
    },
  );
}

/** Index boxes: everything inside moov (or moof) that is not itself a container. */
function indexBoxes(boxes: readonly Box[]): Box[] {
  const moov = boxes.filter((b) => b.type === 'moov' || b.type === 'moof');
  return boxes.filter(
    (b) =>
      !CONTAINERS.has(b.type) && moov.some((m) => b.start > m.start && b.start < m.start + m.size),
  );
}

export function applyMutation(original: Uint8Array, mutation: Mutation): Uint8Array {
  const bytes = new Uint8Array(original);
  const view = new DataView(bytes.buffer);
  const boxes = walkBoxes(bytes);
  const index = indexBoxes(boxes);
  switch (mutation.kind) {
    case 'truncate':
      return bytes.subarray(0, mutation.at);
    case 'flipAnywhere': {
      // Any container, Matroska included: one bit anywhere in the file.
      const at = mutation.offset % Math.max(1, bytes.length);
      bytes[at] = (bytes[at] ?? 0) ^ (1 << mutation.bit);
      return bytes;
    }
    case 'flip': {
      const box = index[mutation.box % Math.max(1, index.length)];
      if (box === undefined) return bytes;
      const at = box.start + (mutation.offset % box.size);
      bytes[at] = (bytes[at] ?? 0) ^ (1 << mutation.bit);
      return bytes;
    }
    case 'swapSizes': {
      const a = boxes[mutation.a % Math.max(1, boxes.length)];
      const b = boxes[mutation.b % Math.max(1, boxes.length)];
      if (a === undefined || b === undefined) return bytes;
      const sizeA = view.getUint32(a.start);
      view.setUint32(a.start, view.getUint32(b.start));
      view.setUint32(b.start, sizeA);
      return bytes;
    }
    case 'hugeCount': {
      const counted = index.filter((b) => COUNTED.has(b.type) || b.type === 'stsz');
      const box = counted[mutation.box % Math.max(1, counted.length)];
      if (box === undefined) return bytes;
      const at = box.start + (box.type === 'stsz' ? 16 : 12);
      if (at + 4 <= box.start + box.size) view.setUint32(at, mutation.count);
      return bytes;
    }
  }
}
