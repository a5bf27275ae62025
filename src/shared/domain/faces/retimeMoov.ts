/**
 * Gives an MP4's single video track new frame times by rewriting its moov box: the decoding time
 * table (stts, ISO/IEC 14496-12 §8.6.1.2) gets one delta per frame, and mvhd, tkhd and mdhd the
 * matching duration. Used on a copy that ffmpeg encoded from raw frames (which carry no times)
 * with `-bf 0 -use_editlist 0`: no B-frames, so presentation = decoding time, no ctts, no edit
 * list; with moov written after mdat, a moov that changes size moves no sample, so chunk offsets
 * stay right. Returns the new moov bytes, or a reason it cannot.
 */
export function retimeMoov(
  moov: Uint8Array,
  /** Each frame's presentation time in the track's timescale, ascending, the first 0. */
  ticks: readonly number[],
  timescale: number,
): { moov: Uint8Array } | { refused: string } {
  if (ticks.length === 0) return { refused: 'the clip has no frames' };
  if (ticks[0] !== 0) return { refused: 'the first frame is not at time 0' };
  const deltas: number[] = [];
  for (let i = 1; i < ticks.length; i += 1) {
    const delta = (ticks[i] as number) - (ticks[i - 1] as number);
    if (!Number.isInteger(delta) || delta <= 0) {
      return { refused: `frame ${i} is not after frame ${i - 1} in whole ticks` };
    }
    deltas.push(delta);
  }
  // The last frame lasts as long as the one before it (a one-frame clip: one tick).
  deltas.push(deltas[deltas.length - 1] ?? 1);
  const total = deltas.reduce((sum, d) => sum + d, 0);

  const root = childrenOf(moov, 0, moov.byteLength)[0];
  if (root?.type !== 'moov') return { refused: 'no moov box' };
  const traks = childrenOf(moov, root.start, root.end).filter((b) => b.type === 'trak');
  if (traks.length !== 1) return { refused: `the copy has ${traks.length} tracks, not one` };
  const trak = traks[0] as Box;
  const mdia = find(moov, trak, 'mdia');
  const minf = mdia && find(moov, mdia, 'minf');
  const stbl = minf && find(moov, minf, 'stbl');
  const stts = stbl && find(moov, stbl, 'stts');
  const mdhd = mdia && find(moov, mdia, 'mdhd');
  const tkhd = find(moov, trak, 'tkhd');
  const mvhd = find(moov, root, 'mvhd');
  if (!stbl || !stts || !mdhd || !tkhd || !mvhd)
    return { refused: 'the track tables are incomplete' };
  if (find(moov, stbl, 'ctts') || find(moov, trak, 'edts')) {
    return { refused: 'the copy has B-frames or an edit list' };
  }
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const mdhdVersion = moov[mdhd.start] ?? 0;
  const mediaTimescale = view.getUint32(mdhd.start + (mdhdVersion === 1 ? 20 : 12));
  if (mediaTimescale !== timescale) {
    return { refused: `the copy's timescale is ${mediaTimescale}, not ${timescale}` };
  }
  const sampleCount = sttsSampleCount(view, stts);
  if (sampleCount !== ticks.length) {
    return { refused: `the copy has ${sampleCount} frames where the clip has ${ticks.length}` };
  }

  // Run-length entries: (sample_count, sample_delta).
  const runs: [number, number][] = [];
  for (const delta of deltas) {
    const last = runs[runs.length - 1];
    if (last && last[1] === delta) last[0] += 1;
    else runs.push([1, delta]);
  }
  const newStts = new Uint8Array(16 + runs.length * 8);
  const sv = new DataView(newStts.buffer);
  sv.setUint32(0, newStts.byteLength);
  newStts.set([0x73, 0x74, 0x74, 0x73], 4); // 'stts'
  sv.setUint32(8, 0); // version 0, flags 0
  sv.setUint32(12, runs.length);
  runs.forEach(([count, delta], i) => {
    sv.setUint32(16 + i * 8, count);
    sv.setUint32(20 + i * 8, delta);
  });

  const out = new Uint8Array(moov.byteLength - (stts.end - stts.at) + newStts.byteLength);
  out.set(moov.subarray(0, stts.at), 0);
  out.set(newStts, stts.at);
  out.set(moov.subarray(stts.end), stts.at + newStts.byteLength);
  const ov = new DataView(out.buffer);
  const growth = newStts.byteLength - (stts.end - stts.at);
  for (const ancestor of [root, trak, mdia, minf, stbl]) {
    if (ancestor.header !== 8) return { refused: 'a 64-bit box size in the track tables' };
    ov.setUint32(ancestor.at, ov.getUint32(ancestor.at) + growth);
  }
  // Durations: all three boxes sit before stts, so their offsets did not move.
  const movieTimescale = ov.getUint32(mvhd.start + ((moov[mvhd.start] ?? 0) === 1 ? 20 : 12));
  const movieDuration = Math.round((total / timescale) * movieTimescale);
  setDuration(ov, out, mdhd.start, 'mdhd', total);
  setDuration(ov, out, mvhd.start, 'mvhd', movieDuration);
  setDuration(ov, out, tkhd.start, 'tkhd', movieDuration);
  return { moov: out };
}

type Box = { type: string; at: number; header: number; start: number; end: number };

function childrenOf(bytes: Uint8Array, start: number, end: number): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12);
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) break;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    boxes.push({ type, at, header, start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

function find(bytes: Uint8Array, parent: Box, type: string): Box | undefined {
  return childrenOf(bytes, parent.start, parent.end).find((b) => b.type === type);
}

function sttsSampleCount(view: DataView, stts: Box): number {
  const entries = view.getUint32(stts.start + 4);
  let count = 0;
  for (let i = 0; i < entries; i += 1) count += view.getUint32(stts.start + 8 + i * 8);
  return count;
}

/** Duration field of mvhd/mdhd (after times and timescale) or tkhd (after times, id, reserved). */
function setDuration(
  view: DataView,
  bytes: Uint8Array,
  start: number,
  type: string,
  value: number,
): void {
  const v1 = (bytes[start] ?? 0) === 1;
  const offset = type === 'tkhd' ? (v1 ? 28 : 20) : v1 ? 24 : 16;
  if (v1) {
    view.setUint32(start + offset, Math.floor(value / 2 ** 32));
    view.setUint32(start + offset + 4, value >>> 0);
  } else view.setUint32(start + offset, Math.min(value, 0xffffffff));
}
