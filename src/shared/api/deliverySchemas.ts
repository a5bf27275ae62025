import { z } from 'zod';

/** One clip the team server offers this account, as the workstation fetches it (#18). */
export const ClipFetchState = z.object({
  clipRef: z.string(),
  as: z.enum(['annotator', 'reviewer', 'lead']),
  state: z.enum(['waiting', 'downloading', 'ready', 'failed']),
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
