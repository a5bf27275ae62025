import type { FileText, PackedTexts } from '../../shared/formats';

/**
 * Text to UTF-8 in one pass (`TextEncoder.encodeInto`): room for one byte per character, all
 * ASCII needs, grown when the text needs more. Measuring each string first
 * (`Buffer.byteLength`) and then writing it was a second pass over megabytes per clip.
 */
const encoder = new TextEncoder();

class Utf8Builder {
  bytes: Uint8Array;
  at = 0;

  constructor(room: number) {
    this.bytes = new Uint8Array(room);
  }

  text(text: string): void {
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.bytes.subarray(this.at));
      this.at += written;
      if (read === rest.length) return;
      // Characters beyond ASCII take 2–4 bytes: at most 3 per UTF-16 unit left.
      rest = rest.slice(read);
      this.#grow(rest.length * 3);
    }
  }

  raw(bytes: Uint8Array): void {
    if (this.at + bytes.byteLength > this.bytes.length) this.#grow(bytes.byteLength);
    this.bytes.set(bytes, this.at);
    this.at += bytes.byteLength;
  }

  /** The bytes written, in an ArrayBuffer of their own (movable to another thread). */
  done(): Uint8Array {
    return this.at === this.bytes.length ? this.bytes : this.bytes.slice(0, this.at);
  }

  #grow(more: number): void {
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + more));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }
}

/** The items as UTF-8, one after another, with where each ends. */
export function packTexts(items: readonly string[]): PackedTexts {
  const ends = new Uint32Array(items.length);
  let room = 0;
  for (const item of items) room += item.length;
  const builder = new Utf8Builder(room);
  for (let i = 0; i < items.length; i++) {
    builder.text(items[i] as string);
    ends[i] = builder.at;
  }
  return { bytes: builder.done(), ends };
}

/** Pieces of a file (strings, or bytes already encoded) as one block of UTF-8. */
export function utf8Block(pieces: readonly FileText[]): Uint8Array {
  let room = 0;
  for (const piece of pieces) room += piece.length;
  const builder = new Utf8Builder(room);
  for (const piece of pieces) {
    if (typeof piece === 'string') builder.text(piece);
    else builder.raw(piece);
  }
  return builder.done();
}
