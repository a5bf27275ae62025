import { z } from 'zod';

/**
 * One clip the team server offers this account, as the workstation fetches it (#18): queued,
 * downloading (bytes so far), verifying (sha256, frame table, import), ready to open, or failed
 * with the reason and a retry.
 */
export const ClipFetchState = z.object({
  clipRef: z.string(),
  as: z.enum(['annotator', 'reviewer', 'lead']),
  state: z.enum(['queued', 'downloading', 'verifying', 'ready', 'failed']),
  bytesDone: z.number().nonnegative(),
  sizeBytes: z.number().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ClipFetchState = z.infer<typeof ClipFetchState>;

/** Every offered clip's progress, and the total. */
export const DeliveryProgress = z.object({
  clips: z.array(ClipFetchState),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
});
export type DeliveryProgress = z.infer<typeof DeliveryProgress>;

/** The disk the delivered clips take, and the quota the person set (null: no limit). */
export const ClipStorage = z.object({
  quotaBytes: z.number().int().nonnegative().nullable(),
  usedBytes: z.number().nonnegative(),
  /** Delivered clips on disk (complete or partial). */
  clipCount: z.number().int().nonnegative(),
});
export type ClipStorage = z.infer<typeof ClipStorage>;

export const DeliveryStatus = z.object({ progress: DeliveryProgress, storage: ClipStorage });
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** A quota of at most 100 TB, in whole bytes; null lifts it. */
export const SetClipQuota = z
  .object({
    quotaBytes: z.number().int().nonnegative().max(100e12).nullable(),
  })
  .strict();
