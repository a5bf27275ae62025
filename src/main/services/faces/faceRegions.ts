import type { Database } from 'better-sqlite3';
import type { Db, ReadTx, Tx } from '../db/db';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import { FaceBox, FaceTrackBox, linkFaceTracks } from '../../../shared/domain/faces/faceTracks';
import type { FaceTrack } from '../../../shared/domain/faces/faceTracks';
import { z } from 'zod';

export type FaceScanStatus = 'scanning' | 'scanned' | 'failed' | 'cancelled';
export type BlurReviewStatus = 'unreviewed' | 'reviewed';

export type FaceScan = {
  clipId: string;
  model: string;
  backend: string | null;
  frameCount: number;
  framesDone: number;
  status: FaceScanStatus;
  error: string | null;
  reviewStatus: BlurReviewStatus;
  reviewedBy: string | null;
  reviewedAt: string | null;
};

export type StoredFaceTrack = FaceTrack & { source: 'detector' | 'person'; removed: boolean };

type ScanRow = {
  clip_id: string;
  model: string;
  backend: string | null;
  frame_count: number;
  frames_done: number;
  status: FaceScanStatus;
  error: string | null;
  review_status: BlurReviewStatus;
  reviewed_by: string | null;
  reviewed_at: string | null;
};

const Boxes = z.array(FaceBox);
const TrackBoxes = z.array(FaceTrackBox);

/**
 * The faces module's tables (migration 013): each clip's scan and its progress, the detector's
 * boxes per frame, the tracks made of them, and the clip's blur review status. Owner of face data
 * for consent withdrawal: `purgeClip` deletes every row about the clip.
 */
