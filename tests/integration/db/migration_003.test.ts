import { describe, expect, it } from 'vitest';
import { encodeFrameTimes } from '../../../src/main/services/media/frameTimesBlob';
import { openStore } from '../../../src/main/services/store/openStore';
import { SNAPSHOT_EVERY } from '../../../src/main/services/labels/annotationSets';
import {
  COCO_BODY_TEMPLATE_ID,
  parseProjectSchema,
  type Command,
} from '../../../src/shared/domain/labels';
import sampleProject from '../../../resources/project.sample.json';
import { columnNames, databaseAt, integrityCheck, tableNames } from './migrationHarness';

const frameTimes = [0, 1 / 30, 2 / 30, 0.1];

/** A v2 database with a batch, two clips, their frame tables, a proxy and audit rows. */
const seedV2 = /* sql */ `
INSERT INTO batches (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
VALUES ('b1', '/data/batch-1', 'batch-1', NULL, NULL, NULL, NULL,
        '2025-01-02T03:04:05.000Z', '2025-01-02T03:04:05.000Z');
INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
  expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height, rotation,
  duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
VALUES
  ('c1', 'b1', 'a.mp4', '/data/batch-1/a.mp4', 1000, 1735787045123.5, 'fp-1', NULL, NULL,
   'pending', 'mp4', 'hvc1.1.6.L93.B0', 'hevc', 1920, 1080, 90, 0.1333, 4, 'mp4box',
   '{"location":null,"make":null,"model":null,"creationTime":null}', '2025-01-02T03:04:06.000Z'),
  ('c2', 'b1', 'b.mp4', '/data/batch-1/b.mp4', 2000, 1735787045124.5, 'fp-2', NULL, NULL,
   'pending', 'mp4', 'avc1.64001f', 'h264', 1280, 720, 0, 0.1333, 4, 'mp4box',
   '{"location":null,"make":null,"model":null,"creationTime":null}', '2025-01-02T03:04:07.000Z');
INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES
  ('c1', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333),
  ('c2', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333);
INSERT INTO proxies (clip_id, state, file_path, progress, message, frame_count, updated_at)
VALUES ('c1', 'ready', '/data/proxies/c1.mp4', 1, NULL, 4, '2025-01-03T00:00:00.000Z');
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, details)
VALUES ('2025-01-02T03:04:06.000Z', 'annotator-1', 'clip.imported', 'clip', 'c1', '{}');
`;

function sampleSchema() {
  const parsed = parseProjectSchema(JSON.stringify(sampleProject));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.project;
}

const person: Command = {
  type: 'addTrack',
  track: {
    id: 'p1',
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: 'Person 1',
    color: '#3366cc',
    keyframes: [],
  },
};
const keyframe: Command = {
  type: 'setKeyframe',
  trackId: 'p1',
  keyframe: { frame: 2, points: Array.from({ length: 17 }, () => null) },
};
function setPoint(x: number): Command {
  return {
    type: 'setPoint',
    trackId: 'p1',
    frame: 2,
    index: 0,
    point: { x, y: 5, visibility: 'visible', source: 'manual' },
  };
}

