import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  diffEntries,
  modelShare,
  pinOfWire,
  toWireComment,
  type AddReviewComment,
  type CommentNotCarried,
  type OpenedReview,
  type RefusedVerdict,
  type ReviewAgainResult,
  type ReviewQueueItem,
  type SubmitReview,
} from '../../../shared/api/reviewSchemas';
import type {
  ReviewBody,
  ReviewQueueEntry,
  SyncEvent,
  ReviewComment as WireComment,
} from '../../../shared/api/syncProtocol';
import { ApiError } from '../../../shared/api/apiError';
import { CommandSchema, LabelsDocument } from '../../../shared/domain/labels';
import { ReviewComment, labelsDiff, type CommentPin } from '../../../shared/domain/review';
import type { AuditLog } from '../audit/auditLog';
import type { Db, Tx } from '../db/db';
import type { WithdrawnClips } from '../governance/consentQueries';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';

export type ReviewErrorCode =
  | 'REVIEW_NOT_FOUND'
  | 'COMMENT_NOT_FOUND'
  | 'REVIEW_ALREADY_GIVEN'
  | 'REASON_REQUIRED'
  | 'PIN_NOT_FOUND'
  | 'REVIEW_REFUSED'
  | 'REVIEW_NOT_REFUSED'
  | 'REVIEW_NOT_REFRESHED'
  | 'RESOLVE_NOT_REFUSED';

/** A review step refused; the contract passes the code and the sentence to the user. */
export class ReviewError extends ApiError<ReviewErrorCode> {
  override name = 'ReviewError';
}

/** A verdict or resolution waiting to be delivered; `id` is the Idempotency-Key. */
export type ReviewOutboxItem =
  | {
      seq: number;
      id: string;
      kind: 'verdict';
      serverSetId: string;
      payload: ReviewBody;
      attempts: number;
      nextAttemptAt: number;
    }
  | {
      seq: number;
      id: string;
      kind: 'resolve';
      serverSetId: string;
      payload: { commentId: string };
      attempts: number;
      nextAttemptAt: number;
    };

type QueueRow = {
  server_set_id: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  revision: number;
  status: string;
  labels_json: string;
  submitted_at: string;
  model_share: number;
  batch: string | null;
  clip_id: string | null;
  open_comments: number;
  verdict: 'accept' | 'request_changes' | null;
};

type CommentRow = {
  id: string;
  server_set_id: string;
  revision: number;
  author: string;
  at: string;
  pin_json: string;
  text: string;
  suggestion_json: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  /** `last_error` of this comment's resolution the server refused for good, if any. */
  resolve_refused?: string | null;
};

/** An outbox row's `last_error`, "CODE: the server's sentence", split again. */
function splitError(error: string): { code: string; message: string } {
  const colon = error.indexOf(': ');
  return colon < 0
    ? { code: error, message: '' }
    : { code: error.slice(0, colon), message: error.slice(colon + 2) };
}

function toComment(row: CommentRow): ReviewComment {
  return ReviewComment.parse({
    id: row.id,
    setId: row.server_set_id,
    revision: row.revision,
    author: row.author,
    at: row.at,
    pin: JSON.parse(row.pin_json) as unknown,
    text: row.text,
    suggestion:
      row.suggestion_json === null
        ? null
        : CommandSchema.parse(JSON.parse(row.suggestion_json) as unknown),
    resolved:
      row.resolved_by === null || row.resolved_at === null
        ? null
        : { by: row.resolved_by, at: row.resolved_at },
    ...(row.resolve_refused === undefined || row.resolve_refused === null
      ? {}
      : { resolveRefused: splitError(row.resolve_refused) }),
  });
}

type RefusedRow = {
  id: string;
  payload_json: string;
  last_error: string | null;
  created_at: string;
};

/** The refused verdict as the queue shows it; `last_error` holds "CODE: the server's sentence". */
function toRefused(row: RefusedRow): RefusedVerdict {
  const body = JSON.parse(row.payload_json) as ReviewBody;
  return {
    verdict: body.verdict,
    revision: body.baseRevision,
    ...splitError(row.last_error ?? 'REFUSED: The server refused this verdict.'),
    givenAt: row.created_at,
  };
}

