import type {
  ClipFetchState,
  ClipStorage,
  DeliveryProgress,
} from '../../../shared/api/deliverySchemas';
import type { SliceCreator } from './appStore';

export type DeliverySlice = {
  /** The clips the team server delivers to this account, and the total; null before the first. */
  delivery: DeliveryProgress | null;
  /** The disk the delivered clips take against the quota; null before it was read. */
  clipStorage: ClipStorage | null;
  /** What the last quota change did, as a sentence (or why it was refused). */
  clipQuotaNote: string | null;
  loadDelivery: () => Promise<void>;
  /**
   * A pushed progress report. A clip that just became ready reloads the lists showing it, so it
   * opens at once.
   */
  receiveDeliveryProgress: (progress: DeliveryProgress) => void;
  retryDelivery: (clipRef: string) => Promise<void>;
  /** Sets the quota in bytes (null: no limit); evicts at once what no longer fits. */
  setClipQuota: (quotaBytes: number | null) => Promise<boolean>;
};

/** Each clip's state, for looking up a row of a list by its clip reference. */
export function fetchStateOf(
  progress: DeliveryProgress | null,
  clipRef: string | null,
): ClipFetchState | undefined {
  if (progress === null || clipRef === null) return undefined;
  return progress.clips.find((clip) => clip.clipRef === clipRef);
}

export const createDeliverySlice: SliceCreator<DeliverySlice> = (api) => (set, get) => ({
  delivery: null,
  clipStorage: null,
  clipQuotaNote: null,
  loadDelivery: async () => {
    try {
      const status = await api.getDeliveryStatus({});
      set({ delivery: status.progress, clipStorage: status.storage });
    } catch (error) {
      get().reportError('reading the clips the team server delivers', error);
    }
  },
  receiveDeliveryProgress: (progress) => {
    const before = get().delivery;
    set({ delivery: progress });
    const arrived = progress.clips.some(
      (clip) => clip.state === 'ready' && fetchStateOf(before, clip.clipRef)?.state !== 'ready',
    );
    if (!arrived) return;
    const screen = get().screen;
    if (screen.name === 'work') void get().loadMyWork();
    if (screen.name === 'batches') void get().loadBatches();
    if (screen.name === 'batch') void get().loadBatchContents(screen.batchId);
    if (screen.name === 'sync') void get().loadDelivery();
  },
  retryDelivery: async (clipRef) => {
    try {
      await api.retryDelivery({ clipRef });
    } catch (error) {
      get().reportError('fetching the clip again', error);
    }
  },
  setClipQuota: async (quotaBytes) => {
    try {
      const { storage, evicted } = await api.setClipQuota({ quotaBytes });
      set({
        clipStorage: storage,
        clipQuotaNote:
          evicted === 0
            ? 'Saved.'
            : `Saved; ${evicted} clip${evicted === 1 ? '' : 's'} no longer assigned to you ` +
              `${evicted === 1 ? 'was' : 'were'} deleted from this workstation.`,
      });
      return true;
    } catch (error) {
      set({ clipQuotaNote: error instanceof Error ? error.message : String(error) });
      return false;
    }
  },
});
