import { describe, expect, it } from 'vitest';
import type { Batch, Clip } from '../api/schemas';
import { privacyReportOf } from './privacyReport';

const batch: Batch = {
  id: 'b1',
  name: 'kitchen',
  folder: '/data/kitchen',
  manifestBatchId: 'kitchen',
  contributor: 'contrib_042',
  region: 'PT',
  importedAt: '2026-01-01T00:00:00.000Z',
  clipCount: 2,
  errorCount: 0,
};

function clip(id: string, container: string, flagged: Clip['flagged'], valid: boolean): Clip {
  return {
    id,
    batchId: 'b1',
    fileName: `${id}.${container}`,
    relativePath: `${id}.${container}`,
    sizeBytes: 1,
    sha256: null,
    checksumState: 'pending',
    importedAt: 'x',
    container,
    codec: 'avc1',
    codecFamily: 'h264',
    width: 2,
    height: 2,
    rotation: 0,
    durationSeconds: 1,
    frameCount: 1,
    frameTableSource: 'mp4box',
    flagged,
    consent: valid
      ? { state: 'valid', consentId: 'c', message: 'ok' }
      : { state: 'missing', consentId: null, message: 'none' },
  };
}

describe('privacyReportOf', () => {
  it('lists what each clip carries and strips every field found', () => {
    const report = privacyReportOf(
      batch,
      [
        clip(
          'phone',
          'mov',
          { location: '+37.7749-122.4194/', make: 'Apple', model: 'iPhone 12', creationTime: 'x' },
          true,
        ),
        clip(
          'clean',
          'webm',
          { location: null, make: null, model: null, creationTime: null },
          false,
        ),
      ],
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(report.clips[0]).toMatchObject({
      strippedOnExport: ['location', 'make', 'model', 'creationTime'],
      method: 'mp4_boxes_neutralised',
      exportable: true,
    });
    expect(report.clips[1]).toMatchObject({
      strippedOnExport: [],
      method: 'ffmpeg_stream_copy',
      exportable: false,
    });
    expect(report.totals).toEqual({
      clips: 2,
      withLocation: 1,
      withDevice: 1,
      withCreationTime: 1,
      exportable: 1,
    });
    expect(report.contributor).toBe('contrib_042');
  });
});