function toItem(row: QueueRow, refused: RefusedRow | undefined): ReviewQueueItem {
  return {
    setId: row.server_set_id,
    clipRef: row.clip_ref,
    projectId: row.project_id,
    annotator: row.annotator,
    batch: row.batch,
    clipId: row.clip_id,
    revision: row.revision,
    status: row.status,
    submittedAt: row.submitted_at,
    modelShare: row.model_share,
    openComments: row.open_comments,
    verdict: row.verdict,
    refused: refused === undefined ? null : toRefused(refused),
  };
}

/**
 * QA review on this workstation, over the store's connection: the reviewer's cached queue, draft
 * and received comments, verdicts and resolutions queued for delivery. Every user step is one
 * transaction with its audit entry and (for a verdict or a resolution) its outbox row, so what
 * the user saw saved is exactly what gets sent, once.
 */
export class Reviews implements ClipDataOwner {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #s: ReturnType<typeof prepare>;

  readonly #withdrawn: WithdrawnClips;

  constructor(deps: { db: Db; audit: AuditLog; withdrawn: WithdrawnClips }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#withdrawn = deps.withdrawn;
    this.#s = prepare(deps.db.connection);
  }

  /**
   * Withdrawal: the cached queue row, comments, queued verdicts and resolutions, and the
   * reviewed revisions of every server set of the clip: those `review_sets` maps to its sha256,
   * and `serverSetIds` (the annotator's own sets, as sync knows them). Returns the rows removed.
   */
  readonly clipTables = [
    'review_queue',
    'review_comments',
    'review_outbox',
    'reviewed_revisions',
    'review_sets',
  ] as const;

  purgeClip(_tx: Tx, clip: WithdrawnClip): number {
    const s = this.#s;
    const ids = new Set(clip.serverSetIds);
    if (clip.sha256 !== null) {
      for (const id of s.setsOfClip.all(clip.sha256)) ids.add(id);
      for (const id of s.queuedOfClip.all(clip.sha256)) ids.add(id);
    }
    let rows = 0;
    for (const id of ids) {
      rows += s.purgeComments.run(id).changes;
      rows += s.purgeOutbox.run(id).changes;
      rows += s.purgeReviewed.run(id).changes;
      rows += s.dropQueued.run(id).changes;
      rows += s.purgeSetOfClip.run(id).changes;
    }
    return rows;
  }

