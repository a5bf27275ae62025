import { purgeClipFiles } from './delivery/withdrawal';
import { randomUUID } from 'node:crypto';
import { ClipRef, Role } from '../shared/api/syncProtocol';
import { ADMIN_ACTOR, appendAudit, sha256Hex } from './audit';
import { purgeClipConsentRecord, sendConsentRecord } from './consentRecords';
import { purgeClipDoubleAnnotation } from './doubleAnnotation';
import { generateToken, hashToken } from './auth';
import type { Db, Queryable } from './db/Db';
import { appendEvents, purgeClipEvents } from './events';
import { ServerError } from './serverError';
import { markSetChanged, purgeSetRecords } from './sets';
import {
  consentWithdrawn,
  isWithdrawn,
  lockClip,
  recordWithdrawnSets,
  usersOfWithdrawnClip,
} from './withdrawnSets';

/**
 * The team's administration: users, tokens, projects, assignments and consent withdrawals.
 * Used by the `framewise-server` CLI (a lead at the server's shell) and by tests; none of it is
 * reachable over HTTP, so no client can grant itself a role or an assignment. Each writes its
 * audit entry in its own transaction; `actor` names who ran it (the CLI passes the shell's user).
 */

type UserRow = { id: string; name: string; role: Role };

async function userByName(db: Queryable, name: string): Promise<UserRow> {
  const rows = await db.query<UserRow>('SELECT id, name, role FROM users WHERE name = $1', [name]);
  const user = rows[0];
  if (user === undefined) throw new ServerError('USER_NOT_FOUND', `No user named "${name}".`);
  return user;
}

/** A new user's name and role as given, checked without the database (the CLI refuses early). */
export function parseNewUser(name: string, role: string): { name: string; role: Role } {
  const parsedRole = Role.safeParse(role);
  if (!parsedRole.success) {
    throw new ServerError(
      'INVALID_INPUT',
      `--role must be annotator, reviewer, lead or admin, not "${role}".`,
    );
  }
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
    throw new ServerError('INVALID_INPUT', 'A user name is 1-64 letters, digits or _ . @ -.');
  }
  return { name, role: parsedRole.data };
}

export async function addUser(
  db: Db,
  name: string,
  role: string,
  actor: string = ADMIN_ACTOR,
): Promise<UserRow> {
  const { role: parsedRole } = parseNewUser(name, role);
  const id = randomUUID();
  return db.transaction(async (tx) => {
    const rows = await tx.query<UserRow>(
      `INSERT INTO users (id, name, role) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING
       RETURNING id, name, role`,
      [id, name, parsedRole],
    );
    const user = rows[0];
    if (user === undefined) throw new ServerError('USER_EXISTS', `A user named "${name}" exists.`);
    await appendAudit(tx, [
      { actor, action: 'user.add', details: { userId: user.id, name: user.name, role: user.role } },
    ]);
    return user;
  });
}

/** Returns the token in clear text: the only time it exists outside its holder's hands. */
export async function issueToken(
  db: Db,
  userName: string,
  options: { expiresInDays?: number; actor?: string } = {},
): Promise<{ tokenId: string; token: string; user: string; expiresAt: string | null }> {
  const token = generateToken();
  const tokenId = randomUUID();
  const expiresAt =
    options.expiresInDays === undefined
      ? null
      : new Date(Date.now() + options.expiresInDays * 86_400_000).toISOString();
  return db.transaction(async (tx) => {
    const user = await userByName(tx, userName);
    await tx.query(
      'INSERT INTO api_tokens (id, user_id, token_sha256, expires_at) VALUES ($1, $2, $3, $4)',
      [tokenId, user.id, hashToken(token), expiresAt],
    );
    // The token id only: neither the token nor its hash belongs in a trail that is exported.
    await appendAudit(tx, [
      {
        actor: options.actor ?? ADMIN_ACTOR,
        action: 'token.issue',
        details: { tokenId, userId: user.id, expiresAt },
      },
    ]);
    return { tokenId, token, user: user.name, expiresAt };
  });
}

export async function revokeToken(
  db: Db,
  tokenId: string,
  actor: string = ADMIN_ACTOR,
): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ user_id: string }>(
      `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
       RETURNING user_id`,
      [tokenId],
    );
    const revoked = rows[0];
    if (revoked === undefined) {
      throw new ServerError(
        'NOT_FOUND',
        `No active token ${tokenId} (unknown or already revoked).`,
      );
    }
    await appendAudit(tx, [
      { actor, action: 'token.revoke', details: { tokenId, userId: revoked.user_id } },
    ]);
  });
}

