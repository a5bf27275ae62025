import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * A withdrawn clip leaves no row behind but ids (issue #14). Until now a withdrawal deleted the
 * labels and emptied review comments but kept the clip's assignments, sets (labels NULL), reviews
 * (with the reviewer's reason), resolutions, double-annotation marks, consent record, and the
 * review events that carried comments; every listing had to remember to skip them, and the review queue
 * did not.
 * - `withdrawn_sets` is the tombstone: which sets a withdrawn clip had, in which project, for whom.
 *   Ids only. It lets the server answer CONSENT_WITHDRAWN (not "no such set") to the people who
 *   worked on a set when their offline workstation sends a verdict, a resolve or labels later,
 *   and keeps the withdrawal entry in the project's audit trail.
 * - Clips withdrawn before this migration are purged here the way a withdrawal now purges them
 *   (src/server/team.ts, withdrawConsent): this SQL is a frozen copy of that purge. The audit log
 *   is not touched: its entries hold ids and checksums, and it records the withdrawal already.
 */
const sql = /* sql */ `
CREATE TABLE withdrawn_sets (
  set_id text PRIMARY KEY,
  clip_ref text NOT NULL REFERENCES consent_withdrawals (clip_ref),
  project_id text NOT NULL REFERENCES projects (id),
  assignment_id text NOT NULL UNIQUE,
  annotator_id text NOT NULL REFERENCES users (id),
  reviewer_id text REFERENCES users (id)
);
CREATE INDEX withdrawn_sets_clip ON withdrawn_sets (clip_ref, annotator_id);
CREATE INDEX withdrawn_sets_project ON withdrawn_sets (project_id);

INSERT INTO withdrawn_sets (set_id, clip_ref, project_id, assignment_id, annotator_id, reviewer_id)
SELECT s.id, a.clip_ref, a.project_id, a.id, a.annotator_id, a.reviewer_id
FROM annotation_sets s
JOIN assignments a ON a.id = s.assignment_id
JOIN consent_withdrawals w ON w.clip_ref = a.clip_ref;

UPDATE idempotency_keys SET response = response #- '{error,current}'
WHERE response -> 'error' -> 'current' ->> 'clipRef' IN (SELECT clip_ref FROM consent_withdrawals);
DELETE FROM events
WHERE kind = 'review' AND payload ->> 'clipRef' IN (SELECT clip_ref FROM consent_withdrawals);
DELETE FROM comment_resolutions WHERE set_id IN (SELECT set_id FROM withdrawn_sets);
DELETE FROM reviews WHERE set_id IN (SELECT set_id FROM withdrawn_sets);
DELETE FROM set_versions WHERE set_id IN (SELECT set_id FROM withdrawn_sets);
DELETE FROM double_annotation WHERE clip_ref IN (SELECT clip_ref FROM consent_withdrawals);
DELETE FROM annotation_sets WHERE id IN (SELECT set_id FROM withdrawn_sets);
DELETE FROM assignments WHERE clip_ref IN (SELECT clip_ref FROM consent_withdrawals);
DELETE FROM consent_records WHERE clip_ref IN (SELECT clip_ref FROM consent_withdrawals);
`;

export const migration005: ServerMigration = { version: 5, name: 'withdrawn_sets', sql };
