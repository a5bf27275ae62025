import { useEffect, useState } from 'react';
import { useAppStoreApi } from '../../store/AppStoreContext';

/**
 * The current frame for panels that list what is on it: updated when the player is paused (and
 * once playback stops), not at the video's frame rate, so playing never re-renders the panels.
 */
export function useSettledFrame(): number | null {
  const store = useAppStoreApi();
  const [frame, setFrame] = useState(() => store.getState().currentFrame);
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.playing) return;
        if (state.currentFrame !== previous.currentFrame || state.playing !== previous.playing) {
          setFrame(state.currentFrame);
        }
      }),
    [store],
  );
  return frame;
}
