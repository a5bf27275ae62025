import type { SyncConflictInfo, SyncReport, SyncStatus } from '../../../shared/api/syncSchemas';
import type { SliceCreator } from './appStore';

export type SyncSlice = {
  syncStatus: SyncStatus | null;
  syncConflicts: SyncConflictInfo[];
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
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createSyncSlice: SliceCreator<SyncSlice> = (api) => (set, get) => ({
  syncStatus: null,
  syncConflicts: [],
  syncLastReport: null,
  syncBusy: false,
  syncError: null,
  loadSyncStatus: async () => {
    try {
      const [status, conflicts] = await Promise.all([
        api.getSyncStatus({}),
        api.listSyncConflicts({}),
      ]);
      set({ syncStatus: status, syncConflicts: conflicts });
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
  dismissSyncConflict: async (conflictId) => {
    try {
      await api.dismissSyncConflict({ conflictId });
      await get().loadSyncStatus();
    } catch (error) {
      get().reportError('dismissing the conflict', error);
    }
  },
});
