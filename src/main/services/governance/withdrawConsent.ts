import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { AuditLog } from '../audit/auditLog';
import type { Db, ReadTx, Tx } from '../db/db';
import type { AnnotationSets } from '../labels/annotationSets';
import type { MediaRepository } from '../media/mediaRepository';
import type { DoubleAnnotationSets } from '../review/doubleAnnotationSets';
import type { Reviews } from '../review/reviews';
import type { SyncQueue } from '../sync/syncQueue';
import { GovernanceError } from './governanceError';
import type { ClipDataOwner, WithdrawnClip } from './withdrawnClip';

/**
 * Every module that keeps data about a clip, called in this order inside the withdrawal's unit
 * of work: rows that point at annotation sets (sync, review) before the sets (labels), the
 * sets and the face regions before the clip's media.
 */
export type ClipOwners = {
  sync: ClipDataOwner & Pick<SyncQueue, 'serverSetIdsOf'>;
  review: ClipDataOwner & Pick<Reviews, 'clipTables'>;
  doubleSets: ClipDataOwner & Pick<DoubleAnnotationSets, 'clipTables'>;
  labels: Pick<AnnotationSets, 'clipTables' | 'purgeClip' | 'setIdsOfClip'>;
  faces: ClipDataOwner;
  media: ClipDataOwner & Pick<MediaRepository, 'proxyFile'>;
};

/** The tables governance keeps rows in after a withdrawal, on purpose, and why. */
export const KEPT_AFTER_WITHDRAWAL: Readonly<Record<string, string>> = {
  consent_withdrawals:
    'the withdrawal itself (consent id, clip id or sha256, time, source): what keeps the clip ' +
    'locked and its data from being stored again',
};

/**
 * A withdrawal of consent: by consent id (every clip recorded under it, and any imported later),
 * for one local clip, or by `clipRef`, the sha256 of the clip's file as the server names clips
 * (held even when that clip is not imported here yet). `source` says where it came from:
 * 'server' for a withdrawal event pulled by sync, 'local' for a lead's command here.
 */
export type WithdrawalRequest = (
  { consentId: string } | { clipId: string } | { clipRef: string }
) & {
  source: 'local' | 'server';
  /** Why, as the server's event says it; recorded with the withdrawal. */
  reason?: string;
  /** When the contributor withdrew (ISO 8601); defaults to now. */
  withdrawnAt?: string;
  /** Who is recorded in the audit log; defaults to the workstation's user. */
  actor?: string;
};

export type PurgedClip = {
  clipId: string;
  /** The one trace kept, in the audit log with the consent id: which recording this was. */
  sha256: string | null;
  consentId: string | null;
  annotationSets: number;
  labelCommands: number;
  labelSnapshots: number;
  /** Queued sync items (outbox, conflicts, sync state) removed before they were sent. */
  outboxItems: number;
  workspaces: number;
  proxyFiles: string[];
};

export type WithdrawalOutcome = {
  consentId: string | null;
  /** False when this exact withdrawal was recorded before (a re-delivered event): nothing new. */
  recorded: boolean;
  clips: PurgedClip[];
  /** Other annotators' sets of the clip pulled for agreement (migration 009), imported or not. */
  pulledSets: number;
  /** Rows the owners removed for a clip not imported here (a reviewer's queue, its comments). */
  clipRefRows: number;
  /** VACUUM rebuilt the file, so no freed page still holds purged bytes. */
  vacuumed: boolean;
  /** The -wal file was checkpointed and truncated; false while another connection was reading. */
  walTruncated: boolean;
};

type ClipRow = {
  id: string;
  sha256: string | null;
  expected_sha256: string | null;
  consent_id: string | null;
};

/**
 * Records the withdrawal and purges every affected clip from this workstation in one
 * transaction: the clip is locked from then on (its consent state reads `withdrawn`, and the
 * store refuses edits and new sets), its annotation sets, label log, snapshots, queued sync items,
 * proxy record and workspace rows are deleted, and its flagged metadata (location, device) is
 * cleared. The clip row stays as a tombstone, so the lock holds and a re-import of the same bytes
 * is a no-op, and the audit log keeps one entry with the clip's sha256 and the consent id.
 *
 * Then, outside the transaction: proxy files are removed, and the database is rebuilt so nothing
 * of the purged labels survives in free pages or the WAL: `secure_delete` zeroes freed pages as
 * they are freed, `VACUUM` rewrites the file, and `wal_checkpoint(TRUNCATE)` empties the -wal
 * (old frames there still hold the labels as they were written).
 *
 * `db` is a connection of its own (read-write, migrated); it is left open for the caller.
 */
