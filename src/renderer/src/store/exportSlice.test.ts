import { describe, expect, it } from 'vitest';
import type { ExportProgress, ExportReport } from '../../../shared/api/exportSchemas';
import { createAppStore } from './appStore';
import { fakeApiClient as fakeClient } from './fakeApiClient';

function progress(exportId: string, patch: Partial<ExportProgress>): ExportProgress {
  return {
    exportId,
    phase: 'writing',
    done: 1,
    total: 4,
    clipsExported: 2,
    clipsExcluded: 1,
    etaSeconds: 3,
    current: 'coco_keypoints.json',
    report: null,
    error: null,
    ...patch,
  };
}

describe('export slice', () => {
  it('sends the choices, follows its own export and ignores other windows’ exports', async () => {
    const fake = fakeClient({ startExport: () => ({ exportId: 'mine' }) });
    const store = createAppStore(fake.client);
    const state = store.getState;
    state().setExportChoices({ destination: ' /tmp/out ', batchIds: ['b1'] });
    state().toggleExportFormat('hands');
    await state().startExport();

    expect(fake.calls.find((c) => c.name === 'startExport')?.input).toEqual({
      batchIds: ['b1'],
      status: 'accepted',
      formats: ['coco', 'cvat', 'epic', 'provenance'],
      destination: '/tmp/out',
      includeVideos: false,
    });
    fake.push('exportProgress', progress('theirs', { done: 3 }));
    expect(state().exportProgress).toBeNull();
    fake.push('exportProgress', progress('mine', {}));
    expect(state().exportProgress?.done).toBe(1);

    const report = { exportId: 'mine', exported: [], excluded: [] } as unknown as ExportReport;
    fake.push('exportProgress', progress('mine', { phase: 'done', done: 4, report }));
    expect(state().exportRunning).toBe(false);
    expect(state().exportReport).toBe(report);
  });

  it('sends the regions the lead typed, cleaned up, only when there are some', async () => {
    const fake = fakeClient({ startExport: () => ({ exportId: 'r' }) });
    const store = createAppStore(fake.client);
    store.getState().setExportChoices({ destination: '/tmp/out', regions: ' pt, us-ca;ES ' });
    await store.getState().startExport();
    expect(fake.calls.find((c) => c.name === 'startExport')?.input).toMatchObject({
      regions: ['PT', 'US-CA', 'ES'],
    });
  });

  it('asks for blurred faces only with the videos', async () => {
    const fake = fakeClient({ startExport: () => ({ exportId: 'b' }) });
    const store = createAppStore(fake.client);
    store.getState().setExportChoices({ destination: '/tmp/out', blurFaces: true });
    await store.getState().startExport();
    expect(fake.calls.find((c) => c.name === 'startExport')?.input).not.toHaveProperty('blur');
    const withVideos = fakeClient({ startExport: () => ({ exportId: 'v' }) });
    const second = createAppStore(withVideos.client);
    second
      .getState()
      .setExportChoices({ destination: '/tmp/o', blurFaces: true, includeVideos: true });
    await second.getState().startExport();
    expect(withVideos.calls.find((c) => c.name === 'startExport')?.input).toMatchObject({
      includeVideos: true,
      blur: 'faces',
    });
  });

  it('shows a failed export as an error and stops running', async () => {
    const fake = fakeClient({ startExport: () => ({ exportId: 'x' }) });
    const store = createAppStore(fake.client);
    await store.getState().startExport();
    fake.push(
      'exportProgress',
      progress('x', { phase: 'failed', error: { code: 'DESTINATION_EXISTS', message: 'taken' } }),
    );
    expect(store.getState().exportRunning).toBe(false);
    expect(store.getState().error).toMatchObject({ code: 'DESTINATION_EXISTS', message: 'taken' });
  });

  it('cancels the export it started', async () => {
    const fake = fakeClient({
      startExport: () => ({ exportId: 'x' }),
      cancelExport: () => ({ cancelled: true }),
    });
    const store = createAppStore(fake.client);
    await store.getState().startExport();
    await store.getState().cancelExport();
    expect(fake.calls.find((c) => c.name === 'cancelExport')?.input).toEqual({ exportId: 'x' });
  });
});
