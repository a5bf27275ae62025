import { useEffect, useRef } from 'react';
import { projectTemplates, type Size } from '../../../shared/domain/labels';
import type { PlayerEngine } from '../player/playerEngine';
import { useAppStoreApi } from '../store/AppStoreContext';
import type { AppState } from '../store/appStore';
import { OverlayEngine } from './overlay/overlayEngine';
import { commentPinsAt } from './overlay/commentPins';
import { OverlayCommentBadge } from './OverlayCommentBadge';
import { buildOverlayScene, EMPTY_SCENE, faceOverlayBoxes } from './overlay/overlayScene';
import { faceBoxId, faceTrackIdOf } from '../store/facesSlice';

/** The fields the overlay draws from; any change among them redraws it. */
function sceneInputsChanged(state: AppState, previous: AppState): boolean {
  return (
    state.currentFrame !== previous.currentFrame ||
    state.labels !== previous.labels ||
    state.selection !== previous.selection ||
    state.labelProject !== previous.labelProject ||
    state.clipComments !== previous.clipComments ||
    state.faceRegions !== previous.faceRegions
  );
}

/**
 * Mounts the keypoint overlay over the video and feeds it from the store. Frame changes arrive at
 * the video's rate, so the scene is pushed from a store subscription, never through a React render
 * (STYLE §5). Edits come back as commands and go through the labels slice like every other edit.
 *
 * Space held over the video pans with the mouse (as in image editors); a Space press with no drag
 * still plays and pauses, as it does everywhere else in the player.
 */
export function LabelOverlay({
  videoSize,
  player,
}: {
  videoSize: Size;
  player: PlayerEngine | null;
}) {
  const store = useAppStoreApi();
  const containerRef = useRef<HTMLDivElement>(null);
  const playerRef = useRef(player);
  useEffect(() => {
    playerRef.current = player;
  }, [player]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let pannedWhileSpace = false;
    let spaceHeld = false;
    const engine = new OverlayEngine(container, {
      command: (command) => {
        const state = store.getState();
        // Under review the labels are the annotator's: an edit on the overlay becomes the
        // suggestion attached to the reviewer's next comment, never a change to them.
        if (state.screen.name === 'clip' && state.screen.reviewSetId !== undefined) {
          state.proposeSuggestion(command);
          return;
        }
        state.editLabels(command);
      },
      select: (change) =>
        store.getState().select({
          trackId: change.trackId,
          point: change.point,
          ...(change.contactId === undefined ? {} : { contactId: change.contactId }),
          boxId: change.boxId ?? null,
        }),
      viewChange: (view) => {
        if (spaceHeld) pannedWhileSpace = true;
        store.getState().setView(view);
      },
      boxDrawn: (box) => {
        const state = store.getState();
        if (state.faceDrawing) void state.addFace(box);
        else state.placeContactBox(box);
      },
      boxChanged: (boxId, box) => {
        const faceTrackId = faceTrackIdOf(boxId);
        if (faceTrackId !== null) void store.getState().moveFaceBox(faceTrackId, box);
        else store.getState().moveContactBox(boxId, box);
      },
    });
    engine.setVideoSize(videoSize);
    const measure = () => {
      const size = { width: container.clientWidth, height: container.clientHeight };
      engine.resize(size.width, size.height);
      // The zoom buttons and keys need both sizes; a resize is rare, so it may go through state.
      store.getState().setStage({ video: videoSize, container: size });
    };
    measure();

    const render = (state: AppState) => {
      const project = state.labelProject;
      if (state.currentFrame === null || !project) {
        engine.setScene(EMPTY_SCENE);
        return;
      }
      const classNames = new Map(project.schema.objectClasses.map((c) => [c.id, c.name]));
      const scene = buildOverlayScene(
        state.labels,
        state.currentFrame,
        projectTemplates(project.schema),
        state.selection,
        classNames,
      );
      const faces = faceOverlayBoxes(
        state.faceRegions?.tracks ?? [],
        state.currentFrame,
        faceBoxId,
      );
      engine.setScene({
        ...scene,
        boxes: [...scene.boxes, ...faces],
        commentPins: commentPinsAt(state.clipComments, state.labels, state.currentFrame),
      });
    };
    const initial = store.getState();
    render(initial);
    engine.setView(initial.view);
    engine.setTool(initial.overlayTool);
    const unsubscribe = store.subscribe((state, previous) => {
      if (sceneInputsChanged(state, previous)) render(state);
      if (state.view !== previous.view) engine.setView(state.view);
      if (state.overlayTool !== previous.overlayTool) engine.setTool(state.overlayTool);
    });

    const resizeObserver = new ResizeObserver(measure);
    resizeObserver.observe(container);

    let pointerInside = false;
    const onEnter = () => {
      pointerInside = true;
    };
    const onLeave = () => {
      pointerInside = false;
    };
    // Capture phase, so the player's own Space handler (play/pause) sees the press as taken.
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== ' ' || !pointerInside || event.ctrlKey || event.metaKey) return;
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) {
        return;
      }
      event.preventDefault();
      if (event.repeat || spaceHeld) return;
      spaceHeld = true;
      pannedWhileSpace = false;
      engine.setPanMode(true);
    };
    const onKeyUp = (event: KeyboardEvent) => {
      if (event.key !== ' ' || !spaceHeld) return;
      spaceHeld = false;
      engine.setPanMode(false);
      if (!pannedWhileSpace) playerRef.current?.togglePlay();
    };
    container.addEventListener('pointerenter', onEnter);
    container.addEventListener('pointerleave', onLeave);
    window.addEventListener('keydown', onKeyDown, { capture: true });
    window.addEventListener('keyup', onKeyUp, { capture: true });

    return () => {
      unsubscribe();
      resizeObserver.disconnect();
      container.removeEventListener('pointerenter', onEnter);
      container.removeEventListener('pointerleave', onLeave);
      window.removeEventListener('keydown', onKeyDown, { capture: true });
      window.removeEventListener('keyup', onKeyUp, { capture: true });
      engine.destroy();
    };
  }, [store, videoSize]);

  return (
    <>
      <div
        className="label-overlay"
        ref={containerRef}
        role="application"
        aria-label="Labeling overlay"
        aria-roledescription="keypoint canvas"
        data-testid="label-overlay"
      />
      {/* Outside the canvas container, which the engine owns. */}
      <OverlayCommentBadge />
    </>
  );
}
