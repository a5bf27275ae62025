import type { Clip, FrameTable } from '../../../shared/api/schemas';
import type { SliceCreator } from './appStore';

export type PlayerSlice = {
  playerClip: Clip | null;
  frameTable: FrameTable | null;
  playerLoading: boolean;
  /**
   * Frame on screen, from the frame table. Changes at the video's frame rate: read it with
   * `store.subscribe`, not a selector, so it does not re-render React on every frame.
   */
  currentFrame: number | null;
  /** Where the video element loads a clip from (by id; the host maps it to the file). */
  mediaUrlFor: (clipId: string) => string;
  loadClip: (clipId: string) => Promise<void>;
  setCurrentFrame: (frame: number | null) => void;
};

export const createPlayerSlice: SliceCreator<PlayerSlice> = (api) => (set, get) => ({
  playerClip: null,
  frameTable: null,
  playerLoading: false,
  currentFrame: null,
  mediaUrlFor: (clipId) => api.mediaUrl(clipId),

  loadClip: async (clipId) => {
    set({ playerClip: null, frameTable: null, currentFrame: null, playerLoading: true });
    try {
      const [clip, frameTable] = await Promise.all([
        api.getClip({ clipId }),
        api.getFrameTable({ clipId }),
      ]);
      if (!isShowing(get().screen, clipId)) return;
      set({ playerClip: clip, frameTable });
    } catch (error) {
      get().reportError('opening the clip', error);
    } finally {
      if (isShowing(get().screen, clipId)) set({ playerLoading: false });
    }
  },

  setCurrentFrame: (frame) => {
    if (get().currentFrame !== frame) set({ currentFrame: frame });
  },
});

function isShowing(screen: { name: string; clipId?: string }, clipId: string): boolean {
  return screen.name === 'clip' && screen.clipId === clipId;
}
