import { z } from 'zod';

/** Metadata that can identify a contributor or their home; shown to the user and stripped on export. */
export const FlaggedMetadata = z.object({
  /** ISO 6709 string as recorded, e.g. "+37.7749-122.4194/". */
  location: z.string().nullable(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  /** ISO 8601, from the container or its metadata keys. */
  creationTime: z.string().nullable(),
});
export type FlaggedMetadata = z.infer<typeof FlaggedMetadata>;
