import type { SliceCreator } from './appStore';

export type Screen =
  | { name: 'batches' }
  | { name: 'batch'; batchId: string }
  /** With `reviewSetId`, the reviewer's read-only view of that set's labels on this clip. */
  | { name: 'clip'; batchId: string; clipId: string; reviewSetId?: string }
  | { name: 'export' }
  | { name: 'agreement' }
  | { name: 'team' }
  | { name: 'sync' }
  | { name: 'review' }
  | { name: 'work' };

export type NavigationSlice = {
  screen: Screen;
  showBatches: () => void;
  showBatch: (batchId: string) => void;
  showClip: (batchId: string, clipId: string) => void;
  /** The Export screen, with `batchIds` chosen (the batch list loads for it). */
  showExport: (batchIds?: string[]) => void;
  /** Inter-annotator agreement, across every batch until one is chosen. */
  showAgreement: () => void;
  /** A lead's projects: clips by status, annotators, reviewers (as last pulled). */
  showTeam: () => void;
  /** Server address, sign-in, online state, pending count, conflicts. */
  showSyncSettings: () => void;
  /** The reviewer's queue (cached by sync) and the set open for review. */
  showReview: () => void;
  /** My work: the signed-in person's assignments across batches, due first. */
  showMyWork: () => void;
  /** A queued set on the player and overlay, labels read-only, with the review panels. */
  showReviewClip: (batchId: string, clipId: string, setId: string) => void;
};

/**
 * Moving between screens also loads what the new screen shows, so screens only render state, and
 * clears an error shown for the screen being left.
 */
export const createNavigationSlice: SliceCreator<NavigationSlice> = () => (set, get) => ({
  screen: { name: 'batches' },
  showBatches: () => {
    set({ screen: { name: 'batches' }, error: null });
    void get().loadBatches();
  },
  showBatch: (batchId) => {
    set({ screen: { name: 'batch', batchId }, error: null });
    void get().loadBatchContents(batchId);
    void get().loadBatchWork(batchId);
  },
  showClip: (batchId, clipId) => {
    set({ screen: { name: 'clip', batchId, clipId }, error: null });
    void get().loadClip(clipId);
  },
  showExport: (batchIds) => {
    set({ screen: { name: 'export' }, error: null });
    if (batchIds !== undefined) get().setExportChoices({ batchIds });
    void get().loadBatches();
  },
  showAgreement: () => {
    set({ screen: { name: 'agreement' }, error: null });
    void get().loadBatches();
    void get().loadAgreement(get().agreementBatchId);
  },
  showTeam: () => {
    set({ screen: { name: 'team' }, error: null });
    void get().loadTeamProgress();
  },
  showSyncSettings: () => {
    set({ screen: { name: 'sync' }, error: null });
    void get().loadSyncStatus();
    void get().loadDelivery();
  },
  showReviewClip: (batchId, clipId, setId) => {
    set({ screen: { name: 'clip', batchId, clipId, reviewSetId: setId }, error: null });
    void get().loadClip(clipId);
  },
  showMyWork: () => {
    set({ screen: { name: 'work' }, error: null });
    void get().loadMyWork();
    void get().loadDelivery();
    // A reviewer's work is their queue: My work lists it too.
    void get().loadReviewQueue();
  },
  showReview: () => {
    set({ screen: { name: 'review' }, error: null, openedReview: null });
    void get().loadReviewQueue();
  },
});
