import type { Database } from 'better-sqlite3';
import { Workspace } from '../../../shared/api/schemas';

/**
 * Where each annotator left off. Written on every frame change the UI settles on, so it is one
 * upsert of a small JSON row; a row that no longer parses (written by a newer version, say) reads
 * as "nowhere" rather than failing the app's start.
 */
export class Workspaces {
  readonly #get;
  readonly #save;
  readonly #forgetClip;

  constructor(db: Database) {
    this.#get = db
      .prepare<[string], string>('SELECT state_json FROM workspaces WHERE annotator = ?')
      .pluck();
    this.#save = db.prepare<[string, string, string]>(/* sql */ `
      INSERT INTO workspaces (annotator, state_json, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (annotator) DO UPDATE SET state_json = excluded.state_json,
        updated_at = excluded.updated_at`);
    this.#forgetClip = db.prepare<[string]>(
      "DELETE FROM workspaces WHERE json_extract(state_json, '$.clipId') = ?",
    );
  }

  /** Withdrawal: an annotator whose place was in this clip starts from nowhere. */
  forgetClip(clipId: string): number {
    return this.#forgetClip.run(clipId).changes;
  }

  get(annotator: string): Workspace | null {
    const json = this.#get.get(annotator);
    if (json === undefined) return null;
    const parsed = Workspace.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  }

  save(annotator: string, workspace: Workspace): void {
    this.#save.run(annotator, JSON.stringify(Workspace.parse(workspace)), new Date().toISOString());
  }
}
