import { createHash, randomUUID } from 'node:crypto';
import {
  canonicalJson,
  type Assignment,
  type PushSetBody,
  type QueueComment,
  type ReviewBody,
  type ReviewComment,
  type ReviewQueueEntry,
  type ServerSet,
  type ServerSetWithLabels,
  type TeamSet,
  type TeamSetsPage,
} from '../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../shared/domain/labels';
import { appendAudit, labelsChecksum } from './audit';
import type { AuthUser } from './auth';
import type { Db, Queryable } from './db/Db';
import { appendEvents } from './events';
import { ServerError } from './serverError';
import {
  consentWithdrawn,
  isWithdrawn,
  refuseIfWithdrawnClip,
  refuseIfWithdrawnSet,
} from './withdrawnSets';

/** What a write answered: stored under its idempotency key and replayed for a retry. */
export type StoredAnswer = { status: number; body: unknown; replayed: boolean };

type SetRow = {
  set_id: string;
  clip_ref: string;
  project_id: string;
  annotator_id: string;
  annotator: string;
  reviewer_id: string | null;
  reviewer: string | null;
  lead_id: string;
  status: string;
  revision: number;
  labels: unknown;
};

const SET_COLUMNS = /* sql */ `
  s.id AS set_id, a.clip_ref, a.project_id, a.annotator_id, ua.name AS annotator,
  a.reviewer_id, ur.name AS reviewer, p.lead_id, s.status, s.revision`;
const SET_FROM = /* sql */ `
  annotation_sets s
  JOIN assignments a ON a.id = s.assignment_id
  JOIN projects p ON p.id = a.project_id
  JOIN users ua ON ua.id = a.annotator_id
  LEFT JOIN users ur ON ur.id = a.reviewer_id`;

/** Which sets a user may see at all: an annotator their own, a reviewer theirs, a lead their projects'. */
function visibleTo(user: AuthUser, param: string): string {
  switch (user.role) {
    case 'annotator':
      return `a.annotator_id = ${param}`;
    case 'reviewer':
      return `a.reviewer_id = ${param}`;
    case 'lead':
      return `p.lead_id = ${param}`;
    case 'admin':
      // Admins run commands; they see no one's labels.
      return `${param}::text IS NULL`;
  }
}

function toServerSet(row: SetRow): ServerSet {
  return {
    setId: row.set_id,
    clipRef: row.clip_ref,
    projectId: row.project_id,
    annotator: row.annotator,
    reviewer: row.reviewer,
    status: AnnotationStatus.parse(row.status),
    revision: row.revision,
  };
}

function withLabels(row: SetRow): ServerSetWithLabels {
  return {
    ...toServerSet(row),
    labels: row.labels === null ? null : LabelsDocument.parse(row.labels),
  };
}

export function requestHash(route: string, params: unknown, body: unknown): string {
  return createHash('sha256').update(canonicalJson({ route, params, body })).digest('hex');
}

/**
 * Runs a write once per (user, key), as Stripe's idempotency keys do: the key row is inserted
 * first in the write's own transaction, so a concurrent retry through another server process
 * waits on the unique index and then reads the committed answer. The same key with another
 * payload is refused (422). A refusal (4xx) is stored and replayed like a success; a crash or
 * 5xx rolls the key back with everything else, so the retry runs the write afresh.
 */
