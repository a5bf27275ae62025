import { useEffect, useEffectEvent } from 'react';
import {
  clearPoint,
  copyPose,
  cycleVisibility,
  deleteBoxKeyframeAt,
  deleteKeyframeAt,
  markAbsent,
  markBoxAbsent,
  nudgePoint,
  findTemplate,
  makeKeyframe,
  mergeWithNext,
  nextKeyframe,
  pastePose,
  previousKeyframe,
  projectTemplates,
  segmentFromMarks,
  segmentUnder,
  splitAtPlayhead,
} from '../../../shared/domain/labels';
import { adjacentComment, pinFrame } from '../../../shared/domain/review';
import type { PlayerEngine } from '../player/playerEngine';
import { keyTargetOf } from '../player/playerKeys';
import type { AppState, AppStore } from '../store/appStore';
import { useAppStoreApi } from '../store/AppStoreContext';
import { faceTrackIdOf } from '../store/facesSlice';
import { goToProposal } from './proposalNavigation';
import { labelingCommandForKey, numberKeyTarget, type LabelingCommand } from './labelingKeys';

/** The timeline row that new segments go to: the camera wearer unless a person is chosen. */
export const CAMERA_WEARER = 'camera_wearer';

export function activeRow(state: AppState): string {
  const { selection, labels } = state;
  const segment = labels.segments.find((s) => s.id === selection.segmentId);
  if (segment) return segment.actor;
  const track = labels.tracks.find((t) => t.id === selection.trackId);
  return track?.kind === 'person' ? track.id : CAMERA_WEARER;
}

