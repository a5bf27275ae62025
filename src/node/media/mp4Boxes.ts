import type { FileHandle } from 'node:fs/promises';

/** One top-level ISO BMFF box (ISO/IEC 14496-12 §4.2), located but not necessarily read. */
export type TopLevelBox = {
  type: string;
  /** Offset of the box header in the file. */
  start: number;
  headerSize: number;
  /** Declared size in bytes, header included; a size of 0 ("to end of file") is resolved. */
  size: number;
};

/** The index boxes of a file, read whole, and where everything else sits. */
export type Mp4Layout = {
  fileSize: number;
  /** Every top-level box with a complete header, in file order; may end with a cut box. */
  boxes: TopLevelBox[];
  /** The box whose declared size runs past the end of the file, if any: the copy was cut short. */
  cutBox: TopLevelBox | null;
  /** True when the file ends inside a box header (fewer than 8 bytes left, or a partial largesize). */
  cutInHeader: boolean;
  /** Bytes of the boxes that describe the media (INDEX_BOXES), keyed by box start. */
  index: Map<number, Uint8Array<ArrayBuffer>>;
  /** How many bytes were read from the file, headers included: far below its size for MP4. */
  bytesRead: number;
};

/**
 * Boxes that hold timing and codec data, read whole. Everything else (mdat above all, also free,
 * skip, wide, uuid) is only located, so probing a 4 GB phone clip reads a few MB at most.
 */
export const INDEX_BOXES: ReadonlySet<string> = new Set(['ftyp', 'moov', 'moof', 'mfra', 'sidx']);

/**
 * The biggest index box we will hold in memory. A 30-minute 60 fps phone clip has a moov of a few
 * MB; anything near this is damaged or hostile, and reading it would only exhaust memory.
 */
export const MAX_INDEX_BOX_BYTES = 256 * 1024 * 1024;

export class IndexBoxTooLargeError extends Error {
  constructor(readonly box: TopLevelBox) {
    super(`The ${box.type} box at byte ${box.start} declares ${box.size} bytes.`);
    this.name = 'IndexBoxTooLargeError';
  }
}

/**
 * Walks the top-level boxes with positioned reads of their headers (8 bytes, 16 with a 64-bit
 * largesize) and reads the index boxes whole. Stops at the end of the file, at a box that runs
 * past it (recorded as cutBox), or at bytes that are not a box header (trailing junk, which some
 * cameras leave after the last box: the caller decides whether what came before suffices).
 */
export async function readMp4Layout(file: FileHandle, fileSize: number): Promise<Mp4Layout> {
  const boxes: TopLevelBox[] = [];
  const index = new Map<number, Uint8Array<ArrayBuffer>>();
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  let bytesRead = 0;
  let cutBox: TopLevelBox | null = null;
  let cutInHeader = false;
  let at = 0;
  while (at < fileSize) {
    const available = Math.min(16, fileSize - at);
    const got = await readFully(file, header.subarray(0, available), at);
    bytesRead += got;
    if (got < 8) {
      cutInHeader = true;
      break;
    }
    const type = fourCC(header, 4);
    if (!isBoxType(type)) break;
    let size = view.getUint32(0);
    let headerSize = 8;
    if (size === 1) {
      if (got < 16) {
        cutInHeader = true;
        break;
      }
      size = view.getUint32(8) * 2 ** 32 + view.getUint32(12);
      headerSize = 16;
    } else if (size === 0) {
      size = fileSize - at;
    }
    if (size < headerSize) break;
    const box: TopLevelBox = { type, start: at, headerSize, size };
    boxes.push(box);
    if (at + size > fileSize) {
      cutBox = box;
      break;
    }
    if (INDEX_BOXES.has(type)) {
      if (size > MAX_INDEX_BOX_BYTES) throw new IndexBoxTooLargeError(box);
      const bytes = new Uint8Array(size);
      const got = await readFully(file, bytes, at);
      bytesRead += got;
      // The file shrank under us (still being copied?): the same as a cut box.
      if (got < size) {
        cutBox = box;
        break;
      }
      index.set(at, bytes);
    }
    at += size;
  }
  return { fileSize, boxes, cutBox, cutInHeader, index, bytesRead };
}

/** Positioned read that loops, since one read may return less than asked for. */
async function readFully(file: FileHandle, into: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await file.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

function fourCC(bytes: Uint8Array, at: number): string {
  let text = '';
  for (let i = at; i < at + 4; i += 1) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}

/** Box types are four printable characters; QuickTime's © atoms only appear inside udta. */
function isBoxType(type: string): boolean {
  return /^[\x20-\x7e]{4}$/u.test(type);
}