export async function withIdempotency(
  db: Db,
  user: AuthUser,
  key: string,
  hash: string,
  write: (tx: Queryable) => Promise<{ status: number; body: unknown }>,
): Promise<StoredAnswer> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO idempotency_keys (user_id, key, request_sha256, status_code, response)
       VALUES ($1, $2, $3, 0, '{}'::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
      [user.id, key, hash],
    );
    if (inserted.length === 0) {
      const rows = await tx.query<{
        request_sha256: string;
        status_code: number;
        response: unknown;
      }>(
        'SELECT request_sha256, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [user.id, key],
      );
      const stored = rows[0];
      if (stored === undefined)
        throw new Error(`Idempotency key ${key} conflicted but is not there`);
      if (stored.request_sha256 !== hash) {
        throw new ServerError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used for a different request; use a new key for a new request.',
        );
      }
      return { status: stored.status_code, body: stored.response, replayed: true };
    }
    // A refusal must not keep half of the write: the savepoint undoes it, the key row stays.
    await tx.query('SAVEPOINT framewise_write');
    let answer: { status: number; body: unknown };
    try {
      answer = await write(tx);
    } catch (error) {
      if (!(error instanceof ServerError) || error.status >= 500) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT framewise_write');
      answer = { status: error.status, body: errorBody(error) };
    }
    await tx.query(
      'UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb WHERE user_id = $1 AND key = $2',
      [user.id, key, answer.status, JSON.stringify(answer.body)],
    );
    return { ...answer, replayed: false };
  });
}

export function errorBody(error: ServerError): { error: Record<string, unknown> } {
  return { error: { code: error.code, message: error.message, ...error.details } };
}

/** A push from the annotator the clip is assigned to: revision-checked, never overwriting. */
export async function pushSet(
  tx: Queryable,
  user: AuthUser,
  clipRef: string,
  body: PushSetBody,
): Promise<{ status: number; body: ServerSet }> {
  const rows = await tx.query<SetRow>(
    `SELECT ${SET_COLUMNS}, s.labels FROM ${SET_FROM}
     WHERE a.clip_ref = $1 AND a.annotator_id = $2 FOR UPDATE OF s`,
    [clipRef, user.id],
  );
  const row = rows[0];
  // A workstation that was offline when consent was withdrawn must not upload the labels again.
  const refusal = 'its labels are no longer accepted.';
  if (row === undefined) {
    await refuseIfWithdrawnClip(tx, user, clipRef, refusal);
    // Not assigned to this user: the same answer whether or not the clip exists for someone else.
    throw new ServerError('NOT_FOUND', `No assignment of clip ${clipRef} to you.`);
  }
  // A withdrawal deletes the clip's assignments; one made around that check still refuses.
  if (await isWithdrawn(tx, clipRef)) throw consentWithdrawn(refusal);
  if (row.revision !== body.baseRevision) {
    throw new ServerError(
      'STALE_REVISION',
      `The server's copy is at revision ${row.revision}, not ${body.baseRevision}: it changed ` +
        'since your last sync. Both versions are kept; compare them before pushing again.',
      { currentRevision: row.revision, current: withLabels(row) },
    );
  }
  if (row.status !== 'in_progress' && row.status !== 'changes_requested') {
    throw new ServerError(
      'SET_LOCKED',
      `This set is ${row.status.replace('_', ' ')} on the server and cannot be replaced now.`,
      { currentRevision: row.revision, current: withLabels(row) },
    );
  }
  const revision = row.revision + 1;
  // What the export writers need (frame times, size, consent, the schema): kept from the last
  // push that carried them, so a push from an older workstation does not erase them.
  await tx.query(
    `UPDATE annotation_sets SET status = 'submitted', revision = $2, labels = $3,
     clip_facts = coalesce($4::jsonb, clip_facts),
     project_schema = coalesce($5::jsonb, project_schema), updated_at = now() WHERE id = $1`,
    [
      row.set_id,
      revision,
      JSON.stringify(body.labels),
      body.clip === undefined ? null : JSON.stringify(body.clip),
      body.project === undefined ? null : JSON.stringify(body.project),
    ],
  );
  await tx.query(
    'INSERT INTO set_versions (set_id, revision, labels, pushed_by) VALUES ($1, $2, $3, $4)',
    [row.set_id, revision, JSON.stringify(body.labels), user.id],
  );
  await appendAudit(tx, [
    {
      actor: user.id,
      action: 'set.push',
      projectId: row.project_id,
      clipRef,
      setId: row.set_id,
      revision,
      details: { labelsSha256: labelsChecksum(body.labels), baseRevision: body.baseRevision },
    },
  ]);
  await markSetChanged(tx, row.set_id);
  return { status: 200, body: toServerSet({ ...row, status: 'submitted', revision }) };
}