export async function createProject(
  db: Db,
  name: string,
  leadName: string,
  actor: string = ADMIN_ACTOR,
): Promise<{ projectId: string; name: string; lead: string }> {
  return db.transaction(async (tx) => {
    const lead = await userByName(tx, leadName);
    if (lead.role !== 'lead') {
      throw new ServerError(
        'INVALID_INPUT',
        `${lead.name} is a ${lead.role}; a project's lead must be a lead.`,
      );
    }
    const projectId = randomUUID();
    await tx.query('INSERT INTO projects (id, name, lead_id) VALUES ($1, $2, $3)', [
      projectId,
      name,
      lead.id,
    ]);
    await appendAudit(tx, [
      { actor, action: 'project.create', projectId, details: { name, leadId: lead.id } },
    ]);
    return { projectId, name, lead: lead.name };
  });
}

/** The clip an assignment names, checked without the database (the CLI refuses early). */
export function parseAssignedClip(clipRef: string): ClipRef {
  const parsed = ClipRef.safeParse(clipRef);
  if (!parsed.success) {
    throw new ServerError(
      'INVALID_INPUT',
      'A clip is named by the sha256 of its file (64 hex digits).',
    );
  }
  return parsed.data;
}

/** Assigns a clip (by content hash) to an annotator, with an optional reviewer; creates the set. */
export async function assignClip(
  db: Db,
  input: {
    clipRef: string;
    projectId: string;
    annotator: string;
    reviewer?: string;
    actor?: string;
  },
): Promise<{ assignmentId: string; setId: string }> {
  const clipRef = parseAssignedClip(input.clipRef);
  return db.transaction(async (tx) => {
    const annotator = await userByName(tx, input.annotator);
    if (annotator.role !== 'annotator') {
      throw new ServerError('INVALID_INPUT', `${annotator.name} is not an annotator.`);
    }
    const reviewer = input.reviewer === undefined ? null : await userByName(tx, input.reviewer);
    if (reviewer !== null && reviewer.role === 'annotator') {
      throw new ServerError('INVALID_INPUT', `${reviewer.name} is an annotator, not a reviewer.`);
    }
    const project = await tx.query('SELECT 1 FROM projects WHERE id = $1', [input.projectId]);
    if (project.length === 0) throw new ServerError('NOT_FOUND', `No project ${input.projectId}.`);
    await lockClip(tx, clipRef);
    if (await isWithdrawn(tx, clipRef)) throw consentWithdrawn('it cannot be assigned.');
    const assignmentId = randomUUID();
    const inserted = await tx.query(
      `INSERT INTO assignments (id, project_id, clip_ref, annotator_id, reviewer_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (clip_ref, annotator_id) DO NOTHING RETURNING id`,
      [assignmentId, input.projectId, clipRef, annotator.id, reviewer?.id ?? null],
    );
    if (inserted.length === 0) {
      throw new ServerError('CONFLICT', `${annotator.name} is already assigned this clip.`);
    }
    const setId = randomUUID();
    await tx.query('INSERT INTO annotation_sets (id, assignment_id) VALUES ($1, $2)', [
      setId,
      assignmentId,
    ]);
    const event = {
      kind: 'assigned',
      assignmentId,
      clipRef,
      projectId: input.projectId,
    } as const;
    await appendEvents(tx, [
      { userId: annotator.id, event: { ...event, as: 'annotator' } },
      ...(reviewer === null
        ? []
        : [{ userId: reviewer.id, event: { ...event, as: 'reviewer' } as const }]),
    ]);
    // A consent the lead recorded before the assignment reaches the new workstations too.
    await sendConsentRecord(tx, clipRef, {
      users: reviewer === null ? [annotator.id] : [annotator.id, reviewer.id],
      projectId: input.projectId,
    });
    await appendAudit(tx, [
      {
        actor: input.actor ?? ADMIN_ACTOR,
        action: 'assignment.create',
        projectId: input.projectId,
        clipRef,
        setId,
        revision: 0,
        details: { assignmentId, annotatorId: annotator.id, reviewerId: reviewer?.id ?? null },
      },
    ]);
    return { assignmentId, setId };
  });
}

/**
 * Gives an assignment (and its set, with whatever was pushed) to another annotator; both hear of
 * it through their events feed.
 */