export async function withdrawConsent(
  db: Db,
  owners: ClipOwners,
  audit: AuditLog,
  request: WithdrawalRequest,
  options: {
    actor: string;
    proxyDir: string;
    now?: () => Date;
    /** False leaves the rewrite to the caller (`rewriteWithoutFreedPages`), for a run of them. */
    vacuum?: boolean;
  },
): Promise<WithdrawalOutcome> {
  const at = (options.now ?? (() => new Date()))().toISOString();
  const withdrawnAt = request.withdrawnAt ?? at;
  if (Number.isNaN(Date.parse(withdrawnAt))) {
    throw new GovernanceError(
      'WITHDRAWAL_INVALID',
      `"${withdrawnAt}" is not a date and time; give the withdrawal time in ISO 8601.`,
    );
  }
  const actor = request.actor ?? options.actor;
  db.connection.pragma('secure_delete = ON');
  let result: Omit<WithdrawalOutcome, 'vacuumed' | 'walTruncated'>;
  try {
    result = db.write((tx) =>
      recordAndPurge(tx, owners, audit, request, { at, withdrawnAt, actor }),
    );
  } finally {
    db.connection.pragma('secure_delete = OFF');
  }

  for (const clip of result.clips) {
    const candidates = new Set([
      ...clip.proxyFiles,
      join(options.proxyDir, `${clip.clipId}.mp4`),
      join(options.proxyDir, `${clip.clipId}.mp4.partial`),
    ]);
    for (const file of candidates) await rm(file, { force: true });
    clip.proxyFiles = [...candidates];
  }

  // secure_delete zeroed what the purge deleted, but not the older versions of those rows that
  // earlier updates left in the pages' free space (a re-pulled queue entry, a newer revision):
  // only a rewrite removes them, also when the clip itself was never imported here.
  if (!purgedAnything(result) || options.vacuum === false) {
    return { ...result, vacuumed: false, walTruncated: false };
  }
  return { ...result, ...rewriteWithoutFreedPages(db.connection) };
}

/**
 * Rebuilds the database so no freed page or WAL frame still holds purged bytes. Costs a rewrite of
 * the whole file, so a run of withdrawals (a sync delivering many events) purges each and calls
 * this once at the end.
 */
export function rewriteWithoutFreedPages(db: Database): {
  vacuumed: boolean;
  walTruncated: boolean;
} {
  checkpoint(db);
  db.exec('VACUUM');
  return { vacuumed: true, walTruncated: checkpoint(db) };
}

/** True when the whole WAL was copied back and the -wal file truncated to zero bytes. */
function checkpoint(db: Database): boolean {
  const rows = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  return rows[0]?.busy === 0;
}

