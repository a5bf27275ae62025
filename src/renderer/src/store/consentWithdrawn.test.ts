import { describe, expect, it } from 'vitest';
import type { ConsentWithdrawn } from '../../../shared/api/governanceSchemas';
import type { Clip } from '../../../shared/api/schemas';
import { EMPTY_LABELS, parseProjectSchema } from '../../../shared/domain/labels';
import sampleProject from '../../../../resources/project.sample.json';
import { createAppStore } from './appStore';
import { fakeApiClient } from './fakeApiClient';

const parsed = parseProjectSchema(JSON.stringify(sampleProject));
if (!parsed.ok) throw new Error(parsed.message);
const project = { id: 'p', name: 'Sample', version: 1, schema: parsed.project };
const LABELED = { ...EMPTY_LABELS, tracks: [] };

/** Answers what opening a clip's labels and going back to its batch need. */
function fakeClient() {
  const fake = fakeApiClient({
    openAnnotationSet: () => ({
      id: 's1',
      clipId: 'c1',
      annotator: 'me',
      projectId: 'p',
      status: 'in_progress',
      revision: 0,
      seq: 3,
      updatedAt: '2026-01-01T00:00:00Z',
    }),
    getProject: () => project,
    loadLabels: () => ({ setId: 's1', seq: 3, doc: LABELED }),
    listBatches: () => [],
    listClips: () => ({ clips: [], fileErrors: [] }),
    getFaceRegions: () => ({
      scan: null,
      tracks: [{ id: 'face-1', source: 'detector', removed: false, boxes: [] }],
    }),
  });
  return { ...fake, push: (payload: ConsentWithdrawn) => fake.push('consentWithdrawn', payload) };
}

describe('a consent withdrawal pushed to the window', () => {
  it('closes the clip being labeled, forgets its labels and says why', async () => {
    const fake = fakeClient();
    const store = createAppStore(fake.client);
    store.getState().showClip('b1', 'c1');
    store.setState({ playerClip: { id: 'c1' } as Clip });
    await store.getState().openLabels('c1', 100);
    await store.getState().loadFaceRegions('c1');
    expect(store.getState().labelSet?.id).toBe('s1');
    expect(store.getState().faceRegions?.tracks).toHaveLength(1);

    fake.push({ clipIds: ['c9', 'c1'], reason: 'contributor asked' });

    const state = store.getState();
    expect(state.screen).toEqual({ name: 'batch', batchId: 'b1' });
    expect(state.labelSet).toBeNull();
    expect(state.labels).toBe(EMPTY_LABELS);
    expect(state.faceRegions).toBeNull();
    expect(state.undoStack.past.length + state.undoStack.future.length).toBe(0);
    expect(state.error).toMatchObject({ code: 'CONSENT_WITHDRAWN' });
    expect(state.error?.message).toContain('contributor asked');
    // No edit for the purged set is sent afterwards: the save queue is gone with the labels.
    expect(state.editLabels({ type: 'addTrack' } as never)).toBe(false);
    expect(fake.names()).not.toContain('applyLabelEdit');
  });

  it('leaves another clip open and only refreshes the list that shows a purged clip', () => {
    const fake = fakeClient();
    const store = createAppStore(fake.client);
    store.getState().showClip('b1', 'c2');
    fake.push({ clipIds: ['c1'], reason: null });
    expect(store.getState().screen).toEqual({ name: 'clip', batchId: 'b1', clipId: 'c2' });
    expect(store.getState().error).toBeNull();
  });

  it('does not open a clip withdrawn earlier: back to its batch, saying why', async () => {
    const refusal = {
      code: 'CONSENT_WITHDRAWN',
      message: 'The contributor withdrew consent for this clip: it can no longer be opened.',
    };
    const fake = fakeApiClient({
      getClip: () => ({ id: 'c1' }),
      getFrameTable: () => Promise.reject(Object.assign(new Error(refusal.message), refusal)),
      listClips: () => [],
      listFileErrors: () => [],
    });
    const store = createAppStore(fake.client);
    store.getState().showClip('b1', 'c1');
    await store.getState().loadClip('c1');
    expect(store.getState().screen).toEqual({ name: 'batch', batchId: 'b1' });
    expect(store.getState().playerClip).toBeNull();
    expect(store.getState().error).toMatchObject({ code: 'CONSENT_WITHDRAWN' });
    expect(fake.names()).not.toContain('openAnnotationSet');
  });
});
