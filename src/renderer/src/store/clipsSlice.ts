import type { ConsentWithdrawn } from '../../../shared/api/governanceSchemas';
import type { ChecksumUpdate, Clip, FileError } from '../../../shared/api/schemas';
import type { SliceCreator } from './appStore';
import type { PrivacyReport } from '../../../shared/domain/privacyReport';

export type ClipsSlice = {
  /** The batch whose clips and file errors are held here. */
  clipsBatchId: string | null;
  clips: Clip[];
  fileErrors: FileError[];
  clipsLoading: boolean;
  /**
   * Checksum results pushed for the open batch, by clip id. Kept so a result that arrives while
   * `listClips` is in flight is not lost when the (older) list lands.
   */
  checksumUpdates: Record<string, ChecksumUpdate>;
  /** The open batch's privacy report (found metadata, what export strips); null until loaded. */
  privacyReport: PrivacyReport | null;
  loadBatchContents: (batchId: string) => Promise<void>;
  loadPrivacyReport: (batchId: string) => Promise<void>;
  applyChecksumUpdate: (update: ChecksumUpdate) => void;
  /**
   * A withdrawal purged clips: the one open (labeling or review) is closed and its labels and
   * decoded frames dropped from memory (leaving the clip screen disposes the frame cache); the
   * clip list reloads to show the withdrawn badge.
   */
  applyConsentWithdrawn: (event: ConsentWithdrawn) => void;
};

export const createClipsSlice: SliceCreator<ClipsSlice> = (api) => (set, get) => ({
  applyConsentWithdrawn: ({ clipIds, reason }) => {
    const screen = get().screen;
    const purged = new Set(clipIds);
    const facesOf = get().faceRegionsClipId;
    if (facesOf !== null && purged.has(facesOf)) get().dropFaceRegions();
    if (screen.name === 'clip' && purged.has(screen.clipId)) {
      get().dropLabels();
      get().showBatch(screen.batchId);
      get().reportError('showing the clip', {
        code: 'CONSENT_WITHDRAWN',
        message:
          'The contributor withdrew consent for this clip' +
          (reason ? ` (${reason})` : '') +
          '. Its labels were deleted from this workstation and it can no longer be opened.',
      });
      return;
    }
    // My work shows the clip as withdrawn, with nothing to open.
    if (screen.name === 'work') void get().loadMyWork();
    const batchId = get().clipsBatchId;
    if (batchId !== null && get().clips.some((clip) => purged.has(clip.id))) {
      void get().loadBatchContents(batchId);
    }
  },

  clipsBatchId: null,
  clips: [],
  fileErrors: [],
  clipsLoading: false,
  checksumUpdates: {},
  privacyReport: null,

  loadBatchContents: async (batchId) => {
    const switching = get().clipsBatchId !== batchId;
    set({
      clipsBatchId: batchId,
      clipsLoading: true,
      ...(switching ? { clips: [], fileErrors: [], checksumUpdates: {} } : {}),
    });
    try {
      const [clips, fileErrors] = await Promise.all([
        api.listClips({ batchId }),
        api.listFileErrors({ batchId }),
      ]);
      if (get().clipsBatchId !== batchId) return;
      const updates = get().checksumUpdates;
      set({ clips: clips.map((clip) => withChecksum(clip, updates[clip.id])), fileErrors });
    } catch (error) {
      get().reportError('listing the clips of the batch', error);
    } finally {
      if (get().clipsBatchId === batchId) set({ clipsLoading: false });
    }
  },

  loadPrivacyReport: async (batchId) => {
    if (get().privacyReport?.batchId !== batchId) set({ privacyReport: null });
    try {
      const report = await api.getPrivacyReport({ batchId });
      // A report for a batch left meanwhile is dropped, not shown under another batch.
      if (get().clipsBatchId === batchId) set({ privacyReport: report });
    } catch (error) {
      get().reportError('reading the privacy report of the batch', error);
    }
  },

  applyChecksumUpdate: (update) => {
    const { clipsBatchId, clips, checksumUpdates } = get();
    if (update.batchId !== clipsBatchId) return;
    set({
      checksumUpdates: { ...checksumUpdates, [update.clipId]: update },
      clips: clips.map((clip) => (clip.id === update.clipId ? withChecksum(clip, update) : clip)),
    });
  },
});

function withChecksum(clip: Clip, update: ChecksumUpdate | undefined): Clip {
  // A pushed result is never older than "pending", but a listed final state must not go back.
  if (!update || (clip.checksumState !== 'pending' && update.checksumState === 'pending')) {
    return clip;
  }
  return { ...clip, checksumState: update.checksumState, sha256: update.sha256 };
}
