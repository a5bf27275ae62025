import { randomUUID } from 'node:crypto';
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
import type { Db, ReadTx, Tx } from '../db/db';
import type { WithdrawnClips } from '../governance/consentQueries';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import type { MediaRepository } from '../media/mediaRepository';
import type { SyncQueue } from '../sync/syncQueue';
import {
  UNLISTED,
  type CommentRow,
  type QueueRow,
  type RefusedRow,
  type ReviewRepository,
} from './reviewRepository';

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

/** A verdict or resolution that has not gone through (see `Reviews.deliveryIssues`). */
export type ReviewDeliveryIssue = {
  outboxId: string;
  kind: 'verdict' | 'resolve';
  state: 'refused' | 'waiting';
  serverSetId: string;
  clipRef: string | null;
  commentId: string | null;
  code: string;
  message: string;
  at: string;
  /** Who gave it (the account whose token may carry it); null when no longer known here. */
  owner: string | null;
};

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
    ...(row.relative_path === null
      ? {}
      : { fileName: row.relative_path.split(/[\\/]/).pop() ?? row.relative_path }),
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
  readonly #repo: ReviewRepository;
  readonly #withdrawn: WithdrawnClips;
  /** Media's: a clip's frame count, to tell whether a carried comment's frame still exists. */
  readonly #clips: Pick<MediaRepository, 'clip'>;
  /** Sync's: the server's id of the annotator's local set, to find its comments. */
  readonly #sync: Pick<SyncQueue, 'serverSetIdsOf'>;

  constructor(deps: {
    db: Db;
    repository: ReviewRepository;
    audit: AuditLog;
    withdrawn: WithdrawnClips;
    clips: Pick<MediaRepository, 'clip'>;
    sync: Pick<SyncQueue, 'serverSetIdsOf'>;
  }) {
    this.#db = deps.db;
    this.#repo = deps.repository;
    this.#audit = deps.audit;
    this.#withdrawn = deps.withdrawn;
    this.#clips = deps.clips;
    this.#sync = deps.sync;
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

  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    const ids = new Set(clip.serverSetIds);
    if (clip.sha256 !== null) {
      for (const id of this.#repo.serverSetsOfClip(tx, clip.sha256)) ids.add(id);
    }
    let rows = 0;
    for (const id of ids) rows += this.#repo.purgeServerSet(tx, id);
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
      for (const id of this.#repo.queuedSetIds(tx)) {
        if (listedIds.has(id)) continue;
        // Kept for its verdict; marked so "Review again" after a refusal knows the server no
        // longer offers the set to this reviewer.
        if (this.#repo.hasVerdictQueued(tx, id)) this.#repo.markUnlisted(tx, id);
        else this.#repo.dropFromQueue(tx, id);
      }
      for (const entry of kept) {
        this.#repo.mapSetToClip(tx, entry.setId, entry.clipRef.toLowerCase());
        const labels = entry.labels ?? { tracks: [], segments: [], contacts: [] };
        this.#repo.saveQueued(tx, {
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
          this.#repo.refreshComment(tx, {
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
    return this.#db.read((tx) =>
      this.#repo
        .queue(tx, reviewer)
        .map((row) => toItem(row, this.#repo.refusedVerdict(tx, row.server_set_id))),
    );
  }

  #queued(tx: ReadTx, setId: string, reviewer: string): QueueRow {
    const row = this.#repo.queued(tx, reviewer, setId);
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
    return this.#db.read((tx) => this.#open(tx, setId, reviewer));
  }

  #open(tx: ReadTx, setId: string, reviewer: string): OpenedReview {
    const row = this.#queued(tx, setId, reviewer);
    const labels = LabelsDocument.parse(JSON.parse(row.labels_json) as unknown);
    const previous = this.#repo.lastReviewedBefore(tx, setId, reviewer, row.revision);
    return {
      item: toItem(row, this.#repo.refusedVerdict(tx, setId)),
      labels,
      comments: this.#repo.comments(tx, setId).map(toComment),
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
                labels,
              ),
            },
    };
  }

  /** While a refused verdict waits for "Review again", nothing new is added on top of it. */
  #notRefused(tx: ReadTx, setId: string): void {
    const refused = this.#repo.refusedVerdict(tx, setId);
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
      const refusedRow = this.#repo.refusedVerdict(tx, setId);
      if (refusedRow === undefined) {
        throw new ReviewError(
          'REVIEW_NOT_REFUSED',
          'The server has not refused a verdict on this set; there is nothing to review again.',
        );
      }
      const refused = toRefused(refusedRow);
      const row = this.#queued(tx, setId, reviewer);
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
        const comment = wire.id === undefined ? undefined : this.#repo.comment(tx, wire.id);
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
        const frames =
          row.clip_id === null ? undefined : this.#clips.clip(tx, row.clip_id)?.frame_count;
        for (const comment of unsent) {
          const why = whyNotCarried(comment.pin, labels, frames);
          if (why === null) carried.push({ ...comment, revision: row.revision });
          else notCarried.push({ comment, why });
        }
      }
      this.#repo.forgetDelivery(tx, refusedRow.id);
      for (const comment of carried) this.#repo.carryComment(tx, comment.id, row.revision);
      for (const { comment } of notCarried) this.#repo.deleteComment(tx, comment.id);
      if (unlisted) {
        this.#repo.dropFromQueue(tx, setId);
      } else if (row.revision === refused.revision) {
        // Same revision (the server refused for another reason and still offers the set):
        // the refused verdict never counted, so a new one may be given.
        this.#repo.forgetReviewed(tx, setId, reviewer, row.revision);
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
    return this.#db.read((tx) => this.#repo.comments(tx, serverSetId).map(toComment));
  }

  /** The annotator's view: comments on their local set, found through the server's set id. */
  commentsForLocalSet(localSetId: string): ReviewComment[] {
    return this.#db.read((tx) => {
      const [serverSetId] = this.#sync.serverSetIdsOf(tx, [localSetId]);
      return serverSetId === undefined ? [] : this.#repo.comments(tx, serverSetId).map(toComment);
    });
  }

  /** A reviewer's comment, kept as a draft until the verdict carries it to the server. */
  addComment(input: AddReviewComment, reviewer: string): ReviewComment {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewComment => {
      const row = this.#queued(tx, input.setId, reviewer);
      this.#notRefused(tx, input.setId);
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
      this.#repo.addDraft(tx, {
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
      const row = this.#queued(tx, input.setId, reviewer);
      this.#notRefused(tx, input.setId);
      if (row.verdict !== null) {
        throw new ReviewError(
          'REVIEW_ALREADY_GIVEN',
          `You already gave a verdict on revision ${row.revision} of this set.`,
        );
      }
      const drafts = this.#repo.drafts(tx, input.setId, row.revision).map(toComment);
      const comments: WireComment[] = drafts.map(toWireComment);
      const body: ReviewBody = {
        verdict: input.verdict,
        baseRevision: row.revision,
        comments,
        ...(reason === '' ? {} : { reason }),
      };
      const outboxId = randomUUID();
      this.#repo.markDraftsSent(tx, input.setId, row.revision, at);
      this.#repo.queueDelivery(tx, {
        id: outboxId,
        kind: 'verdict',
        serverSetId: input.setId,
        payloadJson: JSON.stringify(body),
        at,
      });
      this.#repo.recordReviewed(tx, {
        serverSetId: input.setId,
        reviewer,
        revision: row.revision,
        verdict: input.verdict,
        labelsJson: row.labels_json,
        at,
      });
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
      this.#repo.mapSetToClip(tx, event.setId, event.clipRef.toLowerCase());
      let added = 0;
      // The review bumped the revision; the comments are about the one before it.
      const reviewed = Math.max(0, event.revision - 1);
      for (const [index, comment] of event.comments.entries()) {
        const id = comment.id ?? `${event.setId}:${event.revision}:${index}`;
        const received = this.#repo.receiveComment(tx, {
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
        });
        if (received) added += 1;
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

  #existingComment(tx: ReadTx, commentId: string): CommentRow {
    const row = this.#repo.comment(tx, commentId);
    if (row === undefined) {
      throw new ReviewError('COMMENT_NOT_FOUND', `No comment ${commentId}; sync to refresh.`);
    }
    return row;
  }

  /** The annotator resolves a comment: recorded and queued for the server together. */
  resolveComment(commentId: string, actor: string): ReviewComment {
    const at = new Date().toISOString();
    return this.#db.write((tx): ReviewComment => {
      const row = this.#existingComment(tx, commentId);
      if (row.resolved_at !== null) return toComment(row);
      this.#repo.resolveComment(tx, commentId, actor, at);
      const outboxId = randomUUID();
      this.#repo.queueDelivery(tx, {
        id: outboxId,
        kind: 'resolve',
        serverSetId: row.server_set_id,
        payloadJson: JSON.stringify({ commentId }),
        at,
      });
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
      const row = this.#existingComment(tx, commentId);
      const refused = this.#repo.refusedResolutions(tx, commentId);
      if (refused.length === 0) {
        throw new ReviewError(
          'RESOLVE_NOT_REFUSED',
          'The server has not refused resolving this comment; there is nothing to reopen.',
        );
      }
      for (const outboxId of refused) this.#repo.forgetDelivery(tx, outboxId);
      this.#repo.reopenComment(tx, commentId);
      this.#audit.append(
        tx,
        {
          actor,
          action: 'review.comment_reopened',
          entityType: 'review_comment',
          entityId: commentId,
          details: {
            setId: row.server_set_id,
            refusedOutboxIds: refused,
            ...(row.resolve_refused ? splitError(row.resolve_refused) : {}),
          },
        },
        at,
      );
      return toComment({ ...row, resolved_by: null, resolved_at: null, resolve_refused: null });
    });
  }

  /**
   * Verdicts and resolutions refused for good (parked) or waiting after a failed attempt, for the
   * list Sync settings and the clip screen show. `last_error` holds "CODE: sentence".
   */
  deliveryIssues(): ReviewDeliveryIssue[] {
    return this.#db.read((tx) =>
      this.#repo.deliveryIssues(tx).map((row): ReviewDeliveryIssue => {
        const { code, message } = splitError(row.last_error ?? 'REFUSED: The server refused it.');
        const payload = JSON.parse(row.payload_json) as {
          commentId?: unknown;
          baseRevision?: unknown;
        };
        const owner =
          row.kind === 'verdict'
            ? typeof payload.baseRevision === 'number'
              ? this.#repo.reviewerOf(tx, row.server_set_id, payload.baseRevision)
              : null
            : typeof payload.commentId === 'string'
              ? this.#repo.resolverOf(tx, payload.commentId)
              : null;
        return {
          outboxId: row.id,
          kind: row.kind,
          state: row.state === 'failed' ? 'refused' : 'waiting',
          serverSetId: row.server_set_id,
          clipRef: row.clip_ref,
          commentId:
            row.kind === 'resolve' && typeof payload.commentId === 'string'
              ? payload.commentId
              : null,
          code,
          message,
          at: row.created_at,
          owner,
        };
      }),
    );
  }

  /** Who gave this verdict or resolution; null when this workstation no longer knows. */
  ownerOf(item: ReviewOutboxItem): string | null {
    return this.#db.read((tx) =>
      item.kind === 'verdict'
        ? this.#repo.reviewerOf(tx, item.serverSetId, item.payload.baseRevision)
        : this.#repo.resolverOf(tx, item.payload.commentId),
    );
  }

  pendingOutbox(limit: number): ReviewOutboxItem[] {
    const rows = this.#db.read((tx) => this.#repo.pendingDeliveries(tx, limit));
    return rows.map((row): ReviewOutboxItem => {
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
    return this.#db.read((tx) => this.#repo.pendingDeliveryCount(tx));
  }

  markDelivered(item: ReviewOutboxItem, actor: string, detail: Record<string, unknown>): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#repo.forgetDelivery(tx, item.id);
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
    this.#db.write((tx) => {
      this.#repo.scheduleRetry(tx, outboxId, attempts, nextAttemptAt, error);
    });
  }

  /** Every pending verdict and resolution due now (see `SyncQueue.makePendingDue`). */
  makePendingDue(): void {
    this.#db.write((tx) => {
      this.#repo.makePendingDue(tx);
    });
  }

  /** The server refused for good (stale revision, not yours): parked with its reason, never dropped. */
  recordRefusal(item: ReviewOutboxItem, code: string, message: string, actor: string): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#repo.parkRefused(tx, item.id, item.attempts + 1, `${code}: ${message}`);
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
