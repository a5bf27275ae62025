import type {
  Identity,
  SyncConflictInfo,
  SyncIssue,
  SyncReport,
  SyncStatus,
} from '../../../shared/api/syncSchemas';
import type { SliceCreator } from './appStore';

export type SyncSlice = {
  syncStatus: SyncStatus | null;
  syncConflicts: SyncConflictInfo[];
  /** Everything sent that has not gone through, with the server's reason and what to do. */
  syncIssues: SyncIssue[];
  /** Who records are made by; null until first read. */
  identity: Identity | null;
  loadIdentity: () => Promise<void>;
  /** Saves the local profile name asked at first run; false (with the reason shown) if refused. */
  saveLocalProfile: (name: string) => Promise<boolean>;
  syncLastReport: SyncReport | null;
  /** A sign-in or sync-now in progress. */
  syncBusy: boolean;
  /** The last sign-in's or sync's failure, shown on the settings screen (not the app-wide alert). */
  syncError: string | null;
  loadSyncStatus: () => Promise<void>;
  syncSignIn: (serverUrl: string, token: string) => Promise<boolean>;
  syncSignOut: () => Promise<void>;
  syncNow: () => Promise<void>;
  dismissSyncConflict: (conflictId: number) => Promise<void>;
  /** Runs one of an issue's actions (`SyncIssue.actions`), then reloads the list. */
  actOnSyncIssue: (issue: SyncIssue, action: SyncIssue['actions'][number]) => Promise<void>;
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createSyncSlice: SliceCreator<SyncSlice> = (api) => (set, get) => ({
  syncStatus: null,
  syncConflicts: [],
  syncIssues: [],
  identity: null,
  loadIdentity: async () => {
    try {
      set({ identity: await api.getIdentity({}) });
    } catch (error) {
      get().reportError('reading who is signed in', error);
    }
  },
  saveLocalProfile: async (name) => {
    try {
      set({ identity: await api.setLocalProfile({ name }) });
      return true;
    } catch (error) {
      get().reportError('saving your name', error);
      return false;
    }
  },
  syncLastReport: null,
  syncBusy: false,
  syncError: null,
  loadSyncStatus: async () => {
    try {
      const [status, conflicts, issues] = await Promise.all([
        api.getSyncStatus({}),
        api.listSyncConflicts({}),
        api.listSyncIssues({}),
      ]);
      set({ syncStatus: status, syncConflicts: conflicts, syncIssues: issues });
      await get().loadIdentity();
    } catch (error) {
      get().reportError('reading the sync status', error);
    }
  },
  syncSignIn: async (serverUrl, token) => {
    set({ syncBusy: true, syncError: null });
    try {
      set({ syncStatus: await api.syncSignIn({ serverUrl, token }) });
      return true;
    } catch (error) {
      set({ syncError: messageOf(error) });
      return false;
    } finally {
      set({ syncBusy: false });
    }
  },
  syncSignOut: async () => {
    try {
      set({ syncStatus: await api.syncSignOut({}), syncError: null });
    } catch (error) {
      get().reportError('signing out of the server', error);
    }
  },
  syncNow: async () => {
    set({ syncBusy: true, syncError: null });
    try {
      set({ syncLastReport: await api.syncNow({}) });
    } catch (error) {
      set({ syncError: messageOf(error) });
    } finally {
      set({ syncBusy: false });
      await get().loadSyncStatus();
    }
  },
  actOnSyncIssue: async (issue, action) => {
    try {
      if (action === 'retry') await api.retrySyncIssue({ issueId: issue.id });
      else if (action === 'discard') await api.discardSyncIssue({ issueId: issue.id });
      else if (action === 'review_again') await api.reviewAgain({ setId: issue.setId });
      else if (issue.commentId !== null) await api.reopenComment({ commentId: issue.commentId });
    } catch (error) {
      get().reportError('dealing with what the server refused', error);
    }
    await get().loadSyncStatus();
  },
  dismissSyncConflict: async (conflictId) => {
    try {
      await api.dismissSyncConflict({ conflictId });
      await get().loadSyncStatus();
    } catch (error) {
      get().reportError('dismissing the conflict', error);
    }
  },
});
