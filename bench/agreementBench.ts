import { performance } from 'node:perf_hooks';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  type Keyframe,
  type LabelsDocument,
  type Segment,
  type Track,
} from '../src/shared/domain/labels';
import { documentAgreement } from '../src/shared/domain/metrics';

const FRAMES = 30 * 60 * 30; // 30 minutes at 30 fps
const TRACKS = 5;
const KEYFRAME_EVERY = 10;
const SEGMENTS = 600;

/** One annotator's labels of the clip: `jitter` moves every point, as two people never agree. */
function annotation(prefix: string, jitter: number): LabelsDocument {
  const tracks: Track[] = [];
  for (let t = 0; t < TRACKS; t++) {
    const keyframes: Keyframe[] = [];
    for (let frame = 0; frame < FRAMES; frame += KEYFRAME_EVERY) {
      keyframes.push({
        frame,
        points: Array.from({ length: 17 }, (_, i) => ({
          x: 200 + t * 300 + (i % 4) * 25 + Math.sin(frame / 40 + i) * 30 + jitter * Math.cos(i),
          y: 150 + i * 30 + Math.cos(frame / 30) * 20 + jitter * Math.sin(i),
          visibility: i % 7 === 3 ? ('occluded' as const) : ('visible' as const),
          source: 'manual' as const,
        })),
      });
    }
    tracks.push({
      id: `${prefix}-${t}`,
      kind: 'person',
      templateId: COCO_BODY_TEMPLATE_ID,
      label: `Person ${t + 1}`,
      color: '#336699',
      keyframes,
    });
  }
  const length = Math.floor(FRAMES / SEGMENTS);
  const segments: Segment[] = Array.from({ length: SEGMENTS }, (_, s) => ({
    id: `${prefix}-s${s}`,
    startFrame: s * length + (jitter > 0 ? 3 : 0),
    endFrame: (s + 1) * length - 1,
    verbId: s % 12,
    nounId: s % 20,
    actor: 'camera_wearer',
    note: '',
  }));
  return { tracks, segments, contacts: [] };
}

/** Agreement of two annotations of a 30-minute clip with 5 person tracks (issue 6's figure). */
export function runAgreementBench(): Promise<Record<string, number>> {
  const a = annotation('a', 0);
  const b = annotation('b', 4);
  const times: number[] = [];
  let oks = 0;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    const result = documentAgreement(a, b, BUILT_IN_TEMPLATES, FRAMES);
    times.push(performance.now() - started);
    oks = result.oks ?? 0;
  }
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const frameTracks = FRAMES * TRACKS;
  return Promise.resolve({
    frames: FRAMES,
    tracks: TRACKS,
    segments_per_annotator: SEGMENTS,
    comparison_ms_median: Math.round(median),
    comparison_ms_min: Math.round(times[0] ?? 0),
    pose_frames_per_second: Math.round(frameTracks / (median / 1000)),
    mean_oks: Number(oks.toFixed(4)),
  });
}
