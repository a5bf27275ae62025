import { z } from 'zod';
import { FaceTrack } from '../domain/faces/faceTracks';

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

/** A clip's face scan as stored: how far it got and whether a person reviewed its regions. */
export const FaceScanInfo = z.object({
  clipId: z.string(),
  model: z.string(),
  backend: z.string().nullable(),
  frameCount: z.number().int().min(0),
  framesDone: z.number().int().min(0),
  status: z.enum(['scanning', 'scanned', 'failed', 'cancelled']),
  error: z.string().nullable(),
  reviewStatus: z.enum(['unreviewed', 'reviewed']),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
export type FaceScanInfo = z.infer<typeof FaceScanInfo>;

export const StoredFaceTrack = FaceTrack.extend({
  source: z.enum(['detector', 'person']),
  removed: z.boolean(),
});

export const FaceRegionsOfClip = z.object({
  scan: FaceScanInfo.nullable(),
  tracks: z.array(StoredFaceTrack),
});
export type FaceRegionsOfClip = z.infer<typeof FaceRegionsOfClip>;
