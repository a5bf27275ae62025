import type { Batch, ImportProgress, ImportReport } from '../../../shared/api/schemas';
import type { SliceCreator } from './appStore';

export type BatchesSlice = {
  batches: Batch[];
  batchesLoaded: boolean;
  /** The folder being imported, while `importBatch` is in flight. */
  importingFolder: string | null;
  /** Latest probe progress of the import in flight. */
  importProgress: ImportProgress | null;
  /** Background checksum progress, which outlives the import call. */
  checksumProgress: ImportProgress | null;
  lastImport: ImportReport | null;
  loadBatches: () => Promise<void>;
  importFolder: (folder: string) => Promise<void>;
  receiveImportProgress: (progress: ImportProgress) => void;
};

export const createBatchesSlice: SliceCreator<BatchesSlice> = (api) => (set, get) => ({
  batches: [],
  batchesLoaded: false,
  importingFolder: null,
  importProgress: null,
  checksumProgress: null,
  lastImport: null,

  loadBatches: async () => {
    try {
      set({ batches: await api.listBatches({}), batchesLoaded: true });
    } catch (error) {
      get().reportError('listing batches', error);
    }
  },

  importFolder: async (folder) => {
    if (get().importingFolder !== null) return;
    set({ importingFolder: folder, importProgress: null, lastImport: null });
    get().dismissError();
    try {
      const report = await api.importBatch({ folder });
      set({ lastImport: report });
    } catch (error) {
      get().reportError(`importing ${folder}`, error);
    } finally {
      set({ importingFolder: null, importProgress: null });
    }
    await get().loadBatches();
  },

  receiveImportProgress: (progress) => {
    if (progress.phase === 'checksum') {
      set({ checksumProgress: progress });
    } else if (get().importingFolder !== null) {
      set({ importProgress: progress });
    }
  },
});