export async function reassign(
  db: Db,
  assignmentId: string,
  annotatorName: string,
  actor: string = ADMIN_ACTOR,
): Promise<void> {
  await db.transaction(async (tx) => {
    const annotator = await userByName(tx, annotatorName);
    if (annotator.role !== 'annotator') {
      throw new ServerError('INVALID_INPUT', `${annotator.name} is not an annotator.`);
    }
    const rows = await tx.query<{
      annotator_id: string;
      clip_ref: string;
      project_id: string;
      set_id: string | null;
      revision: number | null;
    }>(
      `SELECT a.annotator_id, a.clip_ref, a.project_id, s.id AS set_id, s.revision
       FROM assignments a LEFT JOIN annotation_sets s ON s.assignment_id = a.id
       WHERE a.id = $1 FOR UPDATE OF a`,
      [assignmentId],
    );
    const row = rows[0];
    if (row === undefined) {
      const withdrawn = await tx.query('SELECT 1 FROM withdrawn_sets WHERE assignment_id = $1', [
        assignmentId,
      ]);
      if (withdrawn.length > 0) throw consentWithdrawn('its assignment cannot be moved.');
      throw new ServerError('NOT_FOUND', `No assignment ${assignmentId}.`);
    }
    await tx.query('UPDATE assignments SET annotator_id = $1 WHERE id = $2', [
      annotator.id,
      assignmentId,
    ]);
    const clipRef = ClipRef.parse(row.clip_ref);
    await appendEvents(tx, [
      { userId: row.annotator_id, event: { kind: 'unassigned', assignmentId, clipRef } },
      {
        userId: annotator.id,
        event: {
          kind: 'assigned',
          assignmentId,
          clipRef,
          projectId: row.project_id,
          as: 'annotator',
        },
      },
    ]);
    await sendConsentRecord(tx, clipRef, { users: [annotator.id], projectId: row.project_id });
    await appendAudit(tx, [
      {
        actor,
        action: 'assignment.reassign',
        projectId: row.project_id,
        clipRef,
        setId: row.set_id,
        revision: row.revision,
        details: { assignmentId, fromAnnotatorId: row.annotator_id, toAnnotatorId: annotator.id },
      },
    ]);
    // The lead's copy names the annotator: it learns of the move on its next pull.
    if (row.set_id !== null) await markSetChanged(tx, row.set_id);
  });
}

/**
 * Records a contributor's withdrawal and purges the clip, in one transaction: every row about it
 * goes, from each table's owner, except the tombstones of its sets (`withdrawn_sets`, ids only),
 * the withdrawal itself and the audit log (ids and checksums). The clip's annotators, reviewers
 * and leads hear of it through sync. Withdrawing again purges anything left and tells them again.
 */
export async function withdrawConsent(
  db: Db,
  clipRef: string,
  reason: string,
  actor: string = ADMIN_ACTOR,
): Promise<number> {
  const ref = ClipRef.parse(clipRef);
  return db.transaction(async (tx) => {
    await lockClip(tx, ref);
    const recorded = await tx.query(
      `INSERT INTO consent_withdrawals (clip_ref, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING
       RETURNING clip_ref`,
      [ref, reason],
    );
    // Tombstones first: they name who is told, once the assignments are gone.
    const setIds = await recordWithdrawnSets(tx, ref);
    const versionsDeleted = await purgeSetRecords(tx, setIds);
    await purgeClipEvents(tx, ref);
    await purgeClipDoubleAnnotation(tx, ref);
    await tx.query('DELETE FROM annotation_sets WHERE id = ANY($1::text[])', [setIds]);
    await tx.query('DELETE FROM assignments WHERE clip_ref = $1', [ref]);
    await purgeClipConsentRecord(tx, ref);
    const blobsQueued = await purgeClipFiles(tx, ref);
    const users = await usersOfWithdrawnClip(tx, ref);
    await appendEvents(
      tx,
      users.map((userId) => ({
        userId,
        event: { kind: 'consent_withdrawn', clipRef: ref, reason } as const,
      })),
    );
    // Recorded once, when consent is first withdrawn; the reason may be personal, so only its
    // checksum. The clip's earlier entries stay: they hold checksums, not the labels deleted here.
    if (recorded.length > 0) {
      await appendAudit(tx, [
        {
          actor,
          action: 'consent.withdraw',
          clipRef: ref,
          details: {
            reasonSha256: sha256Hex(reason),
            versionsDeleted,
            setsDeleted: setIds.length,
            usersNotified: users.length,
            blobsQueued,
          },
        },
      ]);
    }
    return users.length;
  });
}
