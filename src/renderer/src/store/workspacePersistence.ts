import type { ApiClient } from '../../../shared/api/contract';
import type { Workspace } from '../../../shared/api/schemas';
import type { AppState, AppStore } from './appStore';

/**
 * Frame changes arrive at the video's rate: the workspace is written at most this long after the
 * first unsaved change, however many follow (a timer reset on every change could starve).
 */
const SETTLE_MS = 300;

/** The window, where it has one (slice tests run in Node). */
type PageEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

function workspaceOf(state: AppState): Workspace | null {
  const { screen, currentFrame, view, selection, labelSet } = state;
  if (screen.name !== 'clip' || currentFrame === null || labelSet?.clipId !== screen.clipId) {
    return null;
  }
  return {
    batchId: screen.batchId,
    clipId: screen.clipId,
    frame: currentFrame,
    zoom: view.zoom,
    panX: view.panX,
    panY: view.panY,
    selectedTrackId: selection.trackId,
  };
}

function sameWorkspace(a: Workspace, b: Workspace | null): boolean {
  return (
    b !== null &&
    a.clipId === b.clipId &&
    a.frame === b.frame &&
    a.zoom === b.zoom &&
    a.panX === b.panX &&
    a.panY === b.panY &&
    a.selectedTrackId === b.selectedTrackId
  );
}

/**
 * Keeps the database's record of where the annotator is (clip, frame, zoom, selected track) up to
 * date, so a crash or a closed lid reopens the app exactly there. Returns the unsubscribe.
 */
export function persistWorkspace(
  store: AppStore,
  api: ApiClient,
  page: PageEvents | null = typeof window === 'undefined' ? null : window,
): () => void {
  let saved: Workspace | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    timer = null;
    const workspace = workspaceOf(store.getState());
    if (workspace === null || sameWorkspace(workspace, saved)) return;
    api.saveWorkspace(workspace).then(
      () => {
        saved = workspace;
      },
      (error: unknown) => {
        // Where the annotator is matters less than their labels: say so once, do not interrupt.
        console.warn('Could not record where you are in the clip', error);
      },
    );
  };

  // Leaving the page (a reload, the window closing) sends what the timer has not sent yet.
  const flushNow = () => {
    if (timer === null) return;
    clearTimeout(timer);
    flush();
  };
  page?.addEventListener('pagehide', flushNow);

  const unsubscribe = store.subscribe((state, previous) => {
    if (
      state.currentFrame === previous.currentFrame &&
      state.view === previous.view &&
      state.selection.trackId === previous.selection.trackId &&
      state.labelSet === previous.labelSet
    ) {
      return;
    }
    timer ??= setTimeout(flush, SETTLE_MS);
  });
  return () => {
    unsubscribe();
    page?.removeEventListener('pagehide', flushNow);
    if (timer !== null) clearTimeout(timer);
  };
}
