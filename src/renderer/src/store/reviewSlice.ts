import type {
  AddReviewComment,
  OpenedReview,
  ReviewAgainResult,
  ReviewQueueItem,
} from '../../../shared/api/reviewSchemas';
import type { Command } from '../../../shared/domain/labels';
import type { ReviewComment } from '../../../shared/domain/review';
import type { SliceCreator } from './appStore';

export type ReviewSlice = {
  /** The reviewer's queue as last pulled by sync (the cache works offline). */
  reviewQueue: ReviewQueueItem[];
  reviewQueueLoading: boolean;
  /** The set open for review: labels read-only, comments, changes since the last verdict. */
  openedReview: OpenedReview | null;
  /** Review comments on the annotator's open clip (pulled by sync); J / Shift+J walk them. */
  clipComments: ReviewComment[];
  /** An edit the reviewer made on the overlay, to send as the next comment's suggestion. */
  suggestionDraft: Command | null;
  proposeSuggestion: (command: Command | null) => void;
  loadReviewQueue: () => Promise<void>;
  openReview: (setId: string) => Promise<void>;
  closeReview: () => void;
  /**
   * Puts the reviewed labels on the clip screen. With no annotation set open, every edit is
   * refused (`editLabels` needs one), so the labels are read-only by construction.
   */
  openReviewLabels: (setId: string) => Promise<void>;
  addReviewComment: (input: AddReviewComment) => Promise<boolean>;
  /** False when refused (the reason is missing, say); the error alert says why. */
  submitReview: (
    setId: string,
    verdict: 'accept' | 'request_changes',
    reason: string,
  ) => Promise<boolean>;
  /** What the last "Review again" did (comments carried or not), shown until another review opens. */
  reviewAgainResult: ReviewAgainResult | null;
  /**
   * After the server refused a verdict for good: syncs (to pull the server's current revision),
   * then opens that revision for a new verdict with the refused verdict's comments that still
   * apply, or closes the refusal when the set left the queue. False when refused.
   */
  reviewAgain: (setId: string) => Promise<boolean>;
  loadClipComments: (setId: string) => Promise<void>;
  resolveComment: (commentId: string) => Promise<void>;
  /** Takes back a resolution the server refused, so the comment is open again. */
  reopenComment: (commentId: string) => Promise<void>;
};

export const createReviewSlice: SliceCreator<ReviewSlice> = (api) => (set, get) => ({
  reviewQueue: [],
  reviewQueueLoading: false,
  openedReview: null,
  clipComments: [],
  suggestionDraft: null,
  reviewAgainResult: null,
  proposeSuggestion: (command) => set({ suggestionDraft: command }),
  loadReviewQueue: async () => {
    set({ reviewQueueLoading: true });
    try {
      set({ reviewQueue: await api.listReviewQueue({}) });
    } catch (error) {
      get().reportError('loading the review queue', error);
    } finally {
      set({ reviewQueueLoading: false });
    }
  },
  openReview: async (setId) => {
    try {
      const opened = await api.openReview({ setId });
      const again = get().reviewAgainResult;
      set({
        openedReview: opened,
        ...(again !== null && again.setId !== setId ? { reviewAgainResult: null } : {}),
      });
    } catch (error) {
      get().reportError('opening the review', error);
    }
  },
  closeReview: () => set({ openedReview: null, reviewAgainResult: null }),
  openReviewLabels: async (setId) => {
    set({ labelSet: null, labelsLoading: true, clipComments: [], suggestionDraft: null });
    try {
      // The server's project ids are not this workstation's: the overlay takes its skeleton
      // templates from the project this workstation labels with (the default one unless chosen).
      const [opened, project] = await Promise.all([api.openReview({ setId }), api.getProject({})]);
      set({
        openedReview: opened,
        labelProject: project,
        labels: opened.labels,
        clipComments: opened.comments,
        selection: {
          trackId: opened.labels.tracks[0]?.id ?? null,
          point: null,
          segmentId: null,
          contactId: null,
        },
      });
    } catch (error) {
      get().reportError('opening the review', error);
    } finally {
      set({ labelsLoading: false });
    }
  },
  addReviewComment: async (input) => {
    try {
      await api.addReviewComment(input);
      if (input.suggestion !== undefined) set({ suggestionDraft: null });
      await get().openReview(input.setId);
      const opened = get().openedReview;
      if (opened !== null) set({ clipComments: opened.comments });
      return true;
    } catch (error) {
      get().reportError('adding the comment', error);
      return false;
    }
  },
  submitReview: async (setId, verdict, reason) => {
    try {
      const trimmed = reason.trim();
      await api.submitReview({ setId, verdict, ...(trimmed === '' ? {} : { reason: trimmed }) });
      await Promise.all([get().openReview(setId), get().loadReviewQueue()]);
      return true;
    } catch (error) {
      get().reportError('sending the verdict', error);
      return false;
    }
  },
  reviewAgain: async (setId) => {
    // The refresh is the ordinary sync; when the server cannot be reached, the store says
    // whether the copy at hand is recent enough (REVIEW_NOT_REFRESHED otherwise).
    await get().syncNow();
    try {
      const result = await api.reviewAgain({ setId });
      set({ reviewAgainResult: result, suggestionDraft: null });
      const screen = get().screen;
      const onPlayer = screen.name === 'clip' && screen.reviewSetId === setId;
      if (result.outcome === 'closed') {
        set({ openedReview: null });
        if (onPlayer) get().showReview();
      } else if (onPlayer) await get().openReviewLabels(setId);
      else await get().openReview(setId);
      await get().loadReviewQueue();
      return true;
    } catch (error) {
      get().reportError('reviewing the set again', error);
      return false;
    }
  },
  loadClipComments: async (setId) => {
    try {
      set({ clipComments: await api.listComments({ setId }) });
    } catch (error) {
      get().reportError('loading review comments', error);
    }
  },
  resolveComment: async (commentId) => {
    try {
      const resolved = await api.resolveComment({ commentId });
      set({
        clipComments: get().clipComments.map((c) => (c.id === resolved.id ? resolved : c)),
      });
    } catch (error) {
      get().reportError('resolving the comment', error);
    }
  },
  reopenComment: async (commentId) => {
    try {
      const reopened = await api.reopenComment({ commentId });
      set({
        clipComments: get().clipComments.map((c) => (c.id === reopened.id ? reopened : c)),
      });
    } catch (error) {
      get().reportError('reopening the comment', error);
    }
  },
});