export async function reviewSet(
  tx: Queryable,
  user: AuthUser,
  setId: string,
  body: ReviewBody,
): Promise<{ status: number; body: ServerSet }> {
  const rows = await tx.query<SetRow>(
    `SELECT ${SET_COLUMNS}, s.labels FROM ${SET_FROM} WHERE s.id = $1 FOR UPDATE OF s`,
    [setId],
  );
  const row = rows[0];
  const mayReview =
    row !== undefined &&
    ((user.role === 'reviewer' && row.reviewer_id === user.id) ||
      (user.role === 'lead' && row.lead_id === user.id));
  if (row === undefined) {
    await refuseIfWithdrawnSet(tx, user, setId, 'verdicts and comments on it are refused.');
  }
  if (row === undefined || !mayReview) {
    // The set's own annotator knows it exists: tell them it is not theirs to review.
    if (row?.annotator_id === user.id) {
      throw new ServerError('FORBIDDEN', 'Annotators cannot review their own sets.');
    }
    throw new ServerError('NOT_FOUND', `No set ${setId} for you to review.`);
  }
  if (body.verdict === 'request_changes' && (body.reason ?? '').trim() === '') {
    throw new ServerError(
      'REASON_REQUIRED',
      'Say why changes are requested: the annotator needs a reason to act on.',
    );
  }
  if (row.revision !== body.baseRevision) {
    throw new ServerError(
      'STALE_REVISION',
      `The set is at revision ${row.revision}, not ${body.baseRevision}; reload it and review again.`,
      { currentRevision: row.revision, current: withLabels(row) },
    );
  }
  if (row.status !== 'submitted' && row.status !== 'in_review') {
    throw new ServerError(
      'SET_LOCKED',
      `This set is ${row.status.replace('_', ' ')}, not awaiting review.`,
      {
        currentRevision: row.revision,
        current: withLabels(row),
      },
    );
  }
  const status = body.verdict === 'accept' ? 'accepted' : 'changes_requested';
  const revision = row.revision + 1;
  // Every comment gets an id (the desktop sends its own), so a resolve can name it later.
  const comments: ReviewComment[] = body.comments.map((c) => ({ ...c, id: c.id ?? randomUUID() }));
  const reason = body.reason?.trim() === '' ? undefined : body.reason?.trim();
  await tx.query(
    'UPDATE annotation_sets SET status = $2, revision = $3, updated_at = now() WHERE id = $1',
    [setId, status, revision],
  );
  const reviewId = randomUUID();
  await tx.query(
    `INSERT INTO reviews (id, set_id, reviewer_id, verdict, revision, comments, reason)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [reviewId, setId, user.id, body.verdict, revision, JSON.stringify(comments), reason ?? null],
  );
  await appendEvents(tx, [
    {
      userId: row.annotator_id,
      event: {
        kind: 'review',
        setId,
        clipRef: row.clip_ref,
        verdict: body.verdict,
        status,
        revision,
        reviewer: user.name,
        comments,
        ...(reason === undefined ? {} : { reason }),
      },
    },
  ]);
  // The comments' and reason's text can quote the footage: the entry counts them, no more.
  await appendAudit(tx, [
    {
      actor: user.id,
      action: 'set.review',
      projectId: row.project_id,
      clipRef: row.clip_ref,
      setId,
      revision,
      details: { reviewId, verdict: body.verdict, status, comments: comments.length },
    },
  ]);
  await markSetChanged(tx, setId);
  return { status: 200, body: toServerSet({ ...row, status, revision }) };
}

export async function getSet(
  db: Queryable,
  user: AuthUser,
  setId: string,
): Promise<ServerSetWithLabels> {
  const rows = await db.query<SetRow>(
    `SELECT ${SET_COLUMNS}, s.labels FROM ${SET_FROM} WHERE s.id = $1 AND ${visibleTo(user, '$2')}`,
    [setId, user.id],
  );
  const row = rows[0];
  // Someone else's set and a set that does not exist get the same answer.
  if (row === undefined) throw new ServerError('NOT_FOUND', `No set ${setId} visible to you.`);
  return withLabels(row);
}

export async function listAssignments(db: Queryable, user: AuthUser): Promise<Assignment[]> {
  const rows = await db.query<SetRow & { assignment_id: string }>(
    `SELECT ${SET_COLUMNS}, a.id AS assignment_id, NULL AS labels FROM ${SET_FROM}
     WHERE ${visibleTo(user, '$1')} ORDER BY a.created_at, a.id`,
    [user.id],
  );
  return rows.map((row) => ({
    assignmentId: row.assignment_id,
    projectId: row.project_id,
    clipRef: row.clip_ref,
    annotator: row.annotator,
    reviewer: row.reviewer,
    set: toServerSet(row),
  }));
}

export async function reviewQueue(
  db: Queryable,
  user: AuthUser,
  limit: number,
): Promise<ReviewQueueEntry[]> {
  if (user.role === 'annotator') {
    throw new ServerError('FORBIDDEN', 'The review queue is for reviewers and leads.');
  }
  const rows = await db.query<SetRow & { submitted_at: string | Date }>(
    `SELECT ${SET_COLUMNS}, s.labels, s.updated_at AS submitted_at FROM ${SET_FROM}
     WHERE s.status IN ('submitted', 'in_review') AND ${visibleTo(user, '$1')}
     ORDER BY s.updated_at, s.id LIMIT $2`,
    [user.id, limit],
  );
  const comments = await earlierComments(
    db,
    rows.map((r) => r.set_id),
  );
  return rows.map((row) => ({
    ...withLabels(row),
    submittedAt: new Date(row.submitted_at).toISOString(),
    comments: comments.get(row.set_id) ?? [],
  }));
}

/** The comments of every earlier review of these sets, with whether the annotator resolved them. */
async function earlierComments(
  db: Queryable,
  setIds: readonly string[],
): Promise<Map<string, QueueComment[]>> {
  const bySet = new Map<string, QueueComment[]>();
  if (setIds.length === 0) return bySet;
  const reviews = await db.query<{
    set_id: string;
    revision: number;
    reviewer: string;
    at: string | Date;
    comments: ReviewComment[];
  }>(
    `SELECT r.set_id, r.revision, u.name AS reviewer, r.at, r.comments
     FROM reviews r JOIN users u ON u.id = r.reviewer_id
     WHERE r.set_id = ANY($1::text[]) ORDER BY r.at, r.id`,
    [setIds],
  );
  const resolutions = await db.query<{
    set_id: string;
    comment_id: string;
    resolved_by: string;
    at: string | Date;
  }>(
    `SELECT c.set_id, c.comment_id, u.name AS resolved_by, c.at
     FROM comment_resolutions c JOIN users u ON u.id = c.resolved_by
     WHERE c.set_id = ANY($1::text[])`,
    [setIds],
  );
  const resolved = new Map(resolutions.map((r) => [`${r.set_id}|${r.comment_id}`, r]));
  for (const review of reviews) {
    const list = bySet.get(review.set_id) ?? [];
    for (const [index, comment] of review.comments.entries()) {
      // Comments stored before ids existed get a stable one from their review and position.
      const id = comment.id ?? `${review.set_id}:${review.revision}:${index}`;
      const resolution = resolved.get(`${review.set_id}|${id}`);
      list.push({
        ...comment,
        id,
        revision: review.revision,
        reviewer: review.reviewer,
        at: new Date(review.at).toISOString(),
        resolvedBy: resolution?.resolved_by ?? null,
        resolvedAt: resolution === undefined ? null : new Date(resolution.at).toISOString(),
      });
    }
    bySet.set(review.set_id, list);
  }
  return bySet;
}

/**
 * The set's annotator marks one review comment resolved. Exactly once: a second resolve of the
 * same comment (a retry under a new key, another workstation) answers 200 with the first record.
 */
export async function resolveComment(
  tx: Queryable,
  user: AuthUser,
  setId: string,
  commentId: string,
): Promise<{ status: number; body: { setId: string; commentId: string; resolvedAt: string } }> {
  const rows = await tx.query<{
    annotator_id: string;
    project_id: string;
    clip_ref: string;
    revision: number;
    comments: ReviewComment[] | null;
  }>(
    `SELECT a.annotator_id, a.project_id, a.clip_ref, s.revision,
       (SELECT jsonb_agg(c) FROM reviews r, jsonb_array_elements(r.comments) c
        WHERE r.set_id = s.id) AS comments
     FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id WHERE s.id = $1`,
    [setId],
  );
  const row = rows[0];
  if (row === undefined) {
    await refuseIfWithdrawnSet(tx, user, setId, 'its comments can no longer be resolved.');
  }
  if (row === undefined || row.annotator_id !== user.id) {
    throw new ServerError('NOT_FOUND', `No set ${setId} of yours.`);
  }
  if (!(row.comments ?? []).some((c) => c.id === commentId)) {
    throw new ServerError('NOT_FOUND', `No comment ${commentId} on set ${setId}.`);
  }
  const inserted = await tx.query(
    `INSERT INTO comment_resolutions (set_id, comment_id, resolved_by) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING comment_id`,
    [setId, commentId, user.id],
  );
  // A second resolve of the same comment changes nothing, so it records nothing.
  if (inserted.length > 0) {
    await appendAudit(tx, [
      {
        actor: user.id,
        action: 'comment.resolve',
        projectId: row.project_id,
        clipRef: row.clip_ref,
        setId,
        revision: row.revision,
        details: { commentId },
      },
    ]);
  }
  const stored = await tx.query<{ at: string | Date }>(
    'SELECT at FROM comment_resolutions WHERE set_id = $1 AND comment_id = $2',
    [setId, commentId],
  );
  const at = stored[0]?.at ?? new Date();
  return { status: 200, body: { setId, commentId, resolvedAt: new Date(at).toISOString() } };
}

/**
 * The review and push records of a withdrawn clip's sets, inside the withdrawal's transaction:
 * every pushed version, review (with its comments and reason) and resolution goes, and stored
 * answers to retried writes lose the copy of the labels a refusal quoted (the answer itself stays,
 * so a retry is still answered once). Returns how many versions were deleted.
 */
export async function purgeSetRecords(tx: Queryable, setIds: readonly string[]): Promise<number> {
  if (setIds.length === 0) return 0;
  const ids = [...setIds];
  await tx.query(
    `UPDATE idempotency_keys SET response = response #- '{error,current}'
     WHERE response -> 'error' -> 'current' ->> 'setId' = ANY($1::text[])`,
    [ids],
  );
  await tx.query('DELETE FROM comment_resolutions WHERE set_id = ANY($1::text[])', [ids]);
  await tx.query('DELETE FROM reviews WHERE set_id = ANY($1::text[])', [ids]);
  const versions = await tx.query(
    'DELETE FROM set_versions WHERE set_id = ANY($1::text[]) RETURNING set_id',
    [ids],
  );
  return versions.length;
}

/** An arbitrary constant naming the set-changes lock among PostgreSQL advisory locks. */
const SET_CHANGES_LOCK = 0x6677_0003;

/**
 * Gives the set the next `change_seq`, so a lead's pull (`teamSets`) learns of the change. Call it
 * as the last write of the transaction: the lock is held until COMMIT, so numbers commit in order
 * (a reader at N never later finds a lower one), and a holder never waits on another lock after
 * taking it, so it cannot deadlock with the events or audit locks.
 */
export async function markSetChanged(tx: Queryable, setId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [SET_CHANGES_LOCK]);
  await tx.query(
    `UPDATE annotation_sets SET change_seq = nextval('set_change_seq') WHERE id = $1`,
    [setId],
  );
}

/** Review states a lead's pull (and export) admits: `accepted`, or everything handed in. */
export const TEAM_STATUSES = {
  accepted: ['accepted'],
  submitted: ['accepted', 'in_review', 'submitted'],
} as const satisfies Record<string, readonly AnnotationStatus[]>;
export type TeamStatusFilter = keyof typeof TEAM_STATUSES;

export const TEAM_SETS_DEFAULT_LIMIT = 50;
/** A 30-minute clip's labels are megabytes: a page stays a sane answer. */
export const TEAM_SETS_MAX_LIMIT = 200;
/**
 * Bytes of JSON a page of the lead's pull aims at when the client names no budget: a set's labels
 * are a megabyte for a 30 s clip, so a count alone made pages of 20 MB that a slow link could not
 * bring within the client's timeout.
 */
export const TEAM_SETS_DEFAULT_BYTES = 8_000_000;
export const TEAM_SETS_MAX_BYTES = 64_000_000;

type TeamSetsInput = {
  status: TeamStatusFilter;
  cursor: number;
  limit: number;
  /** The page's JSON stays within this many bytes, unless its first set alone is bigger. */
  maxBytes?: number;
};

/**
 * The sets of every project `user` leads that changed after `cursor`, in change order: a lead's
 * workstation keeps the cursor and asks again for what changed since. Labels and schema come only
 * for sets in the statuses asked for. Leads only (403 otherwise).
 */
export async function teamSets(
  db: Queryable,
  user: AuthUser,
  input: TeamSetsInput,
): Promise<TeamSetsPage> {
  return JSON.parse(await teamSetsJson(db, user, input)) as TeamSetsPage;
}

/**
 * `teamSets` as the JSON text the route sends. Labels and schema go out as the database's own
 * text: they were checked against the shared schemas when pushed (PushSetBody), and parsing a
 * megabyte of labels into objects only to serialize it again was most of the server's share of a
 * lead's pull.
 *
 * Two queries. The first lists the page's candidates without their labels, only their stored
 * sizes (migration 010): ordering rows that carried their labels made PostgreSQL decompress and
 * sort every set after the cursor, a gigabyte spilled to disk for each page of a first pull, so a
 * pull's time grew with the square of its sets. Of the candidates, only those whose labels alone
 * could still fit the budget are read whole, reviewers and all; their heads' exact sizes then cut the page, and the second query reads
 * the labels of the sets on it only.
 * A set changed between the two (its `change_seq` moved on) ends the page before it: it comes
 * again, whole, with its new number.
 */
export async function teamSetsJson(
  db: Queryable,
  user: AuthUser,
  input: TeamSetsInput,
): Promise<string> {
  if (user.role !== 'lead') {
    throw new ServerError('FORBIDDEN', "The team's sets are for the leads of its projects.");
  }
  const statuses = [...TEAM_STATUSES[input.status]];
  const budget = input.maxBytes ?? TEAM_SETS_DEFAULT_BYTES;
  const candidates = await db.query<
    SetRow & {
      change_seq: string | number;
      updated_at: string | Date;
      wanted: boolean;
      candidates: number;
      labels_bytes: number | null;
      project_bytes: number | null;
      reviewers: string[] | null;
    }
  >(
    `WITH page AS MATERIALIZED (
       SELECT s.id, s.change_seq,
         CASE WHEN s.status = ANY($3::text[])
           THEN coalesce(s.labels_bytes, 4) + coalesce(s.project_schema_bytes, 4) ELSE 8 END
           AS bytes
       FROM annotation_sets s
         JOIN assignments a ON a.id = s.assignment_id JOIN projects p ON p.id = a.project_id
       WHERE p.lead_id = $1 AND s.change_seq > $2
       ORDER BY s.change_seq LIMIT $4),
     fitting AS MATERIALIZED (
       SELECT id, sum(bytes) OVER (ORDER BY change_seq ROWS UNBOUNDED PRECEDING) - bytes AS before
       FROM page)
     SELECT ${SET_COLUMNS}, s.change_seq, s.updated_at, s.status = ANY($3::text[]) AS wanted,
       s.labels_bytes, s.project_schema_bytes AS project_bytes,
       (SELECT count(*) FROM page)::int AS candidates,
       (SELECT array_agg(u.name ORDER BY first_at, u.name) FROM (
          SELECT r.reviewer_id, min(r.at) AS first_at FROM reviews r WHERE r.set_id = s.id
          GROUP BY r.reviewer_id) rv JOIN users u ON u.id = rv.reviewer_id) AS reviewers
     FROM fitting JOIN (${SET_FROM}) ON s.id = fitting.id
     WHERE fitting.before <= $5
     ORDER BY s.change_seq`,
    [user.id, input.cursor, statuses, input.limit + 1, budget],
  );
  const headOf = (row: (typeof candidates)[number], labelsBytes: number, projectBytes: number) => {
    const set: Omit<TeamSet, 'labels' | 'project'> = {
      ...toServerSet(row),
      changeSeq: Number(row.change_seq),
      updatedAt: new Date(row.updated_at).toISOString(),
      reviewers: row.reviewers ?? [],
      labelsBytes,
      projectBytes,
    };
    return JSON.stringify(set).slice(0, -1);
  };
  // The envelope with the longest cursor and `false`; each set adds its comma.
  let bytes = `{"sets":[],"cursor":${Number.MAX_SAFE_INTEGER},"more":false}`.length;
  const picked: (typeof candidates)[number][] = [];
  for (const row of candidates.slice(0, input.limit)) {
    const labelsBytes = row.wanted ? (row.labels_bytes ?? 4) : 4;
    const projectBytes = row.wanted ? (row.project_bytes ?? 4) : 4;
    const size =
      Buffer.byteLength(headOf(row, labelsBytes, projectBytes)) +
      `,"labels":,"project":},`.length +
      labelsBytes +
      projectBytes;
    if (picked.length > 0 && bytes + size > budget) break;
    bytes += size;
    picked.push(row);
  }
  const withLabels = picked.filter((row) => row.wanted);
  const texts = new Map(
    withLabels.length === 0
      ? []
      : (
          await db.query<{
            id: string;
            change_seq: string | number;
            labels_text: string | null;
            project_text: string | null;
          }>(
            `SELECT id, change_seq, labels::text AS labels_text,
               project_schema::text AS project_text
             FROM annotation_sets WHERE id = ANY($1::text[])`,
            [withLabels.map((row) => row.set_id)],
          )
        ).map((row) => [row.id, row]),
  );
  const sets: string[] = [];
  let cursor = input.cursor;
  for (const row of picked) {
    let labels = 'null';
    let project = 'null';
    if (row.wanted) {
      const text = texts.get(row.set_id);
      if (text === undefined || Number(text.change_seq) !== Number(row.change_seq)) break;
      labels = text.labels_text ?? 'null';
      project = text.project_text ?? 'null';
    }
    // The lengths let a workstation take each set's labels out of the page as the text they
    // are, without parsing the page whole and serializing the labels again (teamSetsWire.ts).
    const head = headOf(row, Buffer.byteLength(labels), Buffer.byteLength(project));
    sets.push(`${head},"labels":${labels},"project":${project}}`);
    cursor = Number(row.change_seq);
  }
  // More changed after this page: a candidate it left out, whether read or not.
  const more = sets.length < (candidates[0]?.candidates ?? 0);
  return `{"sets":[${sets.join(',')}],"cursor":${cursor},"more":${more}}`;
}