  /**
   * Replaces the cached queue with what the server just listed. A set this reviewer already
   * gave a verdict on stays until the verdict is delivered, so an offline review is never lost
   * from view; earlier comments (with their resolution) are refreshed.
   */
  cacheQueue(listed: readonly ReviewQueueEntry[], actor: string): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      // A withdrawn clip's sets are never cached again, though the server may still list them.
      const kept = listed.filter((entry) => !this.#withdrawn.isWithdrawn(entry.clipRef));
      const listedIds = new Set(kept.map((e) => e.setId));
      for (const id of this.#s.queuedIds.all()) {
        if (listedIds.has(id)) continue;
        // Kept for its verdict; marked so "Review again" after a refusal knows the server no
        // longer offers the set to this reviewer.
        if (this.#s.pendingVerdictFor.get(id) === undefined) this.#s.dropQueued.run(id);
        else this.#s.markUnlisted.run(id);
      }
      for (const entry of kept) {
        this.#s.mapSet.run(entry.setId, entry.clipRef.toLowerCase());
        const labels = entry.labels ?? { tracks: [], segments: [], contacts: [] };
        this.#s.upsertQueued.run({
          server_set_id: entry.setId,
          clip_ref: entry.clipRef,
          project_id: entry.projectId,
          annotator: entry.annotator,
          revision: entry.revision,
          status: entry.status,
          labels_json: JSON.stringify(labels),
          submitted_at: entry.submittedAt,
          model_share: modelShare(LabelsDocument.parse(labels)),
          pulled_at: at,
        });
        for (const comment of entry.comments) {
          this.#s.upsertReceived.run({
            id: comment.id,
            server_set_id: entry.setId,
            revision: comment.revision,
            author: comment.reviewer,
            at: comment.at,
            pin_json: JSON.stringify(pinOfWire(comment)),
            text: comment.text,
            suggestion_json:
              comment.suggestion === undefined ? null : JSON.stringify(comment.suggestion),
            sent_at: comment.at,
            resolved_by: comment.resolvedBy,
            resolved_at: comment.resolvedAt,
          });
        }
      }
      this.#audit.append(
        tx,
        {
          actor,
          action: 'review.queue_pulled',
          entityType: 'review_queue',
          entityId: 'queue',
          details: { sets: kept.length },
        },
        at,
      );
    });
  }

  listQueue(reviewer: string): ReviewQueueItem[] {
    return this.#s.queue
      .all({ reviewer, set: null })
      .map((row) => toItem(row, this.#s.refusedFor.get(row.server_set_id)));
  }

  #queued(setId: string, reviewer: string): QueueRow {
    const row = this.#s.queue.get({ reviewer, set: setId });
    if (row === undefined) {
      throw new ReviewError(
        'REVIEW_NOT_FOUND',
        `Set ${setId} is not in your review queue; sync to refresh the queue.`,
      );
    }
    return row;
  }

  /** The labels to review (read-only), every comment on the set, and what changed since last time. */
  open(setId: string, reviewer: string): OpenedReview {
    const row = this.#queued(setId, reviewer);
    const labels = LabelsDocument.parse(JSON.parse(row.labels_json) as unknown);
    const previous = this.#s.lastReviewed.get(setId, reviewer, row.revision);
    return {
      item: toItem(row, this.#s.refusedFor.get(setId)),
      labels,
      comments: this.comments(setId),
      changesSince:
        previous === undefined
          ? null
          : {
              revision: previous.revision,
              entries: diffEntries(
                labelsDiff(
                  LabelsDocument.parse(JSON.parse(previous.labels_json) as unknown),
                  labels,
                ),
              ),
            },
    };
  }

  /** While a refused verdict waits for "Review again", nothing new is added on top of it. */
  #notRefused(setId: string): void {
    const refused = this.#s.refusedFor.get(setId);
    if (refused === undefined) return;
    const { revision, code, message } = toRefused(refused);
    throw new ReviewError(
      'REVIEW_REFUSED',
      `The server refused your verdict on revision ${revision} (${code}: ${message}). ` +
        'Choose "Review again" to load the current revision first.',
    );
  }

  /**
   * "Review again" after the server refused a verdict for good, on the queue as the last sync
   * pulled it. When the server still offers the set, its current revision is opened for a new
   * verdict (the diff since the refused revision shows what changed) and the refused verdict's
   * comments become drafts of that revision where they still apply; the others are listed, with
   * why, and kept whole in the audit entry. When the server no longer offers it, the refusal is
   * closed. One transaction: the refused outbox row goes with the step that deals with it, so
   * nothing is sent twice and the new verdict goes out as a new row.
   */
  reviewAgain(setId: string, reviewer: string): ReviewAgainResult {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewAgainResult => {
      const refusedRow = this.#s.refusedFor.get(setId);
      if (refusedRow === undefined) {
        throw new ReviewError(
          'REVIEW_NOT_REFUSED',
          'The server has not refused a verdict on this set; there is nothing to review again.',
        );
      }
      const refused = toRefused(refusedRow);
      const row = this.#queued(setId, reviewer);
      const unlisted = row.status === UNLISTED;
      if (!unlisted && refused.code === 'STALE_REVISION' && row.revision <= refused.revision) {
        throw new ReviewError(
          'REVIEW_NOT_REFRESHED',
          `The server holds a newer revision than ${refused.revision}, and this workstation ` +
            'has not pulled it yet: sync, then review again.',
        );
      }
      const body = JSON.parse(refusedRow.payload_json) as ReviewBody;
      const unsent = body.comments.flatMap((wire) => {
        const comment = wire.id === undefined ? undefined : this.#s.comment.get(wire.id);
        return comment === undefined ? [] : [toComment(comment)];
      });
      const carried: ReviewComment[] = [];
      const notCarried: CommentNotCarried[] = [];
      if (unlisted) {
        for (const comment of unsent) {
          notCarried.push({ comment, why: 'The set is no longer in your review queue.' });
        }
      } else {
        const labels = LabelsDocument.parse(JSON.parse(row.labels_json) as unknown);
        const frames = row.clip_id === null ? undefined : this.#s.frameCount.get(row.clip_id);
        for (const comment of unsent) {
          const why = whyNotCarried(comment.pin, labels, frames);
          if (why === null) carried.push({ ...comment, revision: row.revision });
          else notCarried.push({ comment, why });
        }
      }
      this.#s.deleteOutbox.run(refusedRow.id);
      for (const comment of carried) this.#s.carry.run(row.revision, comment.id);
      for (const { comment } of notCarried) this.#s.deleteComment.run(comment.id);
      if (unlisted) {
        this.#s.dropQueued.run(setId);
      } else if (row.revision === refused.revision) {
        // Same revision (the server refused for another reason and still offers the set):
        // the refused verdict never counted, so a new one may be given.
        this.#s.forgetReviewed.run(setId, reviewer, row.revision);
      }
      const result: ReviewAgainResult = {
        setId,
        outcome: unlisted ? 'closed' : 'reopened',
        refusedRevision: refused.revision,
        revision: unlisted ? null : row.revision,
        carried,
        notCarried,
      };
      this.#audit.append(
        tx,
        {
          actor: reviewer,
          action: unlisted ? 'review.refusal_closed' : 'review.review_again',
          entityType: 'review',
          entityId: setId,
          details: {
            refusedOutboxId: refusedRow.id,
            refused,
            revision: result.revision,
            carried: carried.map((c) => c.id),
            // Whole, so a comment dropped from the set is never lost.
            notCarried: notCarried.map(({ comment, why }) => ({
              id: comment.id,
              pin: comment.pin,
              text: comment.text,
              why,
            })),
          },
        },
        at,
      );
      return result;
    });
  }

  comments(serverSetId: string): ReviewComment[] {
    return this.#s.comments.all(serverSetId).map(toComment);
  }

  /** The annotator's view: comments on their local set, found through the server's set id. */
  commentsForLocalSet(localSetId: string): ReviewComment[] {
    const serverSetId = this.#s.serverSetOf.get(localSetId);
    return serverSetId === undefined || serverSetId === null ? [] : this.comments(serverSetId);
  }

  /** A reviewer's comment, kept as a draft until the verdict carries it to the server. */
  addComment(input: AddReviewComment, reviewer: string): ReviewComment {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewComment => {
      const row = this.#queued(input.setId, reviewer);
      this.#notRefused(input.setId);
      if (row.verdict !== null) {
        throw new ReviewError(
          'REVIEW_ALREADY_GIVEN',
          'You already gave a verdict on this revision; comments go with the next one.',
        );
      }
      const labels = LabelsDocument.parse(JSON.parse(row.labels_json) as unknown);
      checkPin(input.pin, labels);
      const comment = ReviewComment.parse({
        id: randomUUID(),
        setId: input.setId,
        revision: row.revision,
        author: reviewer,
        at,
        pin: input.pin,
        text: input.text,
        suggestion: input.suggestion ?? null,
        resolved: null,
      });
      this.#s.insertDraft.run({
        id: comment.id,
        server_set_id: comment.setId,
        revision: comment.revision,
        author: comment.author,
        at,
        pin_json: JSON.stringify(comment.pin),
        text: comment.text,
        suggestion_json: comment.suggestion === null ? null : JSON.stringify(comment.suggestion),
      });
      this.#audit.append(
        tx,
        {
          actor: reviewer,
          action: 'review.comment_added',
          entityType: 'review_comment',
          entityId: comment.id,
          details: { setId: comment.setId, revision: comment.revision, pin: comment.pin },
        },
        at,
      );
      return comment;
    });
  }

  /**
   * Records the verdict and queues it, with this revision's draft comments, in one transaction.
   * One verdict per revision: a second is refused here rather than sent and refused there.
   */
  submitVerdict(input: SubmitReview, reviewer: string): { outboxId: string; comments: number } {
    const at = new Date().toISOString();
    const reason = input.reason?.trim() ?? '';
    if (input.verdict === 'request_changes' && reason === '') {
      throw new ReviewError(
        'REASON_REQUIRED',
        'Say why changes are requested: the annotator needs a reason to act on.',
      );
    }
    return this.#db.write((tx) => {
      const row = this.#queued(input.setId, reviewer);
      this.#notRefused(input.setId);
      if (row.verdict !== null) {
        throw new ReviewError(
          'REVIEW_ALREADY_GIVEN',
          `You already gave a verdict on revision ${row.revision} of this set.`,
        );
      }
      const drafts = this.#s.drafts.all(input.setId, row.revision).map(toComment);
      const comments: WireComment[] = drafts.map(toWireComment);
      const body: ReviewBody = {
        verdict: input.verdict,
        baseRevision: row.revision,
        comments,
        ...(reason === '' ? {} : { reason }),
      };
      const outboxId = randomUUID();
      this.#s.markSent.run(at, input.setId, row.revision);
      this.#s.insertOutbox.run(outboxId, 'verdict', input.setId, JSON.stringify(body), at);
      this.#s.insertReviewed.run(
        input.setId,
        reviewer,
        row.revision,
        input.verdict,
        row.labels_json,
        at,
      );
      this.#audit.append(
        tx,
        {
          actor: reviewer,
          action: `review.${input.verdict}`,
          entityType: 'review',
          entityId: input.setId,
          // Ids and counts only: the reason is the reviewer's words about the contributor's
          // clip, and the append-only log would keep them past a withdrawal.
          details: {
            revision: row.revision,
            comments: comments.length,
            outboxId,
            reasonGiven: reason !== '',
          },
        },
        at,
      );
      return { outboxId, comments: comments.length };
    });
  }

  /**
   * The annotator's side of a pulled review event: its comments, stored once (ids are the
   * server's, so a re-pulled event inserts nothing).
   */
  saveReviewEvent(event: Extract<SyncEvent, { kind: 'review' }>, actor: string): number {
    const at = new Date().toISOString();
    // Nothing about a withdrawn clip is stored again, though the server may still send it.
    if (this.#withdrawn.isWithdrawn(event.clipRef)) return 0;
    return this.#db.write((tx): number => {
      this.#s.mapSet.run(event.setId, event.clipRef.toLowerCase());
      let added = 0;
      // The review bumped the revision; the comments are about the one before it.
      const reviewed = Math.max(0, event.revision - 1);
      for (const [index, comment] of event.comments.entries()) {
        const id = comment.id ?? `${event.setId}:${event.revision}:${index}`;
        added += this.#s.insertReceived.run({
          id,
          server_set_id: event.setId,
          revision: reviewed,
          author: event.reviewer,
          at,
          pin_json: JSON.stringify(pinOfWire(comment)),
          text: comment.text,
          suggestion_json:
            comment.suggestion === undefined ? null : JSON.stringify(comment.suggestion),
          sent_at: at,
        }).changes;
      }
      if (added > 0) {
        this.#audit.append(
          tx,
          {
            actor,
            action: 'review.comments_received',
            entityType: 'review',
            entityId: event.setId,
            details: {
              verdict: event.verdict,
              revision: event.revision,
              comments: added,
              reasonGiven: event.reason !== undefined,
            },
          },
          at,
        );
      }
      return added;
    });
  }

  #existingComment(commentId: string) {
    const row = this.#s.comment.get(commentId);
    if (row === undefined) {
      throw new ReviewError('COMMENT_NOT_FOUND', `No comment ${commentId}; sync to refresh.`);
    }
    return row;
  }

  /** The annotator resolves a comment: recorded and queued for the server together. */
  resolveComment(commentId: string, actor: string): ReviewComment {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewComment => {
      const row = this.#existingComment(commentId);
      if (row.resolved_at !== null) return toComment(row);
      this.#s.resolve.run(actor, at, commentId);
      const outboxId = randomUUID();
      this.#s.insertOutbox.run(
        outboxId,
        'resolve',
        row.server_set_id,
        JSON.stringify({ commentId }),
        at,
      );
      this.#audit.append(
        tx,
        {
          actor,
          action: 'review.comment_resolved',
          entityType: 'review_comment',
          entityId: commentId,
          details: { setId: row.server_set_id, outboxId },
        },
        at,
      );
      return toComment({ ...row, resolved_by: actor, resolved_at: at });
    });
  }

  /**
   * The annotator takes back a resolution the server refused for good, so the comment is open
   * here as it is there; resolving it again queues a new resolution under a new key.
   */
  reopenComment(commentId: string, actor: string): ReviewComment {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewComment => {
      const row = this.#existingComment(commentId);
      const refused = this.#s.refusedResolves.all(commentId);
      if (refused.length === 0) {
        throw new ReviewError(
          'RESOLVE_NOT_REFUSED',
          'The server has not refused resolving this comment; there is nothing to reopen.',
        );
      }
      for (const outbox of refused) this.#s.deleteOutbox.run(outbox.id);
      this.#s.unresolve.run(commentId);
      this.#audit.append(
        tx,
        {
          actor,
          action: 'review.comment_reopened',
          entityType: 'review_comment',
          entityId: commentId,
          details: {
            setId: row.server_set_id,
            refusedOutboxIds: refused.map((r) => r.id),
            ...(row.resolve_refused ? splitError(row.resolve_refused) : {}),
          },
        },
        at,
      );
      return toComment({ ...row, resolved_by: null, resolved_at: null, resolve_refused: null });
    });
  }

  pendingOutbox(limit: number): ReviewOutboxItem[] {
    return this.#s.pendingOutbox.all(limit).map((row): ReviewOutboxItem => {
      const common = {
        seq: row.seq,
        id: row.id,
        serverSetId: row.server_set_id,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
      };
      return row.kind === 'verdict'
        ? { ...common, kind: 'verdict', payload: JSON.parse(row.payload_json) as ReviewBody }
        : {
            ...common,
            kind: 'resolve',
            payload: JSON.parse(row.payload_json) as { commentId: string },
          };
    });
  }

  pendingCount(): number {
    return this.#s.pendingCount.get() ?? 0;
  }

  markDelivered(item: ReviewOutboxItem, actor: string, detail: Record<string, unknown>): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#s.deleteOutbox.run(item.id);
      this.#audit.append(
        tx,
        {
          actor,
          action: `review.${item.kind}_delivered`,
          entityType: 'review',
          entityId: item.serverSetId,
          details: { outboxId: item.id, ...detail },
        },
        at,
      );
    });
  }

  recordRetry(outboxId: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.#s.retry.run(attempts, nextAttemptAt, error, outboxId);
  }

  /** Every pending verdict and resolution due now (see `SyncQueue.makePendingDue`). */
  makePendingDue(): void {
    this.#s.makeDue.run();
  }

  /** The server refused for good (stale revision, not yours): parked with its reason, never dropped. */
  recordRefusal(item: ReviewOutboxItem, code: string, message: string, actor: string): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#s.fail.run(item.attempts + 1, `${code}: ${message}`, item.id);
      this.#audit.append(
        tx,
        {
          actor,
          action: `review.${item.kind}_refused`,
          entityType: 'review',
          entityId: item.serverSetId,
          details: { outboxId: item.id, code },
        },
        at,
      );
    });
  }
}

