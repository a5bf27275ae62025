import { describe, expect, it, vi } from 'vitest';
import type { PreannotationProgress } from '../../../shared/api/preannotationSchemas';
import { MEDIAPIPE_HAND_KEYPOINTS } from '../../../shared/domain/labels/projectSchema';
import type { Clip } from '../../../shared/api/schemas';
import { EMPTY_LABELS, keyframeAt, parseProjectSchema } from '../../../shared/domain/labels';
import sampleProject from '../../../../resources/project.sample.json';
import { createAppStore } from './appStore';
import { fakeApiClient } from './fakeApiClient';
import type { ModelHand, ModelPose } from '../../../shared/domain/modelPose';

const parsed = parseProjectSchema(JSON.stringify(sampleProject));
if (!parsed.ok) throw new Error(parsed.message);
const project = { id: 'p', name: 'Sample', version: 1, schema: parsed.project };

/** Answers the calls a clip's labels and a pre-annotation job need. */
function fakeClient() {
  let seq = 0;
  const fake = fakeApiClient({
    openAnnotationSet: () => ({
      id: 's1',
      clipId: 'c1',
      annotator: 'me',
      projectId: 'p',
      status: 'in_progress',
      revision: 0,
      seq: 0,
      updatedAt: '2026-01-01T00:00:00Z',
    }),
    getProject: () => project,
    loadLabels: () => ({ setId: 's1', seq: 0, doc: EMPTY_LABELS }),
    applyLabelEdit: () => ({ seq: ++seq }),
    startPreannotation: () => ({ jobId: 'job1' }),
    cancelPreannotation: () => ({ cancelled: true }),
  });
  return {
    ...fake,
    push: (payload: PreannotationProgress) => fake.push('preannotationProgress', payload),
  };
}

function pose(x: number, score = 0.9): ModelPose {
  const names = [
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
    'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle',
  ]; // prettier-ignore
  return {
    score,
    keypoints: names.map((name, i) => ({ name, x: x + (i % 3) * 10, y: 20 + i * 15, score })),
  };
}

function hand(side: 'left' | 'right', x: number, score = 0.9): ModelHand {
  return {
    side,
    score,
    keypoints: MEDIAPIPE_HAND_KEYPOINTS.map((name, i) => ({ name, x: x + i, y: 200 + i, score })),
  };
}

function event(patch: Partial<PreannotationProgress>): PreannotationProgress {
  return {
    jobId: 'job1',
    clipId: 'c1',
    phase: 'running',
    done: 1,
    total: 2,
    etaSeconds: 1,
    model: 'blazepose-full (test)',
    handModel: 'hand-landmark-full (test)',
    backend: 'wasm',
    scoreThreshold: 0.5,
    proposals: [],
    error: null,
    ...patch,
  };
}

async function openClip() {
  const fake = fakeClient();
  const store = createAppStore(fake.client);
  store.setState({ playerClip: { id: 'c1' } as Clip, currentFrame: 4 });
  await store.getState().openLabels('c1', 100);
  return { store, fake };
}

