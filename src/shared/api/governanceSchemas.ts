import { z } from 'zod';

/** One audit entry as exported for a batch: every stored field, with its chain hashes. */
export const AuditTrailEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});
export type AuditTrailEntry = z.infer<typeof AuditTrailEntry>;

/** The result of checking the audit log's hash chain. */
export const AuditVerdict = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), entries: z.number().int().min(0), lastHash: z.string() }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int().min(0),
    firstBadId: z.number().int(),
    problem: z.enum([
      'entry_altered',
      'link_broken',
      'entries_missing',
      'tail_missing',
      'unhashed',
    ]),
    message: z.string(),
  }),
]);
export type AuditVerdict = z.infer<typeof AuditVerdict>;

/**
 * Pushed when a consent withdrawal purged clips on this workstation: a window showing one of them
 * drops its labels and decoded frames from memory and leaves the clip, which is locked from now on.
 */
export const ConsentWithdrawn = z.object({
  clipIds: z.array(z.string()),
  reason: z.string().nullable(),
});
export type ConsentWithdrawn = z.infer<typeof ConsentWithdrawn>;
