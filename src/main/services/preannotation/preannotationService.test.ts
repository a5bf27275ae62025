import { describe, expect, it } from 'vitest';
import type { PreannotationProgress } from '../../../shared/api/preannotationSchemas';
import { EventBus } from '../eventBus';
import type { FromWorker, ToWorker } from './poseWorkerProtocol';
import type { ProjectSchema } from '../../../shared/domain/labels/projectSchema';
import { effectiveScoreThreshold } from '../../../shared/api/preannotationSchemas';
import {
  framesToRun,
  modelInputSize,
  PreannotationService,
  seekSecondsFor,
} from './preannotationService';

/** A worker stand-in: records what it is sent, and lets the test answer as the thread would. */
function fakeWorker() {
  const sent: ToWorker[] = [];
  const handlers = new Map<string, (value: never) => void>();
  const worker = {
    postMessage: (message: ToWorker) => sent.push(message),
    on: (event: string, handler: (value: never) => void) => {
      handlers.set(event, handler);
      return worker;
    },
    terminate: () => Promise.resolve(0),
  };
  const emit = (event: string, value: unknown) => handlers.get(event)?.(value as never);
  return { worker, sent, reply: (message: FromWorker) => emit('message', message), emit };
}

const PROJECTS: Record<string, ProjectSchema['preannotation']> = {
  strict: { scoreThreshold: 0.8 },
  selfie: { mirroredVideo: true },
  plain: undefined,
};

function setup() {
  const fake = fakeWorker();
  const events = new EventBus();
  const seen: PreannotationProgress[] = [];
  events.subscribe((name, payload) => {
    if (name === 'preannotationProgress') seen.push(payload as PreannotationProgress);
  });
  let now = 0;
  const service = new PreannotationService({
    events,
    createWorker: () => fake.worker as never,
    now: () => now,
    store: {
      getClip: (id) =>
        id === 'c' ? { id, width: 1920, height: 1080, rotation: 90 as const } : undefined,
      getClipFilePath: (id) => (id === 'c' ? '/clips/c.mp4' : undefined),
      getFrameTable: (id) =>
        id === 'c'
          ? {
              clipId: id,
              frameTimes: Array.from({ length: 100 }, (_, i) => i / 25),
              lastFrameDurationSeconds: 0.04,
            }
          : undefined,
      getProject: (id) =>
        id in PROJECTS
          ? {
              schema: {
                version: 1,
                name: id,
                templates: [],
                taxonomy: { verbs: [], nouns: [] },
                objectClasses: [],
                allowSegmentOverlap: false,
                preannotation: PROJECTS[id],
              },
            }
          : undefined,
    },
  });
  return { service, fake, seen, tick: (ms: number) => (now += ms) };
}

describe('which frames, where to seek, what size', () => {
  it('takes every N-th frame of a range, clipped to the clip', () => {
    expect(framesToRun({ mode: 'range', from: 90, to: 200, every: 4 }, 100)).toEqual([90, 94, 98]);
    expect(framesToRun({ mode: 'current', frame: 7 }, 100)).toEqual([7]);
  });

  it('seeks halfway between a frame and the one before it (VFR included)', () => {
    expect(seekSecondsFor([0, 0.04, 0.1, 0.3], 0)).toBe(0);
    expect(seekSecondsFor([0, 0.04, 0.1, 0.3], 2)).toBeCloseTo(0.07);
    expect(seekSecondsFor([0, 0.04, 0.1, 0.3], 3)).toBeCloseTo(0.2);
  });

  it('feeds the model the displayed picture, at most 640 px, even-sized', () => {
    expect(modelInputSize(1920, 1080, 90)).toEqual({
      width: 360,
      height: 640,
      displayed: { width: 1080, height: 1920 },
    });
    expect(modelInputSize(320, 240, 0)).toMatchObject({ width: 320, height: 240 });
  });
});

describe('PreannotationService with a stand-in worker', () => {
  it('reports ETA from the frames done so far, and proposals scaled to displayed pixels', () => {
    const { service, fake, seen, tick } = setup();
    const { jobId } = service.start({
      clipId: 'c',
      frames: { mode: 'range', from: 0, to: 30, every: 10 },
      model: 'blazepose-full',
    });
    expect(fake.sent[0]).toMatchObject({ type: 'run', width: 360, height: 640 });
    fake.reply({ type: 'loaded', jobId, modelId: 'm (v)', handModelId: null, backend: 'wasm' });
    tick(200);
    const pose = { score: 1, keypoints: [{ name: 'nose', x: 180, y: 320, score: 0.9 }] };
    fake.reply({ type: 'frame', jobId, frame: 0, poses: [pose], decodeMs: 1, inferMs: 1 });
    const first = seen.at(-1);
    expect(first).toMatchObject({ phase: 'running', done: 1, total: 4, model: 'm (v)' });
    // 0.2 s per frame so far, three frames left.
    expect(first?.etaSeconds).toBeCloseTo(0.6);
    expect(first?.proposals[0]?.poses[0]?.keypoints[0]).toMatchObject({ x: 540, y: 960 });
    fake.reply({ type: 'finished', jobId, cancelled: false });
    expect(seen.at(-1)).toMatchObject({ phase: 'done', etaSeconds: 0 });
    expect(service.cancel(jobId)).toBe(false);
  });

  it('fails running jobs with WORKER_FAILED when the worker dies, and starts a new one next time', async () => {
    const { service, fake, seen } = setup();
    const { jobId } = service.start({
      clipId: 'c',
      frames: { mode: 'current', frame: 3 },
      model: 'blazepose-full',
    });
    fake.emit('error', new Error('out of memory'));
    await service.whenFinished(jobId);
    expect(seen.at(-1)).toMatchObject({
      phase: 'failed',
      error: { code: 'WORKER_FAILED', message: 'Pre-annotation stopped: out of memory' },
    });
    service.start({ clipId: 'c', frames: { mode: 'current', frame: 3 }, model: 'blazepose-full' });
    expect(fake.sent.filter((m) => m.type === 'run')).toHaveLength(2);
  });

  it('passes a model failure on with its code', () => {
    const { service, fake, seen } = setup();
    const { jobId } = service.start({
      clipId: 'c',
      frames: { mode: 'current', frame: 3 },
      model: 'movenet-multipose',
    });
    fake.reply({ type: 'failed', jobId, code: 'MODEL_FILES_MISSING', message: 'missing' });
    expect(seen.at(-1)).toMatchObject({
      phase: 'failed',
      error: { code: 'MODEL_FILES_MISSING' },
    });
  });

  it('sends cancel to the worker for a running job', () => {
    const { service, fake } = setup();
    const { jobId } = service.start({
      clipId: 'c',
      frames: { mode: 'current', frame: 3 },
      model: 'blazepose-full',
    });
    expect(service.cancel(jobId)).toBe(true);
    expect(fake.sent.at(-1)).toEqual({ type: 'cancel', jobId });
  });
});

