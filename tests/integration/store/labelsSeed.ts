import { encodeFrameTimes } from '../../../src/main/services/media/frameTimesBlob';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  parseProjectSchema,
  type Command,
} from '../../../src/shared/domain/labels';
import sampleProject from '../../../resources/project.sample.json';

const frameTimes = [0, 1 / 30, 2 / 30, 0.1];

function sampleSchemaJson(): string {
  const parsed = parseProjectSchema(JSON.stringify(sampleProject));
  if (!parsed.ok) throw new Error(parsed.message);
  return JSON.stringify(parsed.project).replaceAll("'", "''");
}

export const addTrack: Command = {
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

/** A v3 database with a clip, a project and a set whose log already holds one edit. */
export function seedV3(): string {
  return /* sql */ `
INSERT INTO batches (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
VALUES ('b1', '/data/batch-1', 'batch-1', NULL, NULL, NULL, NULL, 'x', 'x');
INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
  expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height, rotation,
  duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
VALUES ('c1', 'b1', 'a.mp4', '/data/batch-1/a.mp4', 1000, 1, 'fp-1', NULL, NULL, 'pending', 'mp4',
  'avc1.64001f', 'h264', 1280, 720, 0, 0.1333, 4, 'mp4box',
  '{"location":null,"make":null,"model":null,"creationTime":null}', 'x');
INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES
  ('c1', 4, X'${encodeFrameTimes(frameTimes).toString('hex')}', 0.0333);
INSERT INTO projects (id, name, version, schema_json, created_at)
VALUES ('default', 'Sample', 1, '${sampleSchemaJson()}', 'x');
INSERT INTO annotation_sets (id, clip_id, annotator, project_id, seq, created_at, updated_at)
VALUES ('s1', 'c1', 'annotator-1', 'default', 1, 'x', 'x');
INSERT INTO label_snapshots (set_id, seq, doc_json, at)
VALUES ('s1', 0, '{"tracks":[],"segments":[],"contacts":[]}', 'x');
INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json)
VALUES ('s1', 1, 'annotator-1', 'x', '${JSON.stringify(addTrack)}',
  '{"type":"removeTrack","trackId":"p1"}');
`;
}

/** Track p1's full pose on frame 1: every COCO-17 point placed and visible, a complete keyframe. */
export const placedPose: Command = {
  type: 'setKeyframe',
  trackId: 'p1',
  keyframe: {
    frame: 1,
    points: COCO_BODY_KEYPOINTS.map((_, i) => ({
      x: 10 + i,
      y: 20,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  },
};
