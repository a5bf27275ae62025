import type { FaceRegionsOfClip, FaceScanProgress } from '../../../shared/api/faceSchemas';
import {
  endFaceTrack,
  newFaceTrack,
  withFaceBox,
  type FaceTrack,
} from '../../../shared/domain/faces/faceTracks';
import type { Box } from '../../../shared/domain/labels';
import type { SliceCreator } from './appStore';

/** The overlay's `boxId` of a face track: face tracks live beside the labels, not in them. */
export const FACE_BOX_PREFIX = 'face:';

export function faceBoxId(trackId: string): string {
  return `${FACE_BOX_PREFIX}${trackId}`;
}

export function faceTrackIdOf(boxId: string | null | undefined): string | null {
  return boxId?.startsWith(FACE_BOX_PREFIX) === true ? boxId.slice(FACE_BOX_PREFIX.length) : null;
}

/** "Not scanned", "Scanned, not reviewed", "Reviewed by X on 2026-12-06": what export reads. */
export function blurReviewStatus(regions: FaceRegionsOfClip | null): string {
  const scan = regions?.scan ?? null;
  if (scan === null) return 'Not scanned';
  if (scan.status === 'scanning') return 'Scan not finished';
  if (scan.status === 'cancelled') return 'Scan stopped (resume it)';
  if (scan.status === 'failed') return 'Scan failed';
  if (scan.reviewStatus !== 'reviewed') return 'Scanned, not reviewed';
  const on = scan.reviewedAt === null ? '' : ` on ${scan.reviewedAt.slice(0, 10)}`;
  return `Reviewed by ${scan.reviewedBy ?? 'someone'}${on}`;
}

/**
 * The face regions of the clip in the player (issue #19): the scan and its progress, the tracks a
 * person reviews on the overlay, and the clip's blur review. Face tracks belong to the clip, not
 * to an annotation set: every set of the clip is exported with the same blurred video, so they
 * are stored by the faces module and saved call by call, never through the labels' undo stack.
 */
export type FacesSlice = {
  faceRegions: FaceRegionsOfClip | null;
  faceRegionsClipId: string | null;
  faceScanJobId: string | null;
  faceScanProgress: FaceScanProgress | null;
  /** The next box drawn on the overlay is a face the detector missed. */
  faceDrawing: boolean;
  /** Said in the panel after an edit un-reviewed the clip, or a call was refused. */
  faceNotice: string | null;
  loadFaceRegions: (clipId: string) => Promise<void>;
  startFaceScan: () => Promise<void>;
  cancelFaceScan: () => Promise<void>;
  receiveFaceScanProgress: (progress: FaceScanProgress) => void;
  setFaceDrawing: (drawing: boolean) => void;
  /** A box drawn while `faceDrawing`: a new face track from this frame on. */
  addFace: (box: Box) => Promise<void>;
  /** A face box moved or resized on this frame: it becomes that track's keyframe here. */
  moveFaceBox: (trackId: string, box: Box) => Promise<void>;
  /** The face leaves the picture after this frame. */
  endFaceHere: (trackId: string) => Promise<void>;
  removeFace: (trackId: string) => Promise<void>;
  setBlurReview: (status: 'reviewed' | 'unreviewed') => Promise<void>;
  /** Forgets the clip's regions (its consent was withdrawn): nothing of it stays in memory. */
  dropFaceRegions: () => void;
};

