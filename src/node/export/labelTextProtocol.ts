import type {
  ClipTexts,
  ClipTextWriter,
  LabelFilesClip,
  LabelFilesPlan,
  PackedTexts,
} from '../../shared/formats';
import { packTexts } from './utf8';

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

export function errorMessageOf(error: unknown): ErrorMessage {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}
