/**
 * Who writes each table of the server's database, and what a consent withdrawal leaves in it.
 * A test (tests/integration/server/tableOwners.test.ts) lists the database's tables and fails
 * when one is missing here, when a table naming clips or sets declares no withdrawal rule, or when
 * a withdrawn clip leaves a row in a table that is not kept.
 * - `purged`: a withdrawal deletes every row about the clip (the owner's purge function, called
 *   by `withdrawConsent` in team.ts).
 * - `kept`: rows about a withdrawn clip stay, holding only the columns listed (ids, checksums,
 *   counts); the test fails if the table gains another.
 * - `unrelated`: holds nothing about clips.
 */
export type TableOwner =
  | { readonly owner: string; readonly onWithdrawal: 'purged' | 'unrelated' }
  | { readonly owner: string; readonly onWithdrawal: 'kept'; readonly columns: readonly string[] };

export const serverTableOwners: Readonly<Record<string, TableOwner>> = {
  schema_migrations: { owner: 'db/migrations', onWithdrawal: 'unrelated' },
  users: { owner: 'team.ts', onWithdrawal: 'unrelated' },
  api_tokens: { owner: 'team.ts', onWithdrawal: 'unrelated' },
  projects: { owner: 'team.ts', onWithdrawal: 'unrelated' },
  assignments: { owner: 'team.ts', onWithdrawal: 'purged' },
  annotation_sets: { owner: 'team.ts', onWithdrawal: 'purged' },
  set_versions: { owner: 'sets.ts', onWithdrawal: 'purged' },
  reviews: { owner: 'sets.ts', onWithdrawal: 'purged' },
  comment_resolutions: { owner: 'sets.ts', onWithdrawal: 'purged' },
  // Stored answers: a refusal's copy of the labels is stripped, the answer kept for retries.
  idempotency_keys: { owner: 'sets.ts', onWithdrawal: 'purged' },
  double_annotation: { owner: 'doubleAnnotation.ts', onWithdrawal: 'purged' },
  consent_records: { owner: 'consentRecords.ts', onWithdrawal: 'purged' },
  // Review events (comments, reasons) of the clip go; notices of ids and dates stay.
  events: { owner: 'events.ts', onWithdrawal: 'purged' },
  consent_withdrawals: {
    owner: 'team.ts',
    onWithdrawal: 'kept',
    // The withdrawal itself: what refuses the clip from then on.
    columns: ['clip_ref', 'reason', 'at'],
  },
  withdrawn_sets: {
    owner: 'withdrawnSets.ts',
    onWithdrawal: 'kept',
    columns: ['set_id', 'clip_ref', 'project_id', 'assignment_id', 'annotator_id', 'reviewer_id'],
  },
  audit_log: {
    owner: 'audit.ts',
    onWithdrawal: 'kept',
    columns: [
      'seq',
      'at',
      'actor',
      'action',
      'project_id',
      'clip_ref',
      'set_id',
      'revision',
      'details',
      'prev_hash',
      'hash',
    ],
  },
  audit_head: { owner: 'audit.ts', onWithdrawal: 'unrelated' },
  // The batch as the contributor described it (pseudonym, consent, paths): kept like the
  // workstation's batches; the clip's own rows go below.
  ingest_batches: { owner: 'delivery/ingest.ts', onWithdrawal: 'unrelated' },
  // The clip's file record; its blobs (original and delivered copy) go with it.
  clip_files: { owner: 'delivery/ingest.ts', onWithdrawal: 'purged' },
  uploads: { owner: 'delivery/uploads.ts', onWithdrawal: 'purged' },
  // The withdrawn clip's blobs waiting to be deleted from the store; the row goes once they are.
  blob_deletions: {
    owner: 'delivery/withdrawal.ts',
    onWithdrawal: 'kept',
    columns: ['blob_sha256', 'clip_ref', 'kind', 'queued_at'],
  },
};
