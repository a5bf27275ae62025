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

export type FlaggedField = keyof FlaggedMetadata;

/**
 * Which flagged field a free-form metadata key carries, wherever a container keeps it: Apple
 * `com.apple.quicktime.make`, Android `com.android.manufacturer`/`com.android.model`, the plain
 * `make`/`model`/`location` keys ffmpeg writes with `-movflags use_metadata_tags` (as mdta keys) or
 * into Matroska tags, and vendor namespaces (`com.samsung.android.model`) ending the same way.
 * Keys compare case-insensitively (Matroska tags are upper case). A camera lens description
 * ("iPhone 15 Pro back camera 6.765mm f/1.78") names the device too, so it counts as a model.
 * Null: the key is not one the privacy report flags.
 */
export function flaggedFieldOfKey(key: string): FlaggedField | null {
  const k = key.trim().toLowerCase();
  const last = k.slice(k.lastIndexOf('.') + 1);
  if (last === 'make' || last === 'manufacturer') return 'make';
  if (last === 'model' || last === 'lens_model' || last === 'device_model') return 'model';
  if (k === 'location' || k.startsWith('location-') || k.endsWith('.location.iso6709')) {
    return 'location';
  }
  if (
    k === 'creation_time' ||
    k === 'date_recorded' ||
    k === 'creationdate' ||
    k.endsWith('.creationdate')
  ) {
    return 'creationTime';
  }
  return null;
}

/** Precedence when a container holds the same field under several keys: the device's own first. */
export function flaggedKeyRank(key: string): number {
  const k = key.trim().toLowerCase();
  if (k.startsWith('com.apple.quicktime.') && !k.includes('lens')) return 0;
  if (k.startsWith('com.android.')) return 1;
  if (!k.includes('lens')) return 2;
  return 3;
}
