import { z } from 'zod';

/** The sync as the settings screen shows it; the contract's answer to getSyncStatus. */
export const SyncStatus = z
  .object({
    server: z.string().nullable(),
    signedIn: z.boolean(),
    /** null before the first contact; then whether the last request got an answer. */
    online: z.boolean().nullable(),
    /** Deliveries this account (or, signed out, the local profile) will send. */
    pending: z.number().int().min(0),
    /**
     * Deliveries made by other accounts that signed in here: each waits for its own account and
     * is never sent under this one's token.
     */
    waitingForOthers: z.array(
      z.object({ account: z.string(), count: z.number().int().min(1) }).strict(),
    ),
    lastError: z.string().nullable(),
    lastSyncAt: z.string().nullable(),
    conflicts: z.number().int().min(0),
    /** Labels, verdicts and resolutions the server refused for good: `listSyncIssues`' refused. */
    refused: z.number().int().min(0),
    /** The account records are made by (the last signed in, until sign-out); null before. */
    account: z.object({ name: z.string(), role: z.string() }).strict().nullable(),
    /**
     * 'encrypted': the token is saved with the OS keyring (Electron safeStorage);
     * 'session': kept in memory only (no keyring, or the browser/CLI host), so signing in is
     * needed again after a restart.
     */
    tokenStorage: z.enum(['encrypted', 'session']),
    /** Why the token is not saved, when it is not. */
    tokenStorageNote: z.string().nullable(),
  })
  .strict();
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncReport = z
  .object({
    server: z.string(),
    delivered: z.array(
      z
        .object({
          setId: z.string(),
          clipId: z.string(),
          serverSetId: z.string(),
          revision: z.number(),
        })
        .strict(),
    ),
    conflicts: z.array(
      z
        .object({
          setId: z.string(),
          clipId: z.string(),
          code: z.string(),
          message: z.string(),
          serverRevision: z.number().nullable(),
        })
        .strict(),
    ),
    /** Attempts that failed in transit and are queued again with backoff. */
    retries: z.number().int(),
    /** Sets whose clip has no sha256 yet (hashing still running); sent once it is known. */
    waitingForChecksum: z.number().int(),
    pending: z.number().int(),
    events: z.number().int(),
    reviewsApplied: z.array(
      z.object({ setId: z.string().nullable(), clipRef: z.string(), status: z.string() }).strict(),
    ),
    /** Clips (by sha256) whose contributor withdrew consent; purged here by governance. */
    consentWithdrawals: z.array(z.string()),
    requests: z.number().int(),
    /** The last transport error, when the run ended with work still pending. */
    lastError: z.string().nullable(),
  })
  .strict();
export type SyncReport = z.infer<typeof SyncReport>;

/** A delivery the server refused, with both versions: what this workstation sent, and the server's. */
export const SyncConflictInfo = z
  .object({
    id: z.number().int(),
    setId: z.string(),
    clipId: z.string(),
    code: z.string(),
    message: z.string(),
    local: z.unknown(),
    server: z.unknown(),
    serverRevision: z.number().nullable(),
    recordedAt: z.string(),
  })
  .strict();
export type SyncConflictInfo = z.infer<typeof SyncConflictInfo>;

export const SyncSignIn = z
  .object({
    serverUrl: z
      .string()
      .trim()
      .min(1, 'Enter the server address, e.g. http://server:8787.')
      .max(500),
    token: z.string().trim().min(8, 'Paste the token your team lead gave you.').max(200),
  })
  .strict();

/**
 * Something sent that has not gone through: refused by the server for good (parked with its
 * reason) or waiting after a failed attempt (no answer, a refused token). One list for labels,
 * verdicts and comment resolutions, shown on Sync settings and on the clip it is about, each with
 * what the person can do (`syncIssueAdvice`).
 */
export const SyncIssue = z
  .object({
    /** `labels:<conflict id>`, `labels-waiting:<outbox id>` or `review:<outbox id>`. */
    id: z.string(),
    kind: z.enum(['labels', 'verdict', 'resolve']),
    state: z.enum(['refused', 'waiting']),
    /** This workstation's clip, when it has it (a reviewer may not have imported the clip). */
    clipId: z.string().nullable(),
    clipRef: z.string().nullable(),
    /** The clip's file name when it is imported here: what people call a clip. */
    fileName: z.string().nullable(),
    /** The local set (labels) or the server's set (verdicts, resolutions). */
    setId: z.string(),
    /** The comment a refused resolution was about. */
    commentId: z.string().nullable(),
    code: z.string(),
    /** The server's own sentence (or the transport's). */
    message: z.string(),
    /** What to do about it, in a sentence. */
    advice: z.string(),
    /** The buttons that apply, in order. */
    actions: z.array(z.enum(['retry', 'discard', 'review_again', 'reopen_comment'])),
    at: z.string(),
  })
  .strict();
export type SyncIssue = z.infer<typeof SyncIssue>;

/** Who records are made by on this workstation now, and where that name comes from. */
export const Identity = z
  .object({
    actor: z.string(),
    source: z.enum(['account', 'profile', 'os']),
    localProfile: z.string().nullable(),
  })
  .strict();
export type Identity = z.infer<typeof Identity>;

export const LocalProfileInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Enter the name your team knows you by.')
      .max(80, 'Keep the name under 80 characters.'),
  })
  .strict();

/** A clip with its status for the signed-in person (batch screen, My work). */
export const WorkItem = z
  .object({
    /** Null when the clip is assigned but not imported on this workstation. */
    clipId: z.string().nullable(),
    clipRef: z.string().nullable(),
    /**
     * The clip's file is on this workstation and can be opened: false when it is not imported
     * here, or when the disk quota evicted the copy the team server delivered.
     */
    here: z.boolean(),
    batchId: z.string().nullable(),
    batchName: z.string().nullable(),
    fileName: z.string().nullable(),
    status: z.enum([
      'changes_requested',
      'in_progress',
      'assigned',
      'submitted',
      'accepted',
      'withdrawn',
      'not_assigned',
    ]),
    /** The reviewer's reason ("reviewer: reason") when changes were requested. */
    reason: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .strict();
export type WorkItem = z.infer<typeof WorkItem>;