describe('migration 003 (labels)', () => {
  it('adds projects, annotation sets and the label log to a populated version 2 database', () => {
    const fixture = databaseAt(2, seedV2);
    fixture.migrateTo(3);

    expect(fixture.userVersion()).toBe(3);
    expect(tableNames(fixture.db)).toEqual(
      expect.arrayContaining(['projects', 'annotation_sets', 'label_commands', 'label_snapshots']),
    );
    expect(columnNames(fixture.db, 'annotation_sets')).toEqual([
      'id',
      'clip_id',
      'annotator',
      'project_id',
      'status',
      'revision',
      'seq',
      'created_at',
      'updated_at',
    ]);
    expect(columnNames(fixture.db, 'label_commands')).toEqual([
      'set_id',
      'seq',
      'actor',
      'at',
      'command_json',
      'inverse_json',
    ]);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      // Rows from version 2 read back unchanged.
      expect(store.media.getClip('c1')).toMatchObject({ codecFamily: 'hevc', rotation: 90 });
      expect(store.media.getFrameTable('c2')?.frameTimes).toEqual(frameTimes);
      expect(store.media.getProxy('c1')).toMatchObject({ state: 'ready', frameCount: 4 });
      expect(store.audit.list({ entityId: 'c1' })).toHaveLength(1);

      const project = store.labels.ensureProject(
        { id: 'default', schema: sampleSchema() },
        'admin',
      );
      expect(project).toMatchObject({ id: 'default', version: 1, name: sampleProject.name });
      // A second ensure keeps the stored project.
      store.labels.ensureProject(
        { id: 'default', schema: { ...sampleSchema(), name: 'other' } },
        'admin',
      );
      expect(store.labels.getProject('default')?.name).toBe(sampleProject.name);

      const set = store.labels.openAnnotationSet('c1', 'annotator-1', 'default');
      expect(set).toMatchObject({ clipId: 'c1', status: 'in_progress', revision: 0, seq: 0 });
      expect(store.labels.openAnnotationSet('c1', 'annotator-1', 'default').id).toBe(set.id);
      expect(store.labels.openAnnotationSet('c1', 'annotator-2', 'default').id).not.toBe(set.id);

      expect(store.labels.applyLabelEdit(set.id, person, 0, 'annotator-1').seq).toBe(1);
      expect(store.labels.applyLabelEdit(set.id, keyframe, 1, 'annotator-1')).toMatchObject({
        seq: 2,
        summary: { tracks: 1, keyframes: 1, segments: 0, contacts: 0 },
      });
      expect(() => store.labels.applyLabelEdit(set.id, setPoint(1), 1, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'STALE_EDIT' }),
      );
      // Frame 9 is outside the 4-frame clip: the domain refuses it and nothing is logged.
      expect(() =>
        store.labels.applyLabelEdit(
          set.id,
          { type: 'setKeyframe', trackId: 'p1', keyframe: { frame: 9, points: [] } },
          2,
          'annotator-1',
        ),
      ).toThrow(expect.objectContaining({ code: 'EDIT_REFUSED' }));
      expect(() => store.labels.applyLabelEdit('nope', person, 0, 'annotator-1')).toThrow(
        expect.objectContaining({ code: 'ANNOTATION_SET_NOT_FOUND' }),
      );
      expect(() => store.labels.openAnnotationSet('nope', 'annotator-1', 'default')).toThrow(
        expect.objectContaining({ code: 'CLIP_NOT_FOUND' }),
      );
      expect(() => store.labels.openAnnotationSet('c2', 'annotator-1', 'nope')).toThrow(
        expect.objectContaining({ code: 'PROJECT_NOT_FOUND' }),
      );
      // Past a snapshot boundary, so reading back is snapshot plus replay.
      for (let seq = 2; seq < SNAPSHOT_EVERY + 10; seq++) {
        store.labels.applyLabelEdit(set.id, setPoint(seq), seq, 'annotator-1');
      }
    } finally {
      store.close();
    }

    const reopened = openStore(fixture.file);
    try {
      const { doc, seq } = reopened.labels.loadLabels(
        reopened.labels.openAnnotationSet('c1', 'annotator-1', 'default').id,
      );
      expect(seq).toBe(SNAPSHOT_EVERY + 10);
      expect(doc.tracks[0]?.keyframes[0]?.points[0]).toEqual({
        x: SNAPSHOT_EVERY + 9,
        y: 5,
        visibility: 'visible',
        source: 'manual',
      });
    } finally {
      reopened.close();
    }
  });

  it.each([
    [
      'a set on a clip that does not exist',
      "INSERT INTO annotation_sets (id, clip_id, annotator, project_id, created_at, updated_at) VALUES ('s2', 'nope', 'a', 'p', 'x', 'x')",
      /FOREIGN KEY/,
    ],
    [
      'an unknown status',
      "INSERT INTO annotation_sets (id, clip_id, annotator, project_id, status, created_at, updated_at) VALUES ('s2', 'c2', 'a', 'p', 'done', 'x', 'x')",
      /CHECK/,
    ],
    [
      'a second set for the same clip and annotator',
      "INSERT INTO annotation_sets (id, clip_id, annotator, project_id, created_at, updated_at) VALUES ('s2', 'c1', 'a', 'p', 'x', 'x')",
      /UNIQUE/,
    ],
    ['changing a logged edit', "UPDATE label_commands SET actor = 'b'", /append-only/],
    ['deleting a logged edit', 'DELETE FROM label_commands', /append-only/],
    [
      'deleting a clip with labels',
      "DELETE FROM frame_tables WHERE clip_id = 'c1'; DELETE FROM proxies; DELETE FROM clips WHERE id = 'c1'",
      /FOREIGN KEY/,
    ],
  ])('rejects %s', (_, statement, error) => {
    const fixture = databaseAt(3, seedV2);
    fixture.db.exec(/* sql */ `
      INSERT INTO projects (id, name, version, schema_json, created_at) VALUES ('p', 'P', 1, '{}', 'x');
      INSERT INTO annotation_sets (id, clip_id, annotator, project_id, created_at, updated_at)
      VALUES ('s1', 'c1', 'a', 'p', 'x', 'x');
      INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json)
      VALUES ('s1', 1, 'a', 'x', '{}', '{}');
    `);
    expect(() => fixture.db.exec(statement)).toThrow(error);
  });
});
