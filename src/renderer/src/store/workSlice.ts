import type { WorkItem } from '../../../shared/api/syncSchemas';
import type { SliceCreator } from './appStore';

export type WorkSlice = {
  /** The open batch's clips with their status for the signed-in person. */
  batchWork: { batchId: string; items: WorkItem[] } | null;
  /** My work: assignments and started clips across batches, due first. */
  myWork: WorkItem[] | null;
  loadBatchWork: (batchId: string) => Promise<void>;
  loadMyWork: () => Promise<void>;
};

export const createWorkSlice: SliceCreator<WorkSlice> = (api) => (set, get) => ({
  batchWork: null,
  myWork: null,
  loadBatchWork: async (batchId) => {
    try {
      const items = await api.listWork({ batchId });
      set({ batchWork: { batchId, items } });
    } catch (error) {
      get().reportError('reading the status of the clips', error);
    }
  },
  loadMyWork: async () => {
    try {
      set({ myWork: await api.listWork({}) });
    } catch (error) {
      get().reportError('reading your work', error);
    }
  },
});