function run(command: LabelingCommand, store: AppStore, player: PlayerEngine | null): void {
  const state = store.getState();
  const { selection, currentFrame } = state;
  const trackId = selection.trackId;
  const point = selection.point;
  // X and Shift+K act on a selected box track (a static version 1 object box has no keyframes;
  // a face box is the faces panel's, not the labels').
  const boxTrackId =
    selection.boxId != null &&
    !selection.boxId.startsWith('contact:') &&
    faceTrackIdOf(selection.boxId) === null
      ? selection.boxId
      : null;
  switch (command.name) {
    case 'undo':
      state.undoLabels();
      return;
    case 'redo':
      state.redoLabels();
      return;
    case 'cycleVisibility':
      if (trackId === null || point === null) {
        state.showLabelNotice('Select a point first (click it, or N for the next).');
        return;
      }
      state.labelAction(({ doc, frame, context }) =>
        cycleVisibility(doc, trackId, frame, point, context),
      );
      return;
    case 'clearPoint':
      if (trackId === null || point === null) {
        state.showLabelNotice('Select a point to clear.');
        return;
      }
      state.labelAction(({ doc, frame, context }) =>
        clearPoint(doc, trackId, frame, point, context),
      );
      return;
    case 'keyframe':
      if (trackId === null) {
        state.showLabelNotice('Select a track first.');
        return;
      }
      state.labelAction(({ doc, frame, context }) => makeKeyframe(doc, trackId, frame, context));
      return;
    case 'deleteKeyframe':
      if (boxTrackId !== null) {
        state.labelAction(({ doc, frame }) => deleteBoxKeyframeAt(doc, boxTrackId, frame));
        return;
      }
      if (trackId === null) {
        state.showLabelNotice('Select a track first.');
        return;
      }
      state.labelAction(({ doc, frame }) => deleteKeyframeAt(doc, trackId, frame));
      return;
    case 'zoom':
      state.zoomView(command.how);
      return;
    case 'nudgePoint': {
      if (trackId === null || point === null) {
        state.showLabelNotice('Select a point first (click it, or N for the next).');
        return;
      }
      const delta = { dx: command.dx, dy: command.dy };
      state.labelAction(({ doc, frame, context }) =>
        nudgePoint(doc, trackId, frame, point, delta, context),
      );
      return;
    }
    case 'markAbsent':
      if (boxTrackId !== null) {
        state.labelAction(({ doc, frame }) => markBoxAbsent(doc, boxTrackId, frame));
        return;
      }
      if (trackId === null) {
        state.showLabelNotice('Select a track first.');
        return;
      }
      state.labelAction(({ doc, frame }) => markAbsent(doc, trackId, frame));
      return;
    case 'copyPose': {
      const where = state.labelingPosition();
      if (trackId === null || !where) return;
      const copied = copyPose(where.doc, trackId, where.frame, where.context);
      if (!copied.ok) {
        state.showLabelNotice(copied.message);
        return;
      }
      state.setCopiedPose(copied.pose);
      state.showLabelNotice(`Copied the pose at frame ${where.frame}: Ctrl+V pastes it.`);
      return;
    }
    case 'pastePose': {
      const copied = state.copiedPose;
      if (!copied || trackId === null) {
        state.showLabelNotice('Copy a pose first (Ctrl+C on a frame where the track has one).');
        return;
      }
      state.labelAction(({ doc, frame }) => pastePose(doc, trackId, frame, copied));
      return;
    }
    case 'nextPoint': {
      const project = state.labelProject;
      const track = state.labels.tracks.find((t) => t.id === trackId);
      if (!project || !track) return;
      const template = findTemplate(projectTemplates(project.schema), track.templateId);
      const count = template?.keypoints.length ?? 0;
      if (count === 0) return;
      const next = point === null ? 0 : (point + command.delta + count) % count;
      state.select({ point: next });
      return;
    }
    case 'nextTrack': {
      const tracks = state.labels.tracks;
      if (tracks.length === 0) return;
      const index = tracks.findIndex((t) => t.id === trackId);
      const next = tracks[(index + command.delta + tracks.length) % tracks.length];
      if (next) state.select({ trackId: next.id, point: 0, contactId: null });
      return;
    }
    case 'acceptTrackProposals':
      state.acceptProposals('track');
      return;
    case 'nextProposal':
      goToProposal(command.lowest ? 'lowest' : 'next', state, player);
      return;
    case 'jumpKeyframe': {
      const track = state.labels.tracks.find((t) => t.id === trackId);
      if (!track || currentFrame === null || !player) return;
      const target =
        command.delta > 0
          ? nextKeyframe(track, currentFrame)
          : previousKeyframe(track, currentFrame);
      if (target) player.goTo(target.frame);
      else state.showLabelNotice(`No ${command.delta > 0 ? 'later' : 'earlier'} keyframe.`);
      return;
    }
    case 'jumpComment': {
      if (currentFrame === null || !player) return;
      const comment = adjacentComment(
        state.clipComments,
        state.labels,
        currentFrame,
        command.delta,
      );
      const at = comment === undefined ? undefined : pinFrame(comment.pin, state.labels);
      if (at !== undefined) player.goTo(at);
      else state.showLabelNotice('No open review comment to go to.');
      return;
    }
    case 'markSegmentStart':
      if (currentFrame === null) return;
      state.setSegmentMark(currentFrame);
      state.showLabelNotice(`Segment start marked at frame ${currentFrame}; press ] at its end.`);
      return;
    case 'markSegmentEnd': {
      const mark = state.segmentMark;
      if (mark === null) {
        state.showLabelNotice('Press [ at the segment’s first frame first.');
        return;
      }
      const id = crypto.randomUUID();
      const row = activeRow(state);
      if (state.labelAction(({ frame }) => segmentFromMarks(mark, frame, row, id))) {
        state.setSegmentMark(null);
        state.select({ segmentId: id });
      }
      return;
    }
    case 'splitSegment': {
      const id = crypto.randomUUID();
      const row = activeRow(state);
      state.labelAction(({ doc, frame, selection: chosen }) =>
        splitAtPlayhead(doc, frame, row, chosen.segmentId, id),
      );
      return;
    }
    case 'mergeSegment':
      state.labelAction(({ doc, selection: chosen }) => mergeWithNext(doc, chosen.segmentId));
      return;
    case 'labelSegment': {
      const segment =
        currentFrame === null
          ? undefined
          : segmentUnder(state.labels, currentFrame, activeRow(state), selection.segmentId);
      const chosen = state.labels.segments.find((s) => s.id === selection.segmentId) ?? segment;
      if (!chosen) {
        state.showLabelNotice('Select a segment to label (click it on the timeline).');
        return;
      }
      state.select({ segmentId: chosen.id });
      state.setLabelingSegment(chosen.id);
      return;
    }
    case 'deleteSegment':
      if (selection.segmentId === null) {
        state.showLabelNotice('Select a segment to delete.');
        return;
      }
      if (state.editLabels({ type: 'removeSegment', segmentId: selection.segmentId })) {
        state.select({ segmentId: null });
      }
      return;
    case 'contactState':
      state.setContactState(command.state);
      return;
    case 'quickLabel':
      if (numberKeyTarget(command.slot, selection.segmentId !== null) === 'contact') {
        state.setContactState(command.slot as 1 | 2 | 3 | 4);
      } else {
        state.quickLabelSegment(command.slot);
      }
      break;
    case 'endContact':
      state.endContact();
      return;
    case 'toggleBoxTool':
      state.setOverlayTool(state.overlayTool === 'box' ? 'keypoint' : 'box');
      return;
    case 'acceptPose':
      state.acceptPose();
      return;
    case 'shortcuts':
      state.setShortcutSheetOpen(true);
      return;
    case 'escape':
      if (state.shortcutSheetOpen) state.setShortcutSheetOpen(false);
      state.setSegmentMark(null);
      state.select({ segmentId: null });
      state.setOverlayTool('keypoint');
      store.setState({ contactDraft: null });
      state.showLabelNotice(null);
      return;
  }
}

/**
 * Runs `action` once the frame asked for is on screen. A key pressed right after a step (`]` after
 * Shift+→) means the frame being stepped to, and labels must land on the frame shown, so the
 * action waits for the player to confirm it rather than use the frame that is going away.
 */
function afterFrameSettles(store: AppStore, action: () => void): void {
  if (!store.getState().frameBusy) {
    action();
    return;
  }
  const unsubscribe = store.subscribe((state) => {
    if (state.frameBusy) return;
    unsubscribe();
    action();
  });
}

/**
 * Labeling shortcuts for the clip screen. They yield to fields that take typing and to dialogs
 * (the taxonomy picker and shortcut sheet handle their own keys).
 */
export function useLabelingShortcuts(player: PlayerEngine | null): void {
  const store = useAppStoreApi();
  const onCommand = useEffectEvent((command: LabelingCommand) =>
    afterFrameSettles(store, () => run(command, store, player)),
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const state = store.getState();
      if (state.labelingSegmentId !== null) return;
      if (state.shortcutSheetOpen && event.key !== 'Escape') return;
      const command = labelingCommandForKey(event, keyTargetOf(event.target));
      if (!command) return;
      event.preventDefault();
      onCommand(command);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
