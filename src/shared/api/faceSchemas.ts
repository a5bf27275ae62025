import { z } from 'zod';

/** One face scan's state, as `faceScanProgress` events tell it (src/main/services/faces). */
export const FaceScanProgress = z.object({
  jobId: z.string(),
  clipId: z.string(),
  phase: z.enum(['loading', 'running', 'done', 'failed', 'cancelled']),
  /** Frames scanned so far, those of an earlier, resumed run included. */
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  model: z.string(),
  backend: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type FaceScanProgress = z.infer<typeof FaceScanProgress>;
