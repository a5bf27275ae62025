import type { Database } from 'better-sqlite3';
import type { ReadTx, Tx } from '../db/db';
import { statementsOn } from '../db/statementsOn';

export type QueuedSet = {
  server_set_id: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  revision: number;
  status: string;
  labels_json: string;
  submitted_at: string;
  model_share: number;
  pulled_at: string;
};

export type DraftComment = {
  id: string;
  server_set_id: string;
  revision: number;
  author: string;
  at: string;
  pin_json: string;
  text: string;
  suggestion_json: string | null;
};

export type ReceivedComment = DraftComment & { sent_at: string };

export type ReviewOutboxRow = {
  seq: number;
  id: string;
  kind: 'verdict' | 'resolve';
  server_set_id: string;
  payload_json: string;
  attempts: number;
  next_attempt_at: number;
};

export type ReviewIssueRow = {
  id: string;
  kind: 'verdict' | 'resolve';
  server_set_id: string;
  state: 'pending' | 'failed';
  payload_json: string;
  last_error: string | null;
  created_at: string;
  clip_ref: string | null;
};

export type NewReviewDelivery = {
  id: string;
  kind: 'verdict' | 'resolve';
  serverSetId: string;
  payloadJson: string;
  at: string;
};

/** A queued set as listed: with the batch and clip it was imported as here, and its state. */
export type QueueRow = Omit<QueuedSet, 'pulled_at'> & {
  batch: string | null;
  clip_id: string | null;
  relative_path: string | null;
  open_comments: number;
  verdict: 'accept' | 'request_changes' | null;
};

export type CommentRow = DraftComment & {
  resolved_by: string | null;
  resolved_at: string | null;
  /** `last_error` of this comment's resolution the server refused for good, if any. */
  resolve_refused?: string | null;
};

export type RefusedRow = {
  id: string;
  payload_json: string;
  last_error: string | null;
  created_at: string;
};

export type DoubleSetRow = {
  server_set_id: string;
  server: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  status: string;
  revision: number;
  labels_json: string;
  updated_at: string;
};

/**
 * The review module's tables: `review_queue`, `review_comments`, `review_outbox`,
 * `reviewed_revisions`, `review_sets` and `double_annotation_sets`. Only this class writes them;
 * `Reviews` and `DoubleAnnotationSets` hold the rules and the transactions. Methods take the
 * caller's transaction (`Tx` to write, `ReadTx` to read).
 */
export class ReviewRepository {
  readonly #on: (tx: ReadTx) => ReturnType<typeof prepareStatements>;

  constructor(db: Database) {
    this.#on = statementsOn('review', db, prepareStatements(db));
  }

  // The reviewer's cached queue.

  queuedSetIds(tx: ReadTx): string[] {
    return this.#on(tx).queuedIds.all();
  }

  hasVerdictQueued(tx: ReadTx, serverSetId: string): boolean {
    return this.#on(tx).pendingVerdictFor.get(serverSetId) !== undefined;
  }

  dropFromQueue(tx: Tx, serverSetId: string): number {
    return this.#on(tx).dropQueued.run(serverSetId).changes;
  }

  /** Kept for its verdict though the server no longer lists it (status `UNLISTED`). */
  markUnlisted(tx: Tx, serverSetId: string): void {
    this.#on(tx).markUnlisted.run(serverSetId);
  }

  saveQueued(tx: Tx, set: QueuedSet): void {
    this.#on(tx).upsertQueued.run(set);
  }

  /** Which clip a server set is about, kept so a withdrawal finds every set of the clip. */
  mapSetToClip(tx: Tx, serverSetId: string, clipRef: string): void {
    this.#on(tx).mapSet.run(serverSetId, clipRef);
  }

  queue(tx: ReadTx, reviewer: string): QueueRow[] {
    return this.#on(tx).queue.all({ reviewer, set: null });
  }

  queued(tx: ReadTx, reviewer: string, serverSetId: string): QueueRow | undefined {
    return this.#on(tx).queue.get({ reviewer, set: serverSetId });
  }

