import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLoopbackHost } from '../src/main/host/loopbackHost';
import { createServices } from '../src/main/services/createServices';
import { DEFAULT_PROJECT_ID } from '../src/main/services/labels/defaultProject';
import type { Store } from '../src/main/services/store/Store';
import type { Envelope } from '../src/shared/api/contract';
import type { ProbeResult } from '../src/shared/api/schemas';
import {
  COCO_BODY_TEMPLATE_ID,
  LEFT_HAND_TEMPLATE_ID,
  RIGHT_HAND_TEMPLATE_ID,
  type Command,
  type Keypoint,
  type TrackKind,
} from '../src/shared/domain/labels';
import { seededRandom } from '../tests/integration/labelEditScript';

const FRAME_COUNT = 1800; // one minute at 30 fps
const KEYFRAMES_PER_TRACK = 45; // 7 tracks: 315 keyframes, 19,845 stored points
const EDITS = 1000;
const WARMUP = 50;

const TRACKS: readonly { kind: TrackKind; templateId: string; points: number }[] = [
  ...Array.from({ length: 5 }, () => ({
    kind: 'person' as const,
    templateId: COCO_BODY_TEMPLATE_ID,
    points: 17,
  })),
  { kind: 'left_hand', templateId: LEFT_HAND_TEMPLATE_ID, points: 21 },
  { kind: 'right_hand', templateId: RIGHT_HAND_TEMPLATE_ID, points: 21 },
];

function probe(): ProbeResult {
  const frameTimes = Array.from({ length: FRAME_COUNT }, (_, i) => i / 30);
  return {
    container: 'mp4',
    codec: 'avc1.64001f',
    codecFamily: 'h264',
    width: 1920,
    height: 1080,
    rotation: 0,
    durationSeconds: FRAME_COUNT / 30,
    frameCount: FRAME_COUNT,
    frameTableSource: 'mp4box',
    flagged: { location: null, make: null, model: null, creationTime: null },
    frameTimes,
    lastFrameDurationSeconds: 1 / 30,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function figures(prefix: string, samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    [`${prefix}_p50_ms`]: round(percentile(sorted, 50)),
    [`${prefix}_p95_ms`]: round(percentile(sorted, 95)),
    [`${prefix}_max_ms`]: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** Keyframe frames of each track, evenly spread over the clip. */
const keyframeFrames = Array.from({ length: KEYFRAMES_PER_TRACK }, (_, i) =>
  Math.floor((i * FRAME_COUNT) / KEYFRAMES_PER_TRACK),
);

/** The edits an annotator makes most: dragging a point (80 %) and setting a whole pose (20 %). */
function typicalEdits(random: () => number): () => Command {
  const point = (): Keypoint => ({
    x: Math.round(random() * 192000) / 100,
    y: Math.round(random() * 108000) / 100,
    visibility: random() < 0.9 ? 'visible' : 'occluded',
    source: 'manual',
  });
  return () => {
    const t = Math.floor(random() * TRACKS.length);
    const plan = TRACKS[t];
    if (!plan) throw new Error(`No track ${t}`);
    const frame = keyframeFrames[Math.floor(random() * keyframeFrames.length)] ?? 0;
    if (random() < 0.8) {
      const index = Math.floor(random() * plan.points);
      return { type: 'setPoint', trackId: `track-${t}`, frame, index, point: point() };
    }
    return {
      type: 'setKeyframe',
      trackId: `track-${t}`,
      keyframe: { frame, points: Array.from({ length: plan.points }, point) },
    };
  };
}

/** A clip and a set holding the realistic document; returns the set id and its seq. */
function seedSet(store: Store, folder: string, annotator: string): { setId: string; seq: number } {
  const batch = store.media.upsertBatch({ folder, name: 'bench', manifest: null }, annotator);
  const clip = store.media.addClip(
    {
      batchId: batch.id,
      relativePath: 'clip.mp4',
      filePath: join(folder, 'clip.mp4'),
      sizeBytes: 1,
      mtimeMs: 0,
      fingerprint: `bench-${folder}`,
      expectedSha256: null,
      probe: probe(),
    },
    annotator,
  );
  const set = store.labels.openAnnotationSet(clip.id, annotator, DEFAULT_PROJECT_ID);
  const random = seededRandom(7);
  const seed: Command[] = TRACKS.map((plan, t) => ({
    type: 'addTrack',
    track: {
      id: `track-${t}`,
      kind: plan.kind,
      templateId: plan.templateId,
      label: `Track ${t + 1}`,
      color: '#3366cc',
      keyframes: keyframeFrames.map((frame) => ({
        frame,
        points: Array.from({ length: plan.points }, () => ({
          x: Math.round(random() * 192000) / 100,
          y: Math.round(random() * 108000) / 100,
          visibility: 'visible' as const,
          source: 'manual' as const,
        })),
      })),
    },
  }));
  let seq = set.seq;
  for (const command of seed)
    seq = store.labels.applyLabelEdit(set.id, command, seq, annotator).seq;
  return { setId: set.id, seq };
}

/**
 * Edit to durable: the time from `applyLabelEdit` to its committed (synchronous=FULL)
 * transaction, on a set of 5 people × 17 points and 2 hands × 21 points over 315 keyframes.
 * `store_*` calls the store in process; `http_*` is the whole loopback round trip a browser
 * client makes (request, parse, commit, answer).
 */
export async function runEditDurabilityBench(workDir: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(resolve(workDir), 'edit-durability-'));
  const services = createServices({ databasePath: join(dir, 'framewise.sqlite'), actor: 'bench' });
  try {
    const { store } = services;
    const next = typicalEdits(seededRandom(11));

    const inProcess = seedSet(store, join(dir, 'in-process'), 'bench');
    let seq = inProcess.seq;
    const storeSamples: number[] = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
      const command = next();
      const started = performance.now();
      seq = store.labels.applyLabelEdit(inProcess.setId, command, seq, 'bench').seq;
      if (i >= WARMUP) storeSamples.push(performance.now() - started);
    }

    // The HTTP set belongs to the services' actor, as one the renderer opened would.
    const overHttp = seedSet(store, join(dir, 'http'), 'bench');
    const host = await startLoopbackHost({ services, rendererDir: null });
    const httpSamples: number[] = [];
    try {
      let httpSeq = overHttp.seq;
      for (let i = 0; i < WARMUP + EDITS; i++) {
        const command = next();
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${host.port}/api/applyLabelEdit`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ setId: overHttp.setId, command, expectedSeq: httpSeq }),
        });
        const envelope = (await response.json()) as Envelope<{ seq: number }>;
        if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
        if (i >= WARMUP) httpSamples.push(performance.now() - started);
        httpSeq = envelope.value.seq;
      }
    } finally {
      await host.close();
    }

    return {
      ...figures('store', storeSamples),
      ...figures('http', httpSamples),
      edits: EDITS,
      keyframes: TRACKS.length * KEYFRAMES_PER_TRACK,
    };
  } finally {
    services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