export const createFacesSlice: SliceCreator<FacesSlice> = (api) => (set, get) => {
  const clipId = () => get().faceRegionsClipId;

  const liveTrack = (trackId: string): FaceTrack | undefined =>
    get().faceRegions?.tracks.find((t) => t.id === trackId && !t.removed);

  /** Saves a person's version of a track, then reloads: the store says what was kept. */
  const saveTrack = async (track: FaceTrack, during: string) => {
    const id = clipId();
    if (id === null) return;
    const wasReviewed = get().faceRegions?.scan?.reviewStatus === 'reviewed';
    try {
      await api.putFaceTrack({ clipId: id, track });
      await get().loadFaceRegions(id);
      if (wasReviewed) {
        set({ faceNotice: 'The face regions changed: review them again before a blurred export.' });
      }
    } catch (error) {
      get().reportError(during, error);
    }
  };

  return {
    faceRegions: null,
    faceRegionsClipId: null,
    faceScanJobId: null,
    faceScanProgress: null,
    faceDrawing: false,
    faceNotice: null,

    loadFaceRegions: async (id) => {
      if (get().faceRegionsClipId !== id) {
        set({
          faceRegionsClipId: id,
          faceRegions: null,
          faceScanJobId: null,
          faceScanProgress: null,
          faceDrawing: false,
          faceNotice: null,
        });
      }
      try {
        const regions = await api.getFaceRegions({ clipId: id });
        if (get().faceRegionsClipId === id) set({ faceRegions: regions });
      } catch (error) {
        get().reportError('loading the face regions', error);
      }
    },

    startFaceScan: async () => {
      const id = clipId();
      if (id === null || get().faceScanJobId !== null) return;
      set({ faceNotice: null });
      try {
        const { jobId } = await api.startFaceScan({ clipId: id });
        if (clipId() === id) set({ faceScanJobId: jobId });
      } catch (error) {
        get().reportError('starting the face scan', error);
      }
    },

    cancelFaceScan: async () => {
      const jobId = get().faceScanJobId;
      if (jobId === null) return;
      try {
        await api.cancelFaceScan({ jobId });
      } catch (error) {
        get().reportError('cancelling the face scan', error);
      }
    },

    receiveFaceScanProgress: (progress) => {
      if (progress.clipId !== clipId()) return;
      // Another window's scan of this clip shows here too; it is the same clip's scan.
      set({ faceScanProgress: progress, faceScanJobId: progress.jobId });
      if (
        progress.phase === 'done' ||
        progress.phase === 'cancelled' ||
        progress.phase === 'failed'
      ) {
        set({ faceScanJobId: null });
        if (progress.error) get().reportError('scanning for faces', progress.error);
        void get().loadFaceRegions(progress.clipId);
      }
    },

    setFaceDrawing: (drawing) => {
      set({ faceDrawing: drawing });
      if (drawing) get().setOverlayTool('box');
    },

    addFace: async (box) => {
      const frame = get().currentFrame;
      const frames = get().frameTable?.frameTimes.length ?? 0;
      set({ faceDrawing: false });
      if (frame === null || frames === 0) return;
      const track = newFaceTrack(`drawn-${crypto.randomUUID()}`, frame, box, frames - 1);
      await saveTrack(track, 'adding a face');
      get().select({ boxId: faceBoxId(track.id) });
    },

    moveFaceBox: async (trackId, box) => {
      const frame = get().currentFrame;
      const track = liveTrack(trackId);
      if (frame === null || !track) return;
      await saveTrack(withFaceBox(track, frame, box), 'moving a face box');
    },

    endFaceHere: async (trackId) => {
      const frame = get().currentFrame;
      const track = liveTrack(trackId);
      if (frame === null || !track) return;
      await saveTrack(endFaceTrack(track, frame), 'ending a face track');
    },

    removeFace: async (trackId) => {
      const id = clipId();
      if (id === null) return;
      const wasReviewed = get().faceRegions?.scan?.reviewStatus === 'reviewed';
      try {
        await api.removeFaceTrack({ clipId: id, trackId });
        await get().loadFaceRegions(id);
        if (faceTrackIdOf(get().selection.boxId) === trackId) get().select({ boxId: null });
        if (wasReviewed) {
          set({
            faceNotice: 'The face regions changed: review them again before a blurred export.',
          });
        }
      } catch (error) {
        get().reportError('removing a face', error);
      }
    },

    dropFaceRegions: () =>
      set({
        faceRegions: null,
        faceRegionsClipId: null,
        faceScanJobId: null,
        faceScanProgress: null,
        faceDrawing: false,
        faceNotice: null,
      }),

    setBlurReview: async (status) => {
      const id = clipId();
      if (id === null) return;
      try {
        const { scan } = await api.setBlurReview({ clipId: id, status });
        const regions = get().faceRegions;
        if (regions && clipId() === id)
          set({ faceRegions: { ...regions, scan }, faceNotice: null });
      } catch (error) {
        get().reportError('recording the blur review', error);
      }
    },
  };
};
