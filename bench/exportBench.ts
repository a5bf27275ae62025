import { performance } from 'node:perf_hooks';
import { BUILT_IN_TEMPLATES, type Keyframe, type Track } from '../src/shared/domain/labels';
import {
  cocoKeypointsChunks,
  cvatVideoXmlChunks,
  exportLabelsFor,
  type ClipLabels,
} from '../src/shared/formats';

const labels = exportLabelsFor(BUILT_IN_TEMPLATES);

/**
 * A synthetic clip as the store would return it: `tracks` person tracks of COCO-17, keyframes every
 * 10 frames spanning the whole clip (so 9 of 10 frames are interpolated), built on demand so the
 * bench holds one clip at a time, as the export service will.
 */
function makeClip(index: number, frames: number, tracks: number): ClipLabels {
  const made: Track[] = [];
  for (let t = 0; t < tracks; t++) {
    const keyframes: Keyframe[] = [];
    for (let frame = 0; frame < frames; frame += 10) {
      keyframes.push({
        frame,
        points: Array.from({ length: 17 }, (_, i) => ({
          x: 100 + t * 50 + i * 3 + Math.sin(frame / 7) * 20,
          y: 200 + i * 11 + Math.cos(frame / 5) * 15,
          visibility: i % 6 === 5 ? ('occluded' as const) : ('visible' as const),
          source: 'manual' as const,
        })),
      });
    }
    const lastFrame = keyframes[keyframes.length - 1]?.frame ?? 0;
    if (lastFrame !== frames - 1) {
      keyframes.push({ ...(keyframes[0] as Keyframe), frame: frames - 1 });
    }
    made.push({
      id: `t${t}`,
      kind: 'person',
      templateId: 'coco17-body',
      label: `Person ${t}`,
      color: '#ff0000',
      keyframes,
    });
  }
  return {
    videoId: `clip_${String(index).padStart(5, '0')}`,
    width: 1080,
    height: 1920,
    frameTimes: Array.from({ length: frames }, (_, i) => (i * 1001) / 30000),
    tracks: made,
  };
}

function* clips(count: number, frames: number, tracks: number): Generator<ClipLabels> {
  for (let i = 0; i < count; i++) yield makeClip(i, frames, tracks);
}

type Measured = { seconds: number; megabytes: number; peakHeapMb: number; baseHeapMb: number };

/** Consumes chunks without keeping them, sampling the heap every 10,000 chunks. */
function consume(chunks: Iterable<string>): Measured {
  globalThis.gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  let characters = 0;
  let count = 0;
  const start = performance.now();
  for (const chunk of chunks) {
    characters += chunk.length;
    if (++count % 10_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - start) / 1000;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
  return {
    seconds: Math.round(seconds * 100) / 100,
    megabytes: mb(characters),
    peakHeapMb: mb(peakHeap),
    baseHeapMb: mb(baseHeap),
  };
}

export function runExportBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const record = (prefix: string, m: Measured): void => {
    figures[`${prefix}_seconds`] = m.seconds;
    figures[`${prefix}_output_mb`] = m.megabytes;
    figures[`${prefix}_peak_heap_mb`] = m.peakHeapMb;
    figures[`${prefix}_base_heap_mb`] = m.baseHeapMb;
  };
  // 1,000,000 person-frames: 1,000 clips × 1,000 frames × 1 track.
  record(
    'coco_1000x1000x1',
    consume(
      cocoKeypointsChunks({ info: {}, categories: labels, clips: () => clips(1000, 1000, 1) }),
    ),
  );
  // The shape: 100 clips × 2,000 frames × 5 tracks (also 1,000,000 keypoint frames).
  record(
    'coco_100x2000x5',
    consume(
      cocoKeypointsChunks({ info: {}, categories: labels, clips: () => clips(100, 2000, 5) }),
    ),
  );
  // CVAT XML, one file per clip, same 1,000,000 person-frames.
  record(
    'cvat_1000x1000x1',
    consume(
      (function* () {
        for (const clip of clips(1000, 1000, 1)) {
          yield* cvatVideoXmlChunks({ task: { id: 1, name: clip.videoId }, clip, labels });
        }
      })(),
    ),
  );
  return Promise.resolve(figures);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const figures = await runExportBench();
  for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(32)} ${value}`);
}