function recordAndPurge(
  tx: Tx,
  owners: ClipOwners,
  audit: AuditLog,
  request: WithdrawalRequest,
  ctx: { at: string; withdrawnAt: string; actor: string },
): Omit<WithdrawalOutcome, 'vacuumed' | 'walTruncated'> {
  const db = tx.connection;
  const consentOfClips = /* sql */ `
    SELECT c.id, c.sha256, c.expected_sha256, json_extract(b.manifest_json, '$.consent.id') AS consent_id
    FROM clips c JOIN batches b ON b.id = c.batch_id`;
  let clips: ClipRow[];
  let consentId: string | null = null;
  let clipId: string | null = null;
  let clipRef: string | null = null;
  if ('clipRef' in request) {
    clipRef = request.clipRef.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(clipRef)) {
      throw new GovernanceError(
        'WITHDRAWAL_INVALID',
        `"${request.clipRef}" is not a clip reference: give the sha256 of the clip's file in hex.`,
      );
    }
    // Before its checksum is computed, a clip is known by the manifest's expected sha256.
    clips = db
      .prepare<[string, string], ClipRow>(
        `${consentOfClips} WHERE c.sha256 = ? OR (c.sha256 IS NULL AND c.expected_sha256 = ?) ORDER BY c.id`,
      )
      .all(clipRef, clipRef);
    consentId = clips[0]?.consent_id ?? null;
  } else if ('clipId' in request) {
    const clip = db
      .prepare<[string], ClipRow>(`${consentOfClips} WHERE c.id = ?`)
      .get(request.clipId);
    if (clip === undefined) {
      throw new GovernanceError(
        'CLIP_NOT_FOUND',
        `No clip ${request.clipId} in this workstation's database; check the id.`,
      );
    }
    clips = [clip];
    clipId = clip.id;
    consentId = clip.consent_id;
  } else {
    if (request.consentId.trim() === '') {
      throw new GovernanceError('WITHDRAWAL_INVALID', 'A withdrawal needs the consent id.');
    }
    consentId = request.consentId;
    clips = db
      .prepare<[string], ClipRow>(
        `${consentOfClips} WHERE json_extract(b.manifest_json, '$.consent.id') = ? ORDER BY c.id`,
      )
      .all(consentId);
  }

  // One row names one thing: the consent id only for a withdrawal by consent.
  const key = {
    consent: clipId === null && clipRef === null ? consentId : null,
    clip: clipId,
    sha256: clipRef,
  };
  const seen = db
    .prepare<[string | null, string | null, string | null], number>(
      /* sql */ `SELECT count(*) FROM consent_withdrawals
      WHERE consent_id IS ? AND clip_id IS ? AND clip_sha256 IS ?`,
    )
    .pluck()
    .get(key.consent, key.clip, key.sha256);
  const recorded = seen === 0;
  if (recorded) {
    db.prepare(
      /* sql */ `INSERT INTO consent_withdrawals
        (consent_id, clip_id, clip_sha256, withdrawn_at, recorded_at, actor, source, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      key.consent,
      key.clip,
      key.sha256,
      ctx.withdrawnAt,
      ctx.at,
      ctx.actor,
      request.source,
      request.reason ?? null,
    );
    audit.append(
      tx,
      {
        actor: ctx.actor,
        action: 'consent.withdrawn',
        entityType: clipId !== null ? 'clip' : clipRef !== null ? 'clip_ref' : 'consent',
        entityId: clipId ?? clipRef ?? consentId ?? '',
        details: {
          consentId,
          clipId,
          clipRef,
          withdrawnAt: ctx.withdrawnAt,
          source: request.source,
          // Ids and counts only: the reason is kept in consent_withdrawals, not in the log.
          reasonGiven: request.reason !== undefined,
          clips: clips.length,
        },
      },
      ctx.at,
    );
  }

  const purged: PurgedClip[] = [];
  let pulledSets = 0;
  for (const clip of clips) {
    const { pulledSets: pulled, ...outcome } = purgeClip(tx, owners, clip, ctx.at);
    pulledSets += pulled;
    // A clip purged before (the same withdrawal again) has nothing left: no second entry.
    const anything =
      outcome.annotationSets + outcome.outboxItems + outcome.workspaces + outcome.proxyFiles.length;
    if (recorded || anything > 0) {
      audit.append(
        tx,
        {
          actor: ctx.actor,
          action: 'clip.purged',
          entityType: 'clip',
          entityId: clip.id,
          details: {
            sha256: clip.sha256,
            consentId: clip.consent_id,
            reason: 'consent_withdrawn',
            annotationSets: outcome.annotationSets,
            labelCommands: outcome.labelCommands,
            labelSnapshots: outcome.labelSnapshots,
            outboxItems: outcome.outboxItems,
          },
        },
        ctx.at,
      );
    }
    purged.push(outcome);
  }
  // A clip not imported here (a reviewer's, a lead's agreement copies) is known by its sha256
  // only: every owner still purges what it keeps under it.
  let clipRefRows = 0;
  if (clipRef !== null && !clips.some((c) => (c.sha256 ?? c.expected_sha256) === clipRef)) {
    const removed = purgeClipRef(tx, owners, clipRef, ctx.at);
    pulledSets += removed.pulledSets;
    clipRefRows = removed.rows;
  }
  return { consentId, recorded, clips: purged, pulledSets, clipRefRows };
}

/** The owners' purge of a clip this workstation never imported. */
function purgeClipRef(
  tx: Tx,
  owners: ClipOwners,
  sha256: string,
  at: string,
): { rows: number; pulledSets: number } {
  const clip: WithdrawnClip = { clipId: null, sha256, setIds: [], serverSetIds: [], at };
  const pulledSets = owners.doubleSets.purgeClip(tx, clip);
  const rows = owners.sync.purgeClip(tx, clip) + owners.review.purgeClip(tx, clip) + pulledSets;
  return { rows, pulledSets };
}

/** Whether the withdrawal removed anything whose bytes a rewrite must clear from the file. */
export function purgedAnything(
  outcome: Pick<WithdrawalOutcome, 'clips' | 'pulledSets' | 'clipRefRows'>,
): boolean {
  return outcome.clips.length > 0 || outcome.pulledSets > 0 || outcome.clipRefRows > 0;
}

function withdrawnClipOf(tx: ReadTx, owners: ClipOwners, clip: ClipRow, at: string): WithdrawnClip {
  const setIds = owners.labels.setIdsOfClip(tx, clip.id);
  return {
    clipId: clip.id,
    // Before its checksum is computed, a clip is known by the manifest's expected sha256.
    sha256: clip.sha256 ?? clip.expected_sha256,
    setIds,
    serverSetIds: owners.sync.serverSetIdsOf(tx, setIds),
    at,
  };
}

function purgeClip(
  tx: Tx,
  owners: ClipOwners,
  row: ClipRow,
  at: string,
): PurgedClip & { pulledSets: number } {
  const clip = withdrawnClipOf(tx, owners, row, at);
  const proxyFile = owners.media.proxyFile(tx, row.id);
  const outboxItems = owners.sync.purgeClip(tx, clip);
  owners.review.purgeClip(tx, clip);
  const pulledSets = owners.doubleSets.purgeClip(tx, clip);
  const labels = owners.labels.purgeClip(tx, clip);
  owners.faces.purgeClip(tx, clip);
  owners.media.purgeClip(tx, clip);
  return {
    clipId: row.id,
    sha256: row.sha256,
    consentId: row.consent_id,
    ...labels,
    outboxItems,
    proxyFiles: proxyFile === null ? [] : [proxyFile],
    pulledSets,
  };
}