/** Why a refused verdict's comment does not fit the revision reviewed again; null when it does. */
function whyNotCarried(
  pin: CommentPin,
  labels: LabelsDocument,
  frameCount: number | undefined,
): string | null {
  const pastEnd = (frame: number) =>
    frameCount !== undefined && frame >= frameCount
      ? `Frame ${frame} is past the clip's last frame (${frameCount - 1}).`
      : null;
  switch (pin.kind) {
    case 'frame':
      return pastEnd(pin.frame);
    case 'point':
      return labels.tracks.some((t) => t.id === pin.trackId)
        ? pastEnd(pin.frame)
        : `Track ${pin.trackId} is no longer in the labels.`;
    case 'segment':
      return labels.segments.some((s) => s.id === pin.segmentId)
        ? null
        : `Segment ${pin.segmentId} is no longer in the labels.`;
    case 'contact':
      return labels.contacts.some((c) => c.id === pin.contactId)
        ? null
        : `Contact label ${pin.contactId} is no longer in the labels.`;
  }
}

/** A pin must name something in the labels reviewed (a point's slot must exist on its track). */
function checkPin(pin: CommentPin, labels: LabelsDocument): void {
  const missing = (what: string) =>
    new ReviewError('PIN_NOT_FOUND', `${what} is not in the labels under review.`);
  switch (pin.kind) {
    case 'frame':
      return;
    case 'point': {
      const track = labels.tracks.find((t) => t.id === pin.trackId);
      if (track === undefined) throw missing(`Track ${pin.trackId}`);
      return;
    }
    case 'segment':
      if (!labels.segments.some((s) => s.id === pin.segmentId))
        throw missing(`Segment ${pin.segmentId}`);
      return;
    case 'contact':
      if (!labels.contacts.some((c) => c.id === pin.contactId))
        throw missing(`Contact label ${pin.contactId}`);
      return;
  }
}

