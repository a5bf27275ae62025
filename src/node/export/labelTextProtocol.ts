import type {
  ClipTexts,
  ClipTextWriter,
  LabelFilesClip,
  LabelFilesPlan,
  PackedTexts,
} from '../../shared/formats';

/** Messages to a label text worker: the plan once, then clips (numbered from 1 in export order). */
export type ToLabelTextWorker =
  | { readonly type: 'plan'; readonly plan: LabelFilesPlan }
  | { readonly type: 'clip'; readonly index: number; readonly clip: LabelFilesClip };

/** A thrown error as a message: what is needed to throw the same class and code again. */
export type ErrorMessage = {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
};

export type FromLabelTextWorker =
  | { readonly index: number; readonly texts: ClipTexts<PackedTexts> }
  | { readonly index: number; readonly error: ErrorMessage };

/** The clip's texts, each list packed as UTF-8 bytes (moved, not copied, to the writing thread). */
export function clipTextsPacked(
  writer: ClipTextWriter,
  clip: LabelFilesClip,
  index: number,
): { texts: ClipTexts<PackedTexts>; transfer: ArrayBuffer[] } {
  const texts = writer.texts(clip, index);
  const transfer: ArrayBuffer[] = [];
  const pack = (items: readonly string[]): PackedTexts => {
    const packed = packTexts(items);
    transfer.push(packed.bytes.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer);
    return packed;
  };
  const packOrNull = (items: readonly string[] | null) => (items === null ? null : pack(items));
  return {
    texts: {
      tracks: texts.tracks,
      segments: texts.segments,
      coco: texts.coco && {
        videoKey: texts.coco.videoKey,
        images: pack(texts.coco.images),
        annotations: pack(texts.coco.annotations),
      },
      cvat: packOrNull(texts.cvat),
      epic: texts.epic && {
        actions: pack(texts.epic.actions),
        videoInfo: pack(texts.epic.videoInfo),
        frameTimes: packOrNull(texts.epic.frameTimes),
        verbIds: texts.epic.verbIds,
        nounIds: texts.epic.nounIds,
      },
      hands: packOrNull(texts.hands),
      provenance: packOrNull(texts.provenance),
    },
    transfer,
  };
}

const encoder = new TextEncoder();

/**
 * The items as UTF-8, one after another, in one pass over the text: room for one byte per
 * character (all a file of ASCII needs), grown when an item needs more. The bytes have an
 * ArrayBuffer of their own (never Buffer's shared pool), so it can be moved to another thread.
 */
export function packTexts(items: readonly string[]): PackedTexts {
  const ends = new Uint32Array(items.length);
  let room = 0;
  for (const item of items) room += item.length;
  let bytes = new Uint8Array(room);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    let rest = items[i] as string;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, bytes.subarray(at));
      at += written;
      if (read === rest.length) break;
      // Characters beyond ASCII take 2–4 bytes: at most 3 per UTF-16 unit left.
      rest = rest.slice(read);
      const grown = new Uint8Array(Math.max(bytes.length * 2, at + rest.length * 3));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    ends[i] = at;
  }
  return { bytes: at === bytes.length ? bytes : bytes.slice(0, at), ends };
}

export function errorMessageOf(error: unknown): ErrorMessage {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}