describe('the lead’s settings: score threshold and mirrored video', () => {
  it('takes the run’s threshold, else the project’s, else 0.5', () => {
    expect(effectiveScoreThreshold(0.3, { scoreThreshold: 0.8 })).toBe(0.3);
    expect(effectiveScoreThreshold(undefined, { scoreThreshold: 0.8 })).toBe(0.8);
    expect(effectiveScoreThreshold(undefined, {})).toBe(0.5);
    expect(effectiveScoreThreshold(undefined, undefined)).toBe(0.5);
    // 0 is a threshold (everything comes in labeled), not "unset".
    expect(effectiveScoreThreshold(undefined, { scoreThreshold: 0 })).toBe(0);
  });

  it('reports the project’s threshold on every event of its job, unless the run overrides it', () => {
    const { service, seen } = setup();
    const frames = { mode: 'current', frame: 0 } as const;
    service.start({ clipId: 'c', frames, model: 'blazepose-full', projectId: 'strict' });
    expect(seen.at(-1)?.scoreThreshold).toBe(0.8);
    service.start({
      clipId: 'c',
      frames,
      model: 'blazepose-full',
      projectId: 'strict',
      scoreThreshold: 0.25,
    });
    expect(seen.at(-1)?.scoreThreshold).toBe(0.25);
    service.start({ clipId: 'c', frames, model: 'blazepose-full', projectId: 'plain' });
    expect(seen.at(-1)?.scoreThreshold).toBe(0.5);
    service.start({ clipId: 'c', frames, model: 'blazepose-full' });
    expect(seen.at(-1)?.scoreThreshold).toBe(0.5);
  });

  it('asks the worker for hands with either model (the palm detector needs no body), and names the hand models', () => {
    const { service, fake, seen } = setup();
    const frames = { mode: 'current', frame: 0 } as const;
    service.start({ clipId: 'c', frames, model: 'blazepose-full' });
    expect(fake.sent.at(-1)).toMatchObject({ type: 'run', hands: true });
    expect(seen.at(-1)?.handModel).toMatch(
      /^hand-landmark-full \(@vladmandic\/human-models@[\d.]+\) \+ palm-detection \(@vladmandic\/human-models@/,
    );
    service.start({ clipId: 'c', frames, model: 'movenet-multipose' });
    expect(fake.sent.at(-1)).toMatchObject({ type: 'run', hands: true });
    expect(seen.at(-1)?.handModel).toMatch(/palm-detection/);
    service.start({ clipId: 'c', frames, model: 'blazepose-full', hands: false });
    expect(fake.sent.at(-1)).toMatchObject({ type: 'run', hands: false });
  });

  it('swaps hand sides for a mirrored project’s clips, and keeps them otherwise', () => {
    const hand = (side: 'left' | 'right', x: number) => ({
      side,
      score: 0.9,
      keypoints: [{ name: 'wrist', x, y: 10, score: 0.9 }],
    });
    const pose = { score: 1, keypoints: [], hands: [hand('left', 100), hand('right', 200)] };
    const sidesFor = (projectId: string) => {
      const { service, fake, seen } = setup();
      const { jobId } = service.start({
        clipId: 'c',
        frames: { mode: 'current', frame: 0 },
        model: 'blazepose-full',
        projectId,
      });
      fake.reply({ type: 'frame', jobId, frame: 0, poses: [pose], decodeMs: 1, inferMs: 1 });
      // Displayed pixels are 3× the worker's on this clip (1080 wide shown, 360 decoded).
      return seen.at(-1)?.proposals[0]?.poses[0]?.hands?.map((h) => [h.side, h.keypoints[0]?.x]);
    };
    expect(sidesFor('plain')).toEqual([
      ['left', 300],
      ['right', 600],
    ]);
    expect(sidesFor('selfie')).toEqual([
      ['right', 300],
      ['left', 600],
    ]);
  });
});
