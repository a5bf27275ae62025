import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_PROJECT_ID,
  defaultProjectSchema,
} from '../src/main/services/labels/defaultProject';
import { GovernanceService } from '../src/main/services/governance/governanceService';
import { openDatabase } from '../src/main/services/db/openDatabase';
import { openStore } from '../src/main/services/store/openStore';
import { encodeFrameTimes } from '../src/main/services/media/frameTimesBlob';
import { COCO_BODY_TEMPLATE_ID, type LabelsDocument } from '../src/shared/domain/labels';

const CLIPS = 120;
const WITHDRAWN = 40;
const FRAMES = 9_000; // 5 minutes at 30 fps
const KEYFRAME_EVERY = 30;

/** One clip's labels: two people with a keyframe a second, about 200 KB of JSON. */
function labelsOf(clip: number): LabelsDocument {
  return {
    tracks: [0, 1].map((t) => ({
      id: `p${t}`,
      kind: 'person' as const,
      templateId: COCO_BODY_TEMPLATE_ID,
      label: `Person ${t + 1}`,
      color: '#336699',
      keyframes: Array.from({ length: FRAMES / KEYFRAME_EVERY }, (_, k) => ({
        frame: k * KEYFRAME_EVERY,
        points: Array.from({ length: 17 }, (_, i) => ({
          x: 100 + clip + i * 7 + Math.sin(k + i) * 20,
          y: 80 + t * 300 + i * 11,
          visibility: 'visible' as const,
          source: 'manual' as const,
        })),
      })),
    })),
    segments: [],
    contacts: [],
  };
}

const sha = (clip: number) => clip.toString(16).padStart(64, '0');

/** A workstation database of CLIPS labelled clips, written directly (no video needed to purge). */
function seed(databasePath: string): void {
  const store = openStore(databasePath);
  store.labels.ensureProject({ id: DEFAULT_PROJECT_ID, schema: defaultProjectSchema() }, 'bench');
  store.close();
  const db = openDatabase(databasePath);
  db.transaction(() => {
    db.prepare(
      `INSERT INTO batches (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
       VALUES ('b1', '/data/b1', 'b1', NULL, NULL, NULL, NULL, 'x', 'x')`,
    ).run();
    const times = encodeFrameTimes(Array.from({ length: FRAMES }, (_, i) => i / 30));
    for (let c = 0; c < CLIPS; c++) {
      db.prepare(
        `INSERT INTO clips (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint,
          expected_sha256, sha256, checksum_state, container, codec, codec_family, width, height,
          rotation, duration_seconds, frame_count, frame_table_source, flagged_metadata, imported_at)
         VALUES (?, 'b1', ?, ?, 1000, 1, ?, NULL, ?, 'done', 'mp4', 'avc1.64001f', 'h264', 1280, 720,
          0, 300, ?, 'mp4box', '{"location":null,"make":null,"model":null,"creationTime":null}', 'x')`,
      ).run(`c${c}`, `${c}.mp4`, `/data/b1/${c}.mp4`, `fp-${c}`, sha(c), FRAMES);
      db.prepare(
        `INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES (?, ?, ?, 0.0333)`,
      ).run(`c${c}`, FRAMES, times);
      db.prepare(
        `INSERT INTO annotation_sets (id, clip_id, annotator, project_id, seq, created_at, updated_at)
         VALUES (?, ?, 'annotator-1', ?, 0, 'x', 'x')`,
      ).run(`s${c}`, `c${c}`, DEFAULT_PROJECT_ID);
      db.prepare(
        `INSERT INTO label_snapshots (set_id, seq, doc_json, at) VALUES (?, 0, ?, 'x')`,
      ).run(`s${c}`, JSON.stringify(labelsOf(c)));
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * Withdrawals as one sync pull delivers them: WITHDRAWN events for clips of a CLIPS-clip database.
 * One at a time (each purge rewriting the file) against all handed over together (one rewrite).
 */
export async function runWithdrawalBench(workDir: string): Promise<Record<string, number>> {
  const folder = join(workDir, 'withdrawal');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const figures: Record<string, number> = { clips: CLIPS, withdrawals: WITHDRAWN };
  for (const mode of ['oneByOne', 'together'] as const) {
    const databasePath = join(folder, `${mode}.sqlite`);
    seed(databasePath);
    figures.databaseMB = Math.round(statSync(databasePath).size / 1e5) / 10;
    const store = openStore(databasePath);
    const governance = new GovernanceService({
      databasePath,
      store,
      actor: 'bench',
      proxyDir: join(folder, 'proxies'),
    });
    const refs = Array.from({ length: WITHDRAWN }, (_, i) => sha(i * 3));
    const started = performance.now();
    if (mode === 'oneByOne') {
      for (const clipRef of refs) await governance.withdrawConsent({ clipRef, source: 'server' });
    } else {
      await Promise.all(
        refs.map((clipRef) => governance.withdrawConsent({ clipRef, source: 'server' })),
      );
    }
    figures[`${mode}Ms`] = Math.round(performance.now() - started);
    governance.close();
    store.close();
  }
  figures.togetherSpeedup =
    Math.round(((figures.oneByOneMs ?? 0) / Math.max(1, figures.togetherMs ?? 1)) * 10) / 10;
  rmSync(folder, { recursive: true, force: true });
  return figures;
}
