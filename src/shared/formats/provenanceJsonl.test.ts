import { describe, expect, it } from 'vitest';
import { checksumsFile, provenanceJsonlChunks, type ProvenanceRecord } from './provenanceJsonl';

const hash = 'ab'.repeat(32);

const record: ProvenanceRecord = {
  schema_version: 1,
  file_name: 'clips/c1.mp4',
  source_sha256: hash,
  frame_count: 300,
  timestamps_source: 'container_pts',
  contributor_pseudonym: 'contrib_042',
  contributor_region: 'PT',
  consent: { id: 'consent-7', scope: ['training'] },
  annotators: ['ann_1'],
  reviewers: ['rev_1'],
  revision: 3,
  review_status: 'accepted',
  pre_annotation: { model: 'rtmpose-m', version: '1.0.0' },
  framewise_version: '0.1.0',
  ffmpeg_version: '5.1.9',
  exported_at: '2026-11-24T05:30:00Z',
};

describe('provenanceJsonlChunks', () => {
  it('writes one JSON line per clip with the fields as given', () => {
    const text = [
      ...provenanceJsonlChunks([record, { ...record, file_name: 'b.mp4', pre_annotation: null }]),
    ].join('');
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] as string)).toEqual(record);
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      file_name: 'b.mp4',
      pre_annotation: null,
    });
    expect(lines[2]).toBe('');
  });

  it('refuses an invalid record, naming the line and field', () => {
    const bad = { ...record, contributor_pseudonym: 'Jane Doe' };
    expect(() => [...provenanceJsonlChunks([record, bad])]).toThrow(
      /line 2 is invalid: contributor_pseudonym: must be a pseudonym/,
    );
    expect(() => [...provenanceJsonlChunks([{ ...record, source_sha256: 'x' }])]).toThrow(
      /source_sha256/,
    );
  });
});

describe('checksumsFile', () => {
  it('writes sha256sum text-mode lines sorted by path', () => {
    expect(
      checksumsFile([
        { path: 'provenance.jsonl', sha256: hash },
        { path: 'coco_keypoints.json', sha256: 'cd'.repeat(32) },
      ]),
    ).toBe(`${'cd'.repeat(32)}  coco_keypoints.json\n${hash}  provenance.jsonl\n`);
  });

  it('refuses absolute or escaping paths and malformed hashes', () => {
    expect(() => checksumsFile([{ path: '/etc/passwd', sha256: hash }])).toThrow(/relative path/);
    expect(() => checksumsFile([{ path: '../x', sha256: hash }])).toThrow(/relative path/);
    expect(() => checksumsFile([{ path: 'a\nb', sha256: hash }])).toThrow(/line breaks/);
    expect(() => checksumsFile([{ path: 'a', sha256: 'ABC' }])).toThrow(/64 lowercase hex/);
  });
});
