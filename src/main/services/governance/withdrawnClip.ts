import type { Tx } from '../db/db';

/**
 * A clip being purged, as every owner of data about it needs to find its rows: the local clip
 * id (null on a workstation that never imported it, a reviewer's), the sha256 the server names it
 * by, the local annotation sets (labels') and their server ids (sync's).
 */
export type WithdrawnClip = {
  clipId: string | null;
  sha256: string | null;
  setIds: readonly string[];
  serverSetIds: readonly string[];
  at: string;
};

/**
 * A module that keeps data about a clip. Governance calls `purgeClip` of every owner inside the
 * withdrawal's one unit of work; `clipTables` names the owner's tables that hold such rows (the
 * ownership test checks every table with a clip_id, set_id, clip_ref or server_set_id column is
 * named by exactly one owner, and empty for the clip after a withdrawal).
 */
export interface ClipDataOwner<Purged = number> {
  readonly clipTables: readonly string[];
  purgeClip(tx: Tx, clip: WithdrawnClip): Purged;
}