describe('preannotation slice', () => {
  it('asks for every N-th frame of the range, then applies each frame’s proposals as one undoable edit', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    state().setPreannotationChoices({ scope: 'range', from: 0, to: 20, every: 10 });
    await state().startPreannotation();
    expect(fake.calls.find((c) => c.name === 'startPreannotation')?.input).toEqual({
      clipId: 'c1',
      model: 'blazepose-full',
      // The set's project: the service reads the lead's threshold from it.
      projectId: 'p',
      frames: { mode: 'range', from: 0, to: 20, every: 10 },
    });

    fake.push(event({ proposals: [{ frame: 0, poses: [pose(100)] }] }));
    fake.push(event({ done: 2, proposals: [{ frame: 10, poses: [pose(104)] }] }));
    fake.push(event({ phase: 'done', done: 2, etaSeconds: 0 }));

    const tracks = state().labels.tracks;
    expect(tracks).toHaveLength(1);
    const track = tracks[0];
    if (!track) throw new Error('no track');
    expect(track.keyframes.map((k) => k.frame)).toEqual([0, 10]);
    expect(keyframeAt(track, 10)?.points[0]).toMatchObject({ source: 'model', x: 104, score: 0.9 });
    expect(state().preannotationRunning).toBe(false);
    expect(state().preannotationApplied).toBe(2);
    // Saved through the same queue as every edit (one at a time, in order).
    await vi.waitFor(() => {
      expect(fake.calls.filter((c) => c.name === 'applyLabelEdit')).toHaveLength(2);
    });

    state().undoLabels();
    expect(state().labels.tracks[0]?.keyframes.map((k) => k.frame)).toEqual([0]);
  });

  it('applies events that arrive before the job id, once, and ignores other jobs', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    const started = state().startPreannotation();
    fake.push(event({ proposals: [{ frame: 4, poses: [pose(50)] }] }));
    fake.push(event({ jobId: 'someone-else', proposals: [{ frame: 5, poses: [pose(50)] }] }));
    await started;
    expect(state().labels.tracks).toHaveLength(1);
    expect(state().labels.tracks[0]?.keyframes.map((k) => k.frame)).toEqual([4]);
  });

  it('A accepts the selected track’s model pose on this frame; moving is then manual work', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    await state().startPreannotation();
    fake.push(event({ proposals: [{ frame: 4, poses: [pose(50, 0.3), pose(300)] }] }));
    // Pose 1 has no point above the 0.5 threshold: nothing for it; pose 2 makes a track.
    expect(state().labels.tracks).toHaveLength(1);
    expect(state().selection.trackId).toBe(state().labels.tracks[0]?.id);
    state().acceptPose();
    const points = state().labels.tracks[0]?.keyframes[0]?.points ?? [];
    expect(points.every((p) => p?.source === 'manual')).toBe(true);
    state().acceptPose();
    expect(state().labelNotice).toMatch(/no model proposal/);
    state().undoLabels();
    expect(state().labels.tracks[0]?.keyframes[0]?.points[0]?.source).toBe('model');
  });

  it('Shift+A accepts every proposal of the track, on every frame, as one undoable edit', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    await state().startPreannotation();
    fake.push(event({ proposals: [{ frame: 4, poses: [pose(300)] }] }));
    fake.push(event({ proposals: [{ frame: 6, poses: [pose(302)] }] }));
    const modelPoints = () =>
      (state().labels.tracks[0]?.keyframes ?? []).flatMap((k) =>
        k.points.filter((p) => p?.source === 'model'),
      ).length;
    expect(state().labels.tracks[0]?.keyframes.map((k) => k.frame)).toEqual([4, 6]);
    const before = modelPoints();
    expect(before).toBeGreaterThan(0);
    state().acceptProposals('track');
    expect(modelPoints()).toBe(0);
    expect(state().labelNotice).toMatch(/^Accepted \d+ model points on 2 keyframes of /);
    state().undoLabels();
    expect(modelPoints()).toBe(before);
  });

  it('never asks MoveNet for hands, whatever the hands box said under BlazePose', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    state().setPreannotationChoices({ model: 'movenet-multipose', hands: true });
    await state().startPreannotation();
    expect(fake.calls.find((c) => c.name === 'startPreannotation')?.input).toMatchObject({
      model: 'movenet-multipose',
      hands: false,
    });
  });

  it('starts afresh on the next clip: no range, progress or counts from the last one', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    state().setPreannotationChoices({ scope: 'range', from: 10, to: 40, model: 'blazepose-heavy' });
    await state().startPreannotation();
    fake.push(event({ phase: 'done', done: 2, total: 2, proposals: [] }));
    expect(state().preannotationProgress?.phase).toBe('done');
    store.setState({ playerClip: { id: 'c2' } as Clip });
    await state().openLabels('c2', 100);
    expect(state().preannotationProgress).toBeNull();
    expect(state().preannotationChoices).toMatchObject({
      scope: 'current',
      from: 0,
      to: 0,
      model: 'blazepose-heavy',
    });
  });

  it('drops proposals for a clip that is no longer open', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    await state().startPreannotation();
    fake.push(event({ clipId: 'other', proposals: [{ frame: 4, poses: [pose(50)] }] }));
    expect(state().labels.tracks).toHaveLength(0);
  });

  it('puts each hand on a left- or right-hand track, with the body, as one undoable edit', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    await state().startPreannotation();
    const person = { ...pose(100), hands: [hand('left', 300), hand('right', 50)] };
    fake.push(event({ proposals: [{ frame: 4, poses: [person] }] }));
    const kinds = state().labels.tracks.map((t) => [t.kind, t.templateId, t.label]);
    expect(kinds).toEqual([
      ['person', 'coco17-body', 'Person 1'],
      ['left_hand', 'mediapipe21-left-hand', 'Left hand 1'],
      ['right_hand', 'mediapipe21-right-hand', 'Right hand 1'],
    ]);
    const left = state().labels.tracks[1];
    expect(left?.keyframes[0]?.points[0]).toMatchObject({
      source: 'model',
      model: 'hand-landmark-full (test)',
      x: 300,
      visibility: 'visible',
    });
    // The next keyframe's hands land on the same hand tracks, not new ones.
    const moved = { ...pose(102), hands: [hand('left', 303), hand('right', 52)] };
    fake.push(event({ proposals: [{ frame: 8, poses: [moved] }] }));
    expect(state().labels.tracks).toHaveLength(3);
    expect(state().labels.tracks[2]?.keyframes.map((k) => k.frame)).toEqual([4, 8]);
    state().undoLabels();
    state().undoLabels();
    expect(state().labels.tracks).toHaveLength(0);
  });

  it('judges points by the threshold the service reports (the project’s), not a constant', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    await state().startPreannotation();
    // Scored 0.6: visible under the default 0.5, not under a lead's 0.7.
    const person = { ...pose(100, 0.9), hands: [hand('left', 300, 0.6)] };
    fake.push(event({ scoreThreshold: 0.7, proposals: [{ frame: 4, poses: [person] }] }));
    expect(state().labels.tracks.map((t) => t.kind)).toEqual(['person']);
  });

  it('sends a run’s own threshold only when the annotator typed one', async () => {
    const { store, fake } = await openClip();
    const state = store.getState;
    state().setPreannotationChoices({ scoreThreshold: 0.3, hands: false });
    await state().startPreannotation();
    expect(fake.calls.find((c) => c.name === 'startPreannotation')?.input).toMatchObject({
      scoreThreshold: 0.3,
      hands: false,
      projectId: 'p',
    });
  });
});