  // Verdicts given here.

  lastReviewedBefore(
    tx: ReadTx,
    serverSetId: string,
    reviewer: string,
    revision: number,
  ): { revision: number; labels_json: string } | undefined {
    return this.#on(tx).lastReviewed.get(serverSetId, reviewer, revision);
  }

  recordReviewed(
    tx: Tx,
    reviewed: {
      serverSetId: string;
      reviewer: string;
      revision: number;
      verdict: string;
      labelsJson: string;
      at: string;
    },
  ): void {
    this.#on(tx).insertReviewed.run(
      reviewed.serverSetId,
      reviewed.reviewer,
      reviewed.revision,
      reviewed.verdict,
      reviewed.labelsJson,
      reviewed.at,
    );
  }

  forgetReviewed(tx: Tx, serverSetId: string, reviewer: string, revision: number): void {
    this.#on(tx).forgetReviewed.run(serverSetId, reviewer, revision);
  }

  // Comments.

  comment(tx: ReadTx, commentId: string): CommentRow | undefined {
    return this.#on(tx).comment.get(commentId);
  }

  comments(tx: ReadTx, serverSetId: string): CommentRow[] {
    return this.#on(tx).comments.all(serverSetId);
  }

  drafts(tx: ReadTx, serverSetId: string, revision: number): CommentRow[] {
    return this.#on(tx).drafts.all(serverSetId, revision);
  }

  addDraft(tx: Tx, comment: DraftComment): void {
    this.#on(tx).insertDraft.run(comment);
  }

  /** The drafts of this revision leave with the verdict. */
  markDraftsSent(tx: Tx, serverSetId: string, revision: number, at: string): void {
    this.#on(tx).markSent.run(at, serverSetId, revision);
  }

  /** A refused verdict's comment moved onto the revision reviewed again, as a draft. */
  carryComment(tx: Tx, commentId: string, revision: number): void {
    this.#on(tx).carry.run(revision, commentId);
  }

  deleteComment(tx: Tx, commentId: string): void {
    this.#on(tx).deleteComment.run(commentId);
  }

  /** A pulled comment, stored once; false when its id is already here. */
  receiveComment(tx: Tx, comment: ReceivedComment): boolean {
    return this.#on(tx).insertReceived.run(comment).changes > 0;
  }

  /** A comment listed with the queue: the server's word on resolution wins when it has one. */
  refreshComment(
    tx: Tx,
    comment: ReceivedComment & { resolved_by: string | null; resolved_at: string | null },
  ): void {
    this.#on(tx).upsertReceived.run(comment);
  }

  resolveComment(tx: Tx, commentId: string, by: string, at: string): void {
    this.#on(tx).resolve.run(by, at, commentId);
  }

  reopenComment(tx: Tx, commentId: string): void {
    this.#on(tx).unresolve.run(commentId);
  }

  // Verdicts and resolutions waiting for the server.

  queueDelivery(tx: Tx, delivery: NewReviewDelivery): void {
    this.#on(tx).insertOutbox.run(
      delivery.id,
      delivery.kind,
      delivery.serverSetId,
      delivery.payloadJson,
      delivery.at,
    );
  }

  /** The last verdict on the set the server refused for good, if any. */
  refusedVerdict(tx: ReadTx, serverSetId: string): RefusedRow | undefined {
    return this.#on(tx).refusedFor.get(serverSetId);
  }

  /** The outbox ids of the comment's resolutions the server refused for good. */
  refusedResolutions(tx: ReadTx, commentId: string): string[] {
    return this.#on(tx)
      .refusedResolves.all(commentId)
      .map((row) => row.id);
  }

  /**
   * Verdicts and resolutions refused for good, or pending after a failed attempt, with the clip
   * they are about when this workstation knows it.
   */
  deliveryIssues(tx: ReadTx): ReviewIssueRow[] {
    return this.#on(tx).deliveryIssues.all();
  }

  reviewerOf(tx: ReadTx, serverSetId: string, revision: number): string | null {
    return this.#on(tx).reviewerOf.get(serverSetId, revision) ?? null;
  }

  resolverOf(tx: ReadTx, commentId: string): string | null {
    return this.#on(tx).resolverOf.get(commentId) ?? null;
  }

  pendingDeliveries(tx: ReadTx, limit: number): ReviewOutboxRow[] {
    return this.#on(tx).pendingOutbox.all(limit);
  }

  pendingDeliveryCount(tx: ReadTx): number {
    return this.#on(tx).pendingCount.get() ?? 0;
  }

  forgetDelivery(tx: Tx, outboxId: string): void {
    this.#on(tx).deleteOutbox.run(outboxId);
  }

  scheduleRetry(
    tx: Tx,
    outboxId: string,
    attempts: number,
    nextAttemptAt: number,
    error: string,
  ): void {
    this.#on(tx).retry.run(attempts, nextAttemptAt, error, outboxId);
  }

  makePendingDue(tx: Tx): void {
    this.#on(tx).makeDue.run();
  }

  parkRefused(tx: Tx, outboxId: string, attempts: number, error: string): void {
    this.#on(tx).fail.run(attempts, error, outboxId);
  }

  // Withdrawal.

  /** The server sets this workstation knows to be about the clip (mapped or queued). */
  serverSetsOfClip(tx: ReadTx, clipRef: string): string[] {
    const s = this.#on(tx);
    return [...s.setsOfClip.all(clipRef), ...s.queuedOfClip.all(clipRef)];
  }

  /** Every review row of one server set; returns the rows removed. */
  purgeServerSet(tx: Tx, serverSetId: string): number {
    const s = this.#on(tx);
    return (
      s.purgeComments.run(serverSetId).changes +
      s.purgeOutbox.run(serverSetId).changes +
      s.purgeReviewed.run(serverSetId).changes +
      s.dropQueued.run(serverSetId).changes +
      s.purgeSetOfClip.run(serverSetId).changes
    );
  }

  // The lead's copies of double-annotated sets (migration 009).

  /** Writes the copy only when its revision is higher than the one held; false otherwise. */
  saveDoubleSet(tx: Tx, row: DoubleSetRow & { pulled_at: string }): boolean {
    return this.#on(tx).upsertDouble.run(row).changes > 0;
  }

  doubleSetRevisions(tx: ReadTx, server: string): { id: string; revision: number }[] {
    return this.#on(tx).revisionsOfServer.all(server);
  }

  doubleSetIds(tx: ReadTx, server: string): string[] {
    return this.#on(tx).idsOfServer.all(server);
  }

  removeDoubleSet(tx: Tx, serverSetId: string): number {
    return this.#on(tx).remove.run(serverSetId).changes;
  }

  removeDoubleSetsOfClip(tx: Tx, clipRef: string): number {
    return this.#on(tx).removeOfClip.run(clipRef).changes;
  }
}

