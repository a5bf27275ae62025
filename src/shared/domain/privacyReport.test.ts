import { describe, expect, it } from 'vitest';
import type { FlaggedMetadata } from './flaggedMetadata';
import {
  PrivacyReport,
  privacyReportOf,
  type ReportedBatch,
  type ReportedClip,
} from './privacyReport';

const batch: ReportedBatch = {
  id: 'b1',
  name: 'kitchen',
  contributor: 'contrib_042',
  region: 'PT',
};

function clip(
  id: string,
  container: string,
  flagged: FlaggedMetadata,
  valid: boolean,
): ReportedClip {
  return {
    id,
    relativePath: `${id}.${container}`,
    container,
    flagged,
    consent: { state: valid ? 'valid' : 'missing' },
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
    expect(PrivacyReport.parse(report)).toEqual(report);
  });
});
