import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Admin without downtime (#15): an `admin` account runs the team's admin commands (users, tokens,
 * projects, assignments, consent) against the running server (`POST /v1/admin/commands`), so a
 * PGlite server need not stop for them. An admin sees no labels: every data route answers it as
 * someone with no sets.
 */
const sql = /* sql */ `
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('annotator', 'reviewer', 'lead', 'admin'));
`;

export const migration007: ServerMigration = { version: 7, name: 'admin_role', sql };
