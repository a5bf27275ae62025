import { ClipRef } from '../shared/api/syncProtocol';
import { ManifestConsent } from '../shared/domain/batchManifest';
import type { ConsentRecord } from '../shared/domain/consentState';
import { ADMIN_ACTOR, appendAudit } from './audit';
import type { Db, Queryable } from './db/Db';
import { appendEvents } from './events';
import { ServerError } from './serverError';

export type RecordedConsent = {
  clipRef: string;
  consent: ConsentRecord;
  recordedAt: string;
  recordedBy: string;
  /** Users told: the clip's annotators, reviewers and project leads. */
  notified: number;
};

/** A consent record as given, checked without the database (the CLI refuses early). */
export function parseConsentRecord(
  clipRef: string,
  input: unknown,
): { ref: ClipRef; consent: ConsentRecord } {
  const ref = ClipRef.safeParse(clipRef.toLowerCase());
  if (!ref.success) {
    throw new ServerError(
      'INVALID_INPUT',
      `"${clipRef}" is not a clip reference: give the sha256 of the clip's file in hex.`,
    );
  }
  const parsed = ManifestConsent.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServerError(
      'INVALID_INPUT',
      `The consent record is not valid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const consent = parsed.data;
  if (consent.withdrawn) {
    throw new ServerError(
      'INVALID_INPUT',
      'Record a withdrawal with `framewise-server consent withdraw`, not as a consent record.',
    );
  }
  if (consent.expiresAt !== null && consent.expiresAt < consent.grantedAt) {
    throw new ServerError(
      'INVALID_INPUT',
      `The consent expires (${consent.expiresAt}) before it is granted (${consent.grantedAt}).`,
    );
  }
  return { ref: ref.data, consent };
}

/**
 * Records the consent a contributor gave for a clip, as the lead has it (a batch shipped without
 * its record, or a renewal after the first expired). Everyone concerned with the clip (its
 * annotators, reviewers and project leads) hears of it through sync, where it replaces the manifest's record. A withdrawn clip refuses: withdrawal ends
 * the use of that recording, and a new consent is a new recording, not a reversal.
 */
export async function recordConsent(
  db: Db,
  clipRef: string,
  input: unknown,
  actor: string = ADMIN_ACTOR,
): Promise<RecordedConsent> {
  const { ref, consent } = parseConsentRecord(clipRef, input);
  return db.transaction(async (tx) => {
    const withdrawn = await tx.query('SELECT 1 FROM consent_withdrawals WHERE clip_ref = $1', [
      ref,
    ]);
    if (withdrawn.length > 0) {
      throw new ServerError(
        'CONSENT_WITHDRAWN',
        'The contributor withdrew consent for this clip; a withdrawn recording cannot be ' +
          'given consent again. A new consent covers a new recording.',
      );
    }
    const rows = await tx.query<{ recorded_at: Date | string }>(
      `INSERT INTO consent_records (clip_ref, consent, recorded_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (clip_ref) DO UPDATE SET consent = excluded.consent,
         recorded_by = excluded.recorded_by, recorded_at = now()
       RETURNING recorded_at`,
      [ref, JSON.stringify(consent), actor],
    );
    const recordedAt = new Date(rows[0]?.recorded_at ?? Date.now()).toISOString();
    const notified = await notifyAssigned(tx, ref, consent, recordedAt, actor);
    await appendAudit(tx, [
      {
        actor,
        action: 'consent.record',
        clipRef: ref,
        details: {
          consentId: consent.id,
          scope: consent.scope,
          grantedAt: consent.grantedAt,
          expiresAt: consent.expiresAt,
          usersNotified: notified,
        },
      },
    ]);
    return { clipRef: ref, consent, recordedAt, recordedBy: actor, notified };
  });
}

/**
 * Tells users newly assigned a clip, and the lead of the project it was assigned in, of the
 * clip's current consent record, if the lead made one. Inside the caller's transaction. A user
 * told twice changes nothing: a workstation keeps a record only if it is newer than its own.
 */
export async function sendConsentRecord(
  tx: Queryable,
  clipRef: string,
  to: { users: readonly string[]; projectId: string },
): Promise<void> {
  const rows = await tx.query<{
    consent: ConsentRecord;
    recorded_by: string;
    recorded_at: Date | string;
  }>('SELECT consent, recorded_by, recorded_at FROM consent_records WHERE clip_ref = $1', [
    clipRef,
  ]);
  const row = rows[0];
  if (row === undefined) return;
  const leads = await tx.query<{ lead_id: string }>('SELECT lead_id FROM projects WHERE id = $1', [
    to.projectId,
  ]);
  const users = new Set([...to.users, ...leads.map((lead) => lead.lead_id)]);
  const event = {
    kind: 'consent_recorded',
    clipRef,
    consent: row.consent,
    recordedAt: new Date(row.recorded_at).toISOString(),
    recordedBy: row.recorded_by,
  } as const;
  await appendEvents(
    tx,
    [...users].map((userId) => ({ userId, event })),
  );
}

async function notifyAssigned(
  tx: Queryable,
  clipRef: string,
  consent: ConsentRecord,
  recordedAt: string,
  recordedBy: string,
): Promise<number> {
  const users = await usersOfClip(tx, clipRef);
  await appendEvents(
    tx,
    users.map((userId) => ({
      userId,
      event: { kind: 'consent_recorded', clipRef, consent, recordedAt, recordedBy } as const,
    })),
  );
  return users.length;
}

/**
 * Everyone whose workstation may hold a clip: its annotators and reviewers, and the leads of the
 * projects it is assigned in (the lead's desktop is where exports are made, so consent news that
 * missed it would leave an export reading stale consent).
 */
export async function usersOfClip(tx: Queryable, clipRef: string): Promise<string[]> {
  const rows = await tx.query<{ user_id: string }>(
    `SELECT annotator_id AS user_id FROM assignments WHERE clip_ref = $1
     UNION SELECT reviewer_id FROM assignments WHERE clip_ref = $1 AND reviewer_id IS NOT NULL
     UNION SELECT p.lead_id FROM assignments a JOIN projects p ON p.id = a.project_id
       WHERE a.clip_ref = $1
     ORDER BY 1`,
    [clipRef],
  );
  return rows.map((row) => row.user_id);
}

/** A withdrawal ends the consent the lead recorded: the record goes, the audit entries stay. */
export async function purgeClipConsentRecord(tx: Queryable, clipRef: string): Promise<void> {
  await tx.query('DELETE FROM consent_records WHERE clip_ref = $1', [clipRef]);
}
