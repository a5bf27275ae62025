import { encodeFrameTimes } from '../../../src/main/services/media/frameTimesBlob';
import { openDatabase } from '../../../src/main/services/db/openDatabase';
import { openStore } from '../../../src/main/services/store/openStore';
import {
  DEFAULT_PROJECT_ID,
  defaultProjectSchema,
} from '../../../src/main/services/labels/defaultProject';

/**
 * A workstation database holding one imported clip per `clipRefs` entry (its sha256 known) and
 * the annotator's submitted, empty set on each, queued in the outbox by the real submit path.
 * Clips are inserted as rows, since probing thousands of videos is not what these tests test.
 */
export function seedWorkstation(
  file: string,
  clipRefs: readonly string[],
  annotator: string,
  options: { submit?: boolean } = {},
): Map<string, string> {
  const db = openDatabase(file);
  const times = encodeFrameTimes([0, 1 / 30, 2 / 30]);
  db.transaction(() => {
    db.prepare(
      `INSERT OR IGNORE INTO batches (id, folder, name, imported_at, updated_at)
       VALUES ('sync-batch', '/data/sync-batch', 'sync-batch', 'x', 'x')`,
    ).run();
    const clip = db.prepare(/* sql */ `
      INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
        expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height,
        rotation, duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
      VALUES (?, 'sync-batch', ?, ?, 1000, 1, ?, NULL, ?, 'done', 'mp4', 'avc1.64001f', 'h264', 1280,
        720, 0, 0.1, 3, 'mp4box', '{"location":null,"make":null,"model":null,"creationTime":null}', 'x')`);
    const table = db.prepare(
      'INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES (?, 3, ?, 0.0333)',
    );
    for (const ref of clipRefs) {
      const id = `clip-${ref.slice(0, 16)}`;
      clip.run(id, `${id}.mp4`, `/data/sync-batch/${id}.mp4`, `fp-${ref}`, ref);
      table.run(id, times);
    }
  })();
  db.close();
  const store = openStore(file);
  const sets = new Map<string, string>();
  try {
    store.labels.ensureProject(
      { id: DEFAULT_PROJECT_ID, schema: defaultProjectSchema() },
      annotator,
    );
    for (const ref of clipRefs) {
      const set = store.labels.openAnnotationSet(
        `clip-${ref.slice(0, 16)}`,
        annotator,
        DEFAULT_PROJECT_ID,
      );
      if (options.submit ?? true) {
        const outcome = store.labels.submitAnnotationSet(set.id, annotator);
        if (!outcome.submitted) throw new Error(`seed set for ${ref} is incomplete`);
      }
      sets.set(ref, set.id);
    }
  } finally {
    store.close();
  }
  return sets;
}

export function clipIdOf(clipRef: string): string {
  return `clip-${clipRef.slice(0, 16)}`;
}