/** The refused resolution of the comment in the row at hand, as a column of comment queries. */
const RESOLVE_REFUSED = /* sql */ `
  (SELECT o.last_error FROM review_outbox o
    WHERE o.kind = 'resolve' AND o.state = 'failed'
      AND json_extract(o.payload_json, '$.commentId') = review_comments.id
    ORDER BY o.seq DESC LIMIT 1) AS resolve_refused`;

/** `review_queue.status` of a set kept for its verdict after the server stopped listing it. */
const UNLISTED = 'unlisted';

function prepare(db: Database) {
  return {
    markUnlisted: db.prepare<[string]>(
      `UPDATE review_queue SET status = '${UNLISTED}' WHERE server_set_id = ?`,
    ),
    refusedFor: db.prepare<[string], RefusedRow>(/* sql */ `
      SELECT id, payload_json, last_error, created_at FROM review_outbox
      WHERE server_set_id = ? AND kind = 'verdict' AND state = 'failed'
      ORDER BY seq DESC LIMIT 1`),
    frameCount: db.prepare<[string], number>('SELECT frame_count FROM clips WHERE id = ?').pluck(),
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
    upsertQueued: db.prepare<
      [
        {
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
        },
      ]
    >(/* sql */ `
      INSERT INTO review_queue (server_set_id, clip_ref, project_id, annotator, revision, status,
        labels_json, submitted_at, model_share, pulled_at)
      VALUES (@server_set_id, @clip_ref, @project_id, @annotator, @revision, @status, @labels_json,
        @submitted_at, @model_share, @pulled_at)
      ON CONFLICT (server_set_id) DO UPDATE SET revision = excluded.revision,
        status = excluded.status, labels_json = excluded.labels_json,
        submitted_at = excluded.submitted_at, model_share = excluded.model_share,
        pulled_at = excluded.pulled_at`),
    queue: db.prepare<[{ reviewer: string; set: string | null }], QueueRow>(/* sql */ `
      SELECT q.server_set_id, q.clip_ref, q.project_id, q.annotator, q.revision, q.status,
        q.labels_json, q.submitted_at, q.model_share,
        (SELECT b.name FROM clips c JOIN batches b ON b.id = c.batch_id
          WHERE c.sha256 = q.clip_ref OR (c.sha256 IS NULL AND c.expected_sha256 = q.clip_ref)
          ORDER BY c.imported_at LIMIT 1) AS batch,
        (SELECT c.id FROM clips c
          WHERE c.sha256 = q.clip_ref OR (c.sha256 IS NULL AND c.expected_sha256 = q.clip_ref)
          ORDER BY c.imported_at LIMIT 1) AS clip_id,
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
    serverSetOf: db
      .prepare<[string], string | null>('SELECT server_set_id FROM sync_sets WHERE set_id = ?')
      .pluck(),
    insertDraft: db.prepare<
      [
        {
          id: string;
          server_set_id: string;
          revision: number;
          author: string;
          at: string;
          pin_json: string;
          text: string;
          suggestion_json: string | null;
        },
      ]
    >(/* sql */ `
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
    insertReceived: db.prepare<
      [
        {
          id: string;
          server_set_id: string;
          revision: number;
          author: string;
          at: string;
          pin_json: string;
          text: string;
          suggestion_json: string | null;
          sent_at: string;
        },
      ]
    >(/* sql */ `
      INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text,
        suggestion_json, sent_at)
      VALUES (@id, @server_set_id, @revision, @author, @at, @pin_json, @text, @suggestion_json,
        @sent_at)
      ON CONFLICT (id) DO NOTHING`),
    // The server's word on resolution wins only when it has one: a local resolve not yet
    // delivered stays resolved here.
    upsertReceived: db.prepare<
      [
        {
          id: string;
          server_set_id: string;
          revision: number;
          author: string;
          at: string;
          pin_json: string;
          text: string;
          suggestion_json: string | null;
          sent_at: string;
          resolved_by: string | null;
          resolved_at: string | null;
        },
      ]
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
    pendingOutbox: db.prepare<
      [number],
      {
        seq: number;
        id: string;
        kind: 'verdict' | 'resolve';
        server_set_id: string;
        payload_json: string;
        attempts: number;
        next_attempt_at: number;
      }
    >(/* sql */ `
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
  };
}
