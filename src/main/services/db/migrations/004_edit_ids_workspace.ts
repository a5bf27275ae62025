import type { Migration } from './Migration';

/**
 * - `label_commands.edit_id`: the id a client gives an edit, so a retry of an edit whose answer was
 *   lost (the host died after the commit) is recognised as already saved instead of being refused
 *   as stale. Unique per set; NULL for edits logged before this column existed.
 * - `workspaces`: where each annotator left off (clip, frame, zoom, selected track), so the app
 *   reopens there. One row per annotator; the state is JSON validated on read.
 */
const sql = /* sql */ `
ALTER TABLE label_commands ADD COLUMN edit_id TEXT;

CREATE UNIQUE INDEX label_commands_edit_id ON label_commands (set_id, edit_id)
  WHERE edit_id IS NOT NULL;

CREATE TABLE workspaces (
  annotator TEXT PRIMARY KEY NOT NULL,
  state_json TEXT NOT NULL CHECK (json_valid(state_json)),
  updated_at TEXT NOT NULL
) STRICT;
`;

export const migration004: Migration = {
  version: 4,
  name: 'edit_ids_workspace',
  up(db) {
    db.exec(sql);
  },
};