/**
 * Every pulled double-annotated set, by clip then annotator, on any connection: export reads them
 * on its own read-only one.
 */
export function doubleSetRows(db: Database): DoubleSetRow[] {
  return db
    .prepare<[], DoubleSetRow>(
      /* sql */ `SELECT server_set_id, server, clip_ref, project_id, annotator, status, revision,
        labels_json, updated_at FROM double_annotation_sets ORDER BY clip_ref, annotator, server_set_id`,
    )
    .all();
}

/** The refused resolution of the comment in the row at hand, as a column of comment queries. */
const RESOLVE_REFUSED = /* sql */ `
  (SELECT o.last_error FROM review_outbox o
    WHERE o.kind = 'resolve' AND o.state = 'failed'
      AND json_extract(o.payload_json, '$.commentId') = review_comments.id
    ORDER BY o.seq DESC LIMIT 1) AS resolve_refused`;

/** `review_queue.status` of a set kept for its verdict after the server stopped listing it. */
export const UNLISTED = 'unlisted';

function prepareStatements(db: Database) {
  return {
    markUnlisted: db.prepare<[string]>(
      `UPDATE review_queue SET status = '${UNLISTED}' WHERE server_set_id = ?`,
    ),
    refusedFor: db.prepare<[string], RefusedRow>(/* sql */ `
      SELECT id, payload_json, last_error, created_at FROM review_outbox
      WHERE server_set_id = ? AND kind = 'verdict' AND state = 'failed'
      ORDER BY seq DESC LIMIT 1`),
    refusedResolves: db.prepare<[string], { id: string }>(/* sql */ `
      SELECT id FROM review_outbox WHERE kind = 'resolve' AND state = 'failed'
        AND json_extract(payload_json, '$.commentId') = ?`),
    unresolve: db.prepare<[string]>(
      'UPDATE review_comments SET resolved_by = NULL, resolved_at = NULL WHERE id = ?',
    ),
    carry: db.prepare<[number, string]>(
      'UPDATE review_comments SET revision = ?, sent_at = NULL WHERE id = ?',
    ),
    deleteComment: db.prepare<[string]>('DELETE FROM review_comments WHERE id = ?'),
    forgetReviewed: db.prepare<[string, string, number]>(
      'DELETE FROM reviewed_revisions WHERE server_set_id = ? AND reviewer = ? AND revision = ?',
    ),
    queuedIds: db.prepare<[], string>('SELECT server_set_id FROM review_queue').pluck(),
    pendingVerdictFor: db
      .prepare<[string], number>(
        "SELECT seq FROM review_outbox WHERE server_set_id = ? AND kind = 'verdict'",
      )
      .pluck(),
    dropQueued: db.prepare<[string]>('DELETE FROM review_queue WHERE server_set_id = ?'),
    upsertQueued: db.prepare<[QueuedSet]>(/* sql */ `
      INSERT INTO review_queue (server_set_id, clip_ref, project_id, annotator, revision, status,
        labels_json, submitted_at, model_share, pulled_at)
      VALUES (@server_set_id, @clip_ref, @project_id, @annotator, @revision, @status, @labels_json,
        @submitted_at, @model_share, @pulled_at)
      ON CONFLICT (server_set_id) DO UPDATE SET revision = excluded.revision,
        status = excluded.status, labels_json = excluded.labels_json,
        submitted_at = excluded.submitted_at, model_share = excluded.model_share,
        pulled_at = excluded.pulled_at`),
    // Read-only subqueries into media's `clips` and `batches`: each queued set is listed with the
    // batch and clip (and its file, for its name) it was imported as here, and one query is the
    // only sane way to list them.
    queue: db.prepare<[{ reviewer: string; set: string | null }], QueueRow>(/* sql */ `
      SELECT q.server_set_id, q.clip_ref, q.project_id, q.annotator, q.revision, q.status,
        q.labels_json, q.submitted_at, q.model_share,
        (SELECT b.name FROM clips c JOIN batches b ON b.id = c.batch_id
          WHERE c.sha256 = q.clip_ref OR (c.sha256 IS NULL AND c.expected_sha256 = q.clip_ref)
          ORDER BY c.imported_at LIMIT 1) AS batch,
        (SELECT c.id FROM clips c
          WHERE c.sha256 = q.clip_ref OR (c.sha256 IS NULL AND c.expected_sha256 = q.clip_ref)
          ORDER BY c.imported_at LIMIT 1) AS clip_id,
        (SELECT c.relative_path FROM clips c
          WHERE c.sha256 = q.clip_ref OR (c.sha256 IS NULL AND c.expected_sha256 = q.clip_ref)
          ORDER BY c.imported_at LIMIT 1) AS relative_path,
        (SELECT count(*) FROM review_comments m
          WHERE m.server_set_id = q.server_set_id AND m.resolved_at IS NULL) AS open_comments,
        (SELECT r.verdict FROM reviewed_revisions r WHERE r.server_set_id = q.server_set_id
          AND r.reviewer = @reviewer AND r.revision = q.revision) AS verdict
      FROM review_queue q
      WHERE @set IS NULL OR q.server_set_id = @set
      ORDER BY q.submitted_at, q.server_set_id`),
    lastReviewed: db.prepare<
      [string, string, number],
      { revision: number; labels_json: string }
    >(/* sql */ `
      SELECT revision, labels_json FROM reviewed_revisions
      WHERE server_set_id = ? AND reviewer = ? AND revision < ?
      ORDER BY revision DESC LIMIT 1`),
    // Comments received with one review share their `at`; rowid keeps the reviewer's order.
    comments: db.prepare<[string], CommentRow>(/* sql */ `
      SELECT id, server_set_id, revision, author, at, pin_json, text, suggestion_json,
        resolved_by, resolved_at, ${RESOLVE_REFUSED}
      FROM review_comments WHERE server_set_id = ? ORDER BY at, rowid`),
    comment: db.prepare<[string], CommentRow>(/* sql */ `
      SELECT id, server_set_id, revision, author, at, pin_json, text, suggestion_json,
        resolved_by, resolved_at, ${RESOLVE_REFUSED}
      FROM review_comments WHERE id = ?`),
    drafts: db.prepare<[string, number], CommentRow>(/* sql */ `
      SELECT id, server_set_id, revision, author, at, pin_json, text, suggestion_json,
        resolved_by, resolved_at, ${RESOLVE_REFUSED}
      FROM review_comments WHERE server_set_id = ? AND revision = ? AND sent_at IS NULL
      ORDER BY at, rowid`),
    insertDraft: db.prepare<[DraftComment]>(/* sql */ `
      INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text,
        suggestion_json)
      VALUES (@id, @server_set_id, @revision, @author, @at, @pin_json, @text, @suggestion_json)`),
    mapSet: db.prepare<[string, string]>(
      'INSERT OR IGNORE INTO review_sets (server_set_id, clip_ref) VALUES (?, ?)',
    ),
    setsOfClip: db
      .prepare<[string], string>('SELECT server_set_id FROM review_sets WHERE clip_ref = ?')
      .pluck(),
    queuedOfClip: db
      .prepare<[string], string>('SELECT server_set_id FROM review_queue WHERE clip_ref = ?')
      .pluck(),
    purgeComments: db.prepare<[string]>('DELETE FROM review_comments WHERE server_set_id = ?'),
    purgeOutbox: db.prepare<[string]>('DELETE FROM review_outbox WHERE server_set_id = ?'),
    purgeReviewed: db.prepare<[string]>('DELETE FROM reviewed_revisions WHERE server_set_id = ?'),
    purgeSetOfClip: db.prepare<[string]>('DELETE FROM review_sets WHERE server_set_id = ?'),
    insertReceived: db.prepare<[ReceivedComment]>(/* sql */ `
      INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text,
        suggestion_json, sent_at)
      VALUES (@id, @server_set_id, @revision, @author, @at, @pin_json, @text, @suggestion_json,
        @sent_at)
      ON CONFLICT (id) DO NOTHING`),
    // The server's word on resolution wins only when it has one: a local resolve not yet
    // delivered stays resolved here.
    upsertReceived: db.prepare<
      [ReceivedComment & { resolved_by: string | null; resolved_at: string | null }]
    >(/* sql */ `
      INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text,
        suggestion_json, sent_at, resolved_by, resolved_at)
      VALUES (@id, @server_set_id, @revision, @author, @at, @pin_json, @text, @suggestion_json,
        @sent_at, @resolved_by, @resolved_at)
      ON CONFLICT (id) DO UPDATE SET
        resolved_by = coalesce(excluded.resolved_by, review_comments.resolved_by),
        resolved_at = coalesce(excluded.resolved_at, review_comments.resolved_at),
        sent_at = coalesce(review_comments.sent_at, excluded.sent_at)`),
    markSent: db.prepare<[string, string, number]>(
      'UPDATE review_comments SET sent_at = ? WHERE server_set_id = ? AND revision = ? AND sent_at IS NULL',
    ),
    insertOutbox: db.prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO review_outbox (id, kind, server_set_id, payload_json, created_at)
      VALUES (?, ?, ?, ?, ?)`),
    insertReviewed: db.prepare<[string, string, number, string, string, string]>(/* sql */ `
      INSERT INTO reviewed_revisions (server_set_id, reviewer, revision, verdict, labels_json,
        reviewed_at) VALUES (?, ?, ?, ?, ?, ?)`),
    resolve: db.prepare<[string, string, string]>(
      'UPDATE review_comments SET resolved_by = ?, resolved_at = ? WHERE id = ? AND resolved_at IS NULL',
    ),
    reviewerOf: db
      .prepare<[string, number], string>(
        'SELECT reviewer FROM reviewed_revisions WHERE server_set_id = ? AND revision = ? LIMIT 1',
      )
      .pluck(),
    resolverOf: db
      .prepare<[string], string | null>('SELECT resolved_by FROM review_comments WHERE id = ?')
      .pluck(),
    deliveryIssues: db.prepare<[], ReviewIssueRow>(/* sql */ `
      SELECT o.id, o.kind, o.server_set_id, o.state, o.payload_json, o.last_error, o.created_at,
        coalesce(
          (SELECT q.clip_ref FROM review_queue q WHERE q.server_set_id = o.server_set_id),
          (SELECT m.clip_ref FROM review_sets m WHERE m.server_set_id = o.server_set_id)
        ) AS clip_ref
      FROM review_outbox o
      WHERE o.state = 'failed' OR o.last_error IS NOT NULL ORDER BY o.seq`),
    pendingOutbox: db.prepare<[number], ReviewOutboxRow>(/* sql */ `
      SELECT seq, id, kind, server_set_id, payload_json, attempts, next_attempt_at
      FROM review_outbox WHERE state = 'pending' ORDER BY seq LIMIT ?`),
    pendingCount: db
      .prepare<[], number>("SELECT count(*) FROM review_outbox WHERE state = 'pending'")
      .pluck(),
    deleteOutbox: db.prepare<[string]>('DELETE FROM review_outbox WHERE id = ?'),
    retry: db.prepare<[number, number, string, string]>(
      'UPDATE review_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
    ),
    makeDue: db.prepare(
      "UPDATE review_outbox SET next_attempt_at = 0 WHERE state = 'pending' AND next_attempt_at > 0",
    ),
    fail: db.prepare<[number, string, string]>(
      "UPDATE review_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
    ),
    upsertDouble: db.prepare<[DoubleSetRow & { pulled_at: string }]>(/* sql */ `
      INSERT INTO double_annotation_sets (server_set_id, server, clip_ref, project_id, annotator,
        status, revision, labels_json, updated_at, pulled_at)
      VALUES (@server_set_id, @server, @clip_ref, @project_id, @annotator, @status, @revision,
        @labels_json, @updated_at, @pulled_at)
      ON CONFLICT (server_set_id) DO UPDATE SET server = excluded.server,
        clip_ref = excluded.clip_ref, project_id = excluded.project_id,
        annotator = excluded.annotator, status = excluded.status, revision = excluded.revision,
        labels_json = excluded.labels_json, updated_at = excluded.updated_at,
        pulled_at = excluded.pulled_at
      WHERE excluded.revision > double_annotation_sets.revision`),
    revisionsOfServer: db.prepare<[string], { id: string; revision: number }>(
      'SELECT server_set_id AS id, revision FROM double_annotation_sets WHERE server = ?',
    ),
    idsOfServer: db
      .prepare<[string], string>(
        'SELECT server_set_id FROM double_annotation_sets WHERE server = ?',
      )
      .pluck(),
    removeOfClip: db.prepare<[string]>('DELETE FROM double_annotation_sets WHERE clip_ref = ?'),
    remove: db.prepare<[string]>('DELETE FROM double_annotation_sets WHERE server_set_id = ?'),
  };
}