export class FaceRegions implements ClipDataOwner {
  readonly clipTables = ['face_scans', 'face_detections', 'face_tracks'] as const;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  #c(tx: ReadTx): Database {
    return tx.connection;
  }

  scanOf(clipId: string): FaceScan | null {
    return this.#db.read((tx) => {
      const row = this.#c(tx)
        .prepare<[string], ScanRow>('SELECT * FROM face_scans WHERE clip_id = ?')
        .get(clipId);
      return row ? toScan(row) : null;
    });
  }

  /**
   * Starts (or resumes) a scan: a scan with the same model keeps its detections and continues
   * after them; another model, or a finished scan asked again, starts over. Returns the frames
   * already done.
   */
  beginScan(clipId: string, model: string, frameCount: number, at: string): Set<number> {
    return this.#db.write((tx) => {
      const c = this.#c(tx);
      const row = c
        .prepare<[string], ScanRow>('SELECT * FROM face_scans WHERE clip_id = ?')
        .get(clipId);
      const resume =
        row !== undefined &&
        row.model === model &&
        row.frame_count === frameCount &&
        row.status !== 'scanned';
      if (!resume) {
        c.prepare('DELETE FROM face_detections WHERE clip_id = ?').run(clipId);
        c.prepare("DELETE FROM face_tracks WHERE clip_id = ? AND source = 'detector'").run(clipId);
      }
      c.prepare(
        `INSERT INTO face_scans (clip_id, model, frame_count, frames_done, status, updated_at)
         VALUES (?, ?, ?, 0, 'scanning', ?)
         ON CONFLICT (clip_id) DO UPDATE SET model = excluded.model,
           frame_count = excluded.frame_count, status = 'scanning', error = NULL,
           frames_done = CASE WHEN ? THEN face_scans.frames_done ELSE 0 END,
           review_status = CASE WHEN ? THEN face_scans.review_status ELSE 'unreviewed' END,
           updated_at = excluded.updated_at`,
      ).run(clipId, model, frameCount, at, resume ? 1 : 0, resume ? 1 : 0);
      const done = c
        .prepare<[string], number>('SELECT frame FROM face_detections WHERE clip_id = ?')
        .pluck()
        .all(clipId);
      return new Set(done);
    });
  }

  setBackend(clipId: string, backend: string): void {
    this.#db.write((tx) =>
      this.#c(tx)
        .prepare('UPDATE face_scans SET backend = ? WHERE clip_id = ?')
        .run(backend, clipId),
    );
  }

  /** One frame's boxes, committed at once: what a resumed scan skips. */
  saveFrame(clipId: string, frame: number, boxes: readonly FaceBox[], at: string): void {
    this.#db.write((tx) => {
      const c = this.#c(tx);
      c.prepare(
        `INSERT INTO face_detections (clip_id, frame, boxes_json) VALUES (?, ?, ?)
         ON CONFLICT (clip_id, frame) DO UPDATE SET boxes_json = excluded.boxes_json`,
      ).run(clipId, frame, JSON.stringify(boxes));
      c.prepare(
        `UPDATE face_scans SET frames_done = (SELECT count(*) FROM face_detections WHERE clip_id = ?),
           updated_at = ? WHERE clip_id = ?`,
      ).run(clipId, at, clipId);
    });
  }

  /** Ends a scan; when it covered every frame, links the detections into tracks. */
  endScan(
    clipId: string,
    status: Exclude<FaceScanStatus, 'scanning'>,
    at: string,
    error: string | null = null,
  ): void {
    this.#db.write((tx) => {
      const c = this.#c(tx);
      c.prepare(
        'UPDATE face_scans SET status = ?, error = ?, updated_at = ? WHERE clip_id = ?',
      ).run(status, error, at, clipId);
      if (status !== 'scanned') return;
      const rows = c
        .prepare<[string], { frame: number; boxes_json: string }>(
          'SELECT frame, boxes_json FROM face_detections WHERE clip_id = ? ORDER BY frame',
        )
        .all(clipId);
      const frames = new Map(rows.map((r) => [r.frame, Boxes.parse(JSON.parse(r.boxes_json))]));
      c.prepare("DELETE FROM face_tracks WHERE clip_id = ? AND source = 'detector'").run(clipId);
      const insert = c.prepare(
        `INSERT INTO face_tracks (clip_id, track_id, source, boxes_json, updated_at)
         VALUES (?, ?, 'detector', ?, ?)`,
      );
      for (const track of linkFaceTracks(frames)) {
        insert.run(clipId, track.id, JSON.stringify(track.boxes), at);
      }
    });
  }

  tracksOf(clipId: string, options: { includeRemoved?: boolean } = {}): StoredFaceTrack[] {
    return this.#db.read((tx) =>
      this.#c(tx)
        .prepare<
          [string],
          { track_id: string; source: 'detector' | 'person'; removed: number; boxes_json: string }
        >(
          'SELECT track_id, source, removed, boxes_json FROM face_tracks WHERE clip_id = ? ORDER BY rowid',
        )
        .all(clipId)
        .filter((row) => options.includeRemoved === true || row.removed === 0)
        .map((row) => ({
          id: row.track_id,
          source: row.source,
          removed: row.removed === 1,
          boxes: TrackBoxes.parse(JSON.parse(row.boxes_json)),
        })),
    );
  }

  /**
   * A face a person drew (a missed one), or their correction of a track's boxes. The clip's blur
   * review, if any, no longer holds.
   */
  putTrack(clipId: string, track: FaceTrack, by: string, at: string): void {
    const boxes = TrackBoxes.parse(track.boxes);
    this.#db.write((tx) => {
      this.#c(tx)
        .prepare(
          `INSERT INTO face_tracks (clip_id, track_id, source, boxes_json, updated_by, updated_at)
           VALUES (?, ?, 'person', ?, ?, ?)
           ON CONFLICT (clip_id, track_id) DO UPDATE SET boxes_json = excluded.boxes_json,
             removed = 0, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        )
        .run(clipId, track.id, JSON.stringify(boxes), by, at);
      this.#unreview(tx, clipId, at);
    });
  }

  /** A review covers the regions as they were: any change to them asks for another. */
  #unreview(tx: Tx, clipId: string, at: string): void {
    this.#c(tx)
      .prepare(
        `UPDATE face_scans SET review_status = 'unreviewed', reviewed_by = NULL, reviewed_at = NULL,
           updated_at = ? WHERE clip_id = ? AND review_status = 'reviewed'`,
      )
      .run(at, clipId);
  }

  /** A false detection a person took out; kept as removed so the record shows who and when. */
  removeTrack(clipId: string, trackId: string, by: string, at: string): boolean {
    return this.#db.write((tx) => {
      const removed =
        this.#c(tx)
          .prepare(
            'UPDATE face_tracks SET removed = 1, updated_by = ?, updated_at = ? WHERE clip_id = ? AND track_id = ? AND removed = 0',
          )
          .run(by, at, clipId, trackId).changes === 1;
      if (removed) this.#unreview(tx, clipId, at);
      return removed;
    });
  }

  setReviewStatus(clipId: string, status: BlurReviewStatus, by: string, at: string): boolean {
    return this.#db.write(
      (tx) =>
        this.#c(tx)
          .prepare(
            `UPDATE face_scans SET review_status = ?, reviewed_by = ?, reviewed_at = ?,
               updated_at = ? WHERE clip_id = ? AND status = 'scanned'`,
          )
          .run(
            status,
            status === 'reviewed' ? by : null,
            status === 'reviewed' ? at : null,
            at,
            clipId,
          ).changes === 1,
    );
  }

  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    if (clip.clipId === null) return 0;
    const c = this.#c(tx);
    let rows = 0;
    for (const table of this.clipTables) {
      rows += c.prepare(`DELETE FROM ${table} WHERE clip_id = ?`).run(clip.clipId).changes;
    }
    return rows;
  }
}

function toScan(row: ScanRow): FaceScan {
  return {
    clipId: row.clip_id,
    model: row.model,
    backend: row.backend,
    frameCount: row.frame_count,
    framesDone: row.frames_done,
    status: row.status,
    error: row.error,
    reviewStatus: row.review_status,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
  };
}
